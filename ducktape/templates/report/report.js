/* ducktape session report. Renders the embedded results with DOM APIs only: text from tests is
   always set through textContent or attributes, never parsed as HTML. */
(function () {
  'use strict';

  var DATA = JSON.parse(document.getElementById('report-data').textContent);
  var S = DATA.session;
  var T = DATA.tests;
  var STATUSES = ['FAIL', 'OFAIL', 'FLAKY', 'PASS', 'OPASS', 'IGNORE'];
  var STATUS_LABEL = {FAIL: 'failed', OFAIL: 'failed (ok to fail)', FLAKY: 'flaky', PASS: 'passed',
    OPASS: 'passed (ok to fail)', IGNORE: 'ignored'};
  var CHUNK = 100;
  var byKey = new Map();
  T.forEach(function (t) { byKey.set(t.k, t); });

  var el = DT.el, add = DT.add, fmtDuration = DT.fmtDuration, fmtDate = DT.fmtDate;

  var fineOffsets = false;  // set once the session span is known: sub-minute sessions show seconds
  function fmtOffset(sec) {
    if (sec === null || sec === undefined) return '–';
    if (fineOffsets) return '+' + sec.toFixed(sec < 10 ? 2 : 1) + ' s';
    var total = Math.max(0, Math.round(sec)), h = Math.floor(total / 3600);
    var m = Math.floor((total % 3600) / 60), s = total % 60;
    var mmss = (m < 10 && h ? '0' : '') + m + ':' + (s < 10 ? '0' : '') + s;
    return '+' + (h ? h + ':' : '') + mmss;
  }


  // ---------------------------------------------------------------- derived facts

  var t0 = null, t1 = null;
  T.forEach(function (t) {
    if (t.s !== null && (t0 === null || t.s < t0)) t0 = t.s;
    var end = t.e !== null ? t.e : t.s;
    if (end !== null && (t1 === null || end > t1)) t1 = end;
  });
  if (S.start !== null && (t0 === null || S.start < t0)) t0 = S.start;
  if (S.stop !== null && (t1 === null || S.stop > t1)) t1 = S.stop;
  fineOffsets = t0 !== null && t1 !== null && t1 - t0 < 60;

  var present = {};
  T.forEach(function (t) { present[t.st] = (present[t.st] || 0) + 1; });

  function argsText(t) {
    if (!t.a || typeof t.a !== 'object') return '';
    return Object.keys(t.a).map(function (k) { return k + '=' + JSON.stringify(t.a[k]); }).join(' ');
  }

  function runText(t) {
    // --repeat: which of the test id's results this is
    return t.run ? 'run ' + t.run[0] + ' of ' + t.run[1] : '';
  }

  function failureKey(summary) {
    // The line that names the error: skip deflake headers and a bare "Traceback" opener.
    var lines = String(summary || '').split('\n');
    var firstIdx = -1;
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i].trim();
      if (!line || /^runs? [\d, ]+ summary:$/.test(line)) continue;
      firstIdx = i;
      break;
    }
    if (firstIdx < 0) return '(no error message)';
    if (!/^Traceback \(most recent call last\)/.test(lines[firstIdx].trim())) return lines[firstIdx].trim();
    for (var j = lines.length - 1; j > firstIdx; j--) {
      if (lines[j].trim() && !/^\s/.test(lines[j])) return lines[j].trim();
    }
    return lines[firstIdx].trim();
  }

  var haystack = null;
  function searchText(t) {
    if (!haystack) {
      haystack = new Map();
      T.forEach(function (x) {
        haystack.set(x.k, (x.id + '\n' + argsText(x) + '\n' + runText(x) + '\n' + x.m + '\n' + x.n.join(' '))
          .toLowerCase());
      });
    }
    return haystack.get(t.k);
  }

  // ---------------------------------------------------------------- view state (kept in the URL hash)

  var state = {status: [], q: '', sort: 'status', desc: false, err: '', test: ''};

  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ''));
    // a hand-written link may say status=fail or status=all: keep only statuses we know
    state.status = (params.get('status') || '').split(',').map(function (s) { return s.toUpperCase(); })
      .filter(function (s) { return STATUSES.indexOf(s) >= 0; });
    state.q = params.get('q') || '';
    state.sort = ['status', 'name', 'duration', 'start'].indexOf(params.get('sort')) >= 0 ?
      params.get('sort') : 'status';
    state.desc = params.get('desc') === '1';
    state.err = params.get('err') || '';
    state.test = params.get('test') || '';
  }

  function writeHash() {
    var params = new URLSearchParams();
    if (state.status.length) params.set('status', state.status.join(','));
    if (state.q) params.set('q', state.q);
    if (state.sort !== 'status') params.set('sort', state.sort);
    if (state.desc) params.set('desc', '1');
    if (state.err) params.set('err', state.err);
    if (state.test) params.set('test', state.test);
    var text = params.toString();
    var url = location.pathname + location.search + (text ? '#' + text : '');
    history.replaceState(null, '', url);
  }

  // ---------------------------------------------------------------- header and summary

  function renderHeader(root) {
    var head = el('header', 'session');
    add(head, add(el('h1'), el('span', 'brand', 'ducktape'), el('span', 'sid', S.id)));
    var facts = el('dl', 'facts');
    function fact(label, value) {
      if (value === null || value === undefined || value === '') return;
      add(facts, add(el('div'), el('dt', null, label), el('dd', null, value)));
    }
    fact('started', fmtDate(S.start));
    fact('duration', fmtDuration(S.duration));
    fact('ducktape', S.version);
    fact('cluster nodes', S.cluster_num_nodes);
    if (S.utilization !== null) fact('utilization', (S.utilization * 100).toFixed(1) + ' %');
    if (S.parallelism !== null) fact('parallelism', S.parallelism.toFixed(2));
    fact('tests', T.length + (S.expected ? ' of ' + S.expected + ' expected' : ''));
    fact('suite version', S.suite);
    if (S.interrupted) fact('run', 'interrupted: not every test finished');
    add(head, facts);
    if (S.notes && S.notes.length) {
      var notes = el('ul', 'notes');  // quarantine: how many, expired entries, tests ready to release
      S.notes.forEach(function (line) { add(notes, el('li', null, line)); });
      add(head, notes);
    }
    [['Interrupted (cut short by Ctrl-C or a signal)', S.cut_short],
     ['Never started (the session stopped before them)', S.not_started]].forEach(function (pair) {
      if (!pair[1] || !pair[1].length) return;
      var box = add(el('div', 'not-run'), el('span', 'label', pair[0]));
      var list = el('ul');
      pair[1].forEach(function (id) { add(list, el('li', null, id)); });
      add(head, add(box, list));
    });
    if (S.command) add(head, add(el('div', 'command'), el('span', 'label', 'command'), el('code', null, S.command)));
    add(root, head);
  }

  var tiles = {};
  function renderSummary(root) {
    var box = el('section', 'summary');
    box.id = 'summary';
    var all = el('button', 'tile tile-all');
    all.type = 'button';
    all.dataset.status = '';
    add(all, el('span', 'count', T.length), el('span', 'label', 'all tests'));
    all.addEventListener('click', function () { state.status = []; update(); });
    add(box, all);
    STATUSES.forEach(function (st) {
      var n = S.counts[st] || 0;
      if (!n && !present[st] && ['OPASS', 'OFAIL', 'FLAKY'].indexOf(st) >= 0) return;
      var tile = el('button', 'tile st-' + st + (n ? '' : ' zero'));
      tile.type = 'button';
      tile.dataset.status = st;
      add(tile, el('span', 'count', n), el('span', 'label', STATUS_LABEL[st]));
      tile.addEventListener('click', function (ev) { toggleStatus(st, ev.ctrlKey || ev.metaKey || ev.shiftKey); });
      tiles[st] = tile;
      add(box, tile);
    });
    add(root, box);
  }

  function toggleStatus(st, multi) {
    var on = state.status.indexOf(st) >= 0;
    if (multi) {
      state.status = on ? state.status.filter(function (s) { return s !== st; }) : state.status.concat([st]);
    } else {
      state.status = on && state.status.length === 1 ? [] : [st];
    }
    update();
  }

  // ---------------------------------------------------------------- failure groups

  var groupRows = [];
  function renderGroups(root) {
    // One group per failure signature (computed by the report writer), largest first.
    var groups = (DATA.groups || []).filter(function (g) { return g.n > 0; });
    if (!groups.length) return;
    var box = DT.groupSection('groups', 'Failures by error (' + groups.length + ')');
    groups.forEach(function (g) {
      var item = el('li', 'group');
      item.dataset.err = g.sig;
      var btn = el('button', 'group-btn');
      btn.type = 'button';
      add(btn, el('span', 'group-count', g.n), el('code', 'group-line', g.sig));
      btn.addEventListener('click', function () {
        state.err = state.err === g.sig ? '' : g.sig;
        update();
      });
      var members = T.filter(function (t) { return t.sig === g.sig; });
      var sample = members.slice(0, 3).map(function (t) {
        return t.id + (t.run ? ' (' + runText(t) + ')' : '');
      }).join(', ');
      add(item, btn);
      if (g.ex && g.ex !== g.sig) add(item, el('div', 'group-example', 'e.g. ' + g.ex));
      add(item, el('div', 'group-tests', sample + (members.length > 3 ? ', …' : '')));
      groupRows.push(item);
      add(box.list, item);
    });
    add(root, box.sec);
  }

  // ---------------------------------------------------------------- test list

  var listBody, shownCount, sentinel, observer, searchBox, sortSelect, dirBtn, errChip;
  var visible = [], rendered = 0, rowOf = new Map();

  function renderToolbar(root) {
    var sec = el('section', 'tests');
    sec.id = 'tests';
    var bar = el('div', 'toolbar');
    searchBox = el('input', 'search');
    searchBox.type = 'search';
    searchBox.placeholder = 'Search test ids, parameters, errors, nodes…  (press / to focus)';
    searchBox.setAttribute('aria-label', 'search');
    var timer = null;
    searchBox.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { state.q = searchBox.value.trim(); update(); }, 60);
    });
    sortSelect = el('select', 'sort');
    sortSelect.setAttribute('aria-label', 'sort');
    [['status', 'status, then name'], ['name', 'name'], ['duration', 'duration'], ['start', 'start time']]
      .forEach(function (o) {
        var opt = el('option', null, 'sort: ' + o[1]);
        opt.value = o[0];
        add(sortSelect, opt);
      });
    sortSelect.addEventListener('change', function () { state.sort = sortSelect.value; update(); });
    dirBtn = el('button', 'dir');
    dirBtn.type = 'button';
    dirBtn.addEventListener('click', function () { state.desc = !state.desc; update(); });
    errChip = el('button', 'err-chip');
    errChip.type = 'button';
    errChip.addEventListener('click', function () { state.err = ''; update(); });
    shownCount = el('span', 'shown');
    shownCount.id = 'shown-count';
    add(bar, searchBox, sortSelect, dirBtn, errChip, shownCount);
    var table = el('table', 'test-table');
    var head = el('thead');
    var hr = el('tr');
    ['status', 'test', 'duration', 'start', 'nodes'].forEach(function (h) { add(hr, el('th', 'c-' + h, h)); });
    add(head, hr);
    listBody = el('tbody');
    listBody.id = 'test-rows';
    listBody.addEventListener('click', onRowClick);
    listBody.addEventListener('keydown', function (ev) {
      if ((ev.key === 'Enter' || ev.key === ' ') && ev.target.classList.contains('test-row')) {
        ev.preventDefault();
        onRowClick(ev);
      }
    });
    add(table, head, listBody);
    sentinel = el('div', 'sentinel');
    add(sec, el('h2', null, 'Tests'), bar, table, sentinel);
    add(root, sec);
    observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) renderMore();
    }, {rootMargin: '800px'});
    observer.observe(sentinel);
  }

  var RANK = {FAIL: 0, OFAIL: 1, FLAKY: 2, PASS: 4, OPASS: 3, IGNORE: 5};
  function byName(a, b) { return a.id < b.id ? -1 : a.id > b.id ? 1 : a.k - b.k; }
  var SORTS = {
    status: function (a, b) { return (RANK[a.st] - RANK[b.st]) || byName(a, b); },
    name: byName,
    duration: function (a, b) { return ((a.d || 0) - (b.d || 0)) || byName(a, b); },
    start: function (a, b) { return ((a.s || 0) - (b.s || 0)) || a.k - b.k; },
  };

  function matches(t) {
    if (state.status.length && state.status.indexOf(t.st) < 0) return false;
    if (state.err && t.sig !== state.err) return false;
    if (state.q) {
      var text = searchText(t), words = state.q.toLowerCase().split(/\s+/);
      for (var i = 0; i < words.length; i++) if (text.indexOf(words[i]) < 0) return false;
    }
    return true;
  }

  function update() {
    writeHash();
    applyState();
  }

  function applyState() {
    visible = T.filter(matches);
    var cmp = SORTS[state.sort];
    visible.sort(state.desc ? function (a, b) { return cmp(b, a); } : cmp);
    listBody.textContent = '';
    rowOf.clear();
    rendered = 0;
    renderMore();
    syncControls();
    if (state.test) openTestById(state.test, false);
  }

  function syncControls() {
    if (searchBox.value.trim() !== state.q) searchBox.value = state.q;
    sortSelect.value = state.sort;
    dirBtn.textContent = state.desc ? '↓ descending' : '↑ ascending';
    errChip.hidden = !state.err;
    errChip.textContent = state.err ? 'error: ' + state.err + ' ✕' : '';
    shownCount.textContent = visible.length === T.length ? T.length + ' tests' :
      visible.length + ' of ' + T.length + ' tests';
    Object.keys(tiles).forEach(function (st) {
      tiles[st].classList.toggle('active', state.status.indexOf(st) >= 0);
    });
    groupRows.forEach(function (item) { item.classList.toggle('active', item.dataset.err === state.err); });
  }

  function renderMore() {
    if (rendered >= visible.length) return;
    var frag = document.createDocumentFragment();
    var end = Math.min(visible.length, rendered + CHUNK);
    for (var i = rendered; i < end; i++) frag.appendChild(testRow(visible[i]));
    rendered = end;
    listBody.appendChild(frag);
    sentinel.textContent = rendered < visible.length ?
      'showing ' + rendered + ' of ' + visible.length + ' — scroll for more' : '';
  }

  function testRow(t) {
    var tr = el('tr', 'test-row st-' + t.st);
    tr.tabIndex = 0;
    tr.dataset.k = t.k;
    tr.dataset.status = t.st;
    tr.dataset.testId = t.id;
    add(tr, add(el('td', 'c-status'), el('span', 'badge st-' + t.st, t.st)));
    var name = el('td', 'c-test');
    var short = t.cls && t.fn ? t.cls + '.' + t.fn : t.id;
    add(name, el('span', 'tname', short));
    var args = argsText(t);
    if (args) add(name, el('span', 'targs', args));
    if (t.run) add(name, el('span', 'trun', runText(t)));
    if ((t.st === 'FAIL' || t.st === 'OFAIL' || t.st === 'FLAKY') && t.m) add(name, el('div', 'terr', failureKey(t.m)));
    if (t.att) add(name, el('div', 'tatt', '--deflake: ' + t.att));
    if (t.q) add(name, el('div', 'tatt tquar', 'quarantined: ' + t.q));
    add(tr, name);
    add(tr, el('td', 'c-duration', t.st === 'IGNORE' && !t.d ? '–' : fmtDuration(t.d)));
    add(tr, el('td', 'c-start', t.s !== null && t0 !== null ? fmtOffset(t.s - t0) : '–'));
    add(tr, el('td', 'c-nodes', t.n.length ? t.n.join(', ') : (t.na ? t.na + ' allocated' : '')));
    rowOf.set(t.k, tr);
    return tr;
  }

  function onRowClick(ev) {
    if (ev.target.closest('a')) return;
    var tr = ev.target.closest('tr.test-row');
    if (!tr) return;
    var t = byKey.get(Number(tr.dataset.k));
    var open = tr.classList.contains('open');
    closeDetails();
    if (!open) {
      showDetails(t, tr);
      state.test = t.id;
    } else {
      state.test = '';
    }
    writeHash();
  }

  function closeDetails() {
    var old = listBody.querySelector('tr.details');
    if (old) old.remove();
    var row = listBody.querySelector('tr.test-row.open');
    if (row) row.classList.remove('open');
    highlightBars(null);
  }

  function openTestById(id, scroll) {
    var t = T.find(function (x) { return x.id === id; });
    if (!t) return;
    openTest(t, scroll);
  }

  function openTest(t, scroll) {
    var idx = visible.indexOf(t);
    if (idx < 0) {
      state.status = []; state.q = ''; state.err = ''; state.test = t.id;
      writeHash();
      applyState();
      return;
    }
    while (rendered <= idx) renderMore();
    var tr = rowOf.get(t.k);
    closeDetails();
    showDetails(t, tr);
    state.test = t.id;
    writeHash();
    if (scroll) tr.scrollIntoView({block: 'start'});
  }

  // ---------------------------------------------------------------- one test's details

  function showDetails(t, tr) {
    tr.classList.add('open');
    var row = el('tr', 'details');
    var cell = el('td');
    cell.colSpan = 5;
    add(row, add(cell, DT.testDetails(t)));
    tr.after(row);
    highlightBars(t.k);
  }
  // ---------------------------------------------------------------- timeline

  var drawn = null;
  function highlightBars(k) {
    if (drawn) drawn.highlight(k);
  }

  function renderTimeline(root) {
    drawn = DT.timeline(T, t0, t1, fmtOffset, function (k) { openTest(byKey.get(k), true); });
    add(root, drawn.section);
    var open = state.test && T.find(function (x) { return x.id === state.test; });
    if (open) highlightBars(open.k);
  }

  // ---------------------------------------------------------------- start

  function start() {
    var app = document.getElementById('app');
    readHash();
    renderHeader(app);
    renderSummary(app);
    add(app, DT.since(DATA.since, openTestById));
    var timelineSlot = el('div');
    var lanes = new Set();
    T.forEach(function (t) { t.n.forEach(function (n) { lanes.add(n); }); });
    timelineSlot.style.minHeight = lanes.size ? (lanes.size * 21 + 110) + 'px' : '';  // no jump when it lands
    add(app, timelineSlot);
    renderGroups(app);
    renderToolbar(app);
    applyState();
    var opened = state.test && listBody.querySelector('tr.test-row.open');
    if (opened && opened.getBoundingClientRect().top > window.innerHeight - 120) {
      opened.scrollIntoView({block: 'start'});
    }
    window.addEventListener('hashchange', function () { readHash(); applyState(); });
    document.addEventListener('keydown', function (ev) {
      if (ev.key === '/' && !/^(INPUT|SELECT|TEXTAREA)$/.test(ev.target.tagName)) {
        ev.preventDefault();
        searchBox.focus();
      }
    });
    performance.mark('ducktape-report-usable');
    window.ducktapeReportUsable = performance.now();
    document.body.dataset.ready = 'table';
    setTimeout(function () {
      renderTimeline(timelineSlot);
      timelineSlot.style.minHeight = '';
      document.body.dataset.ready = 'all';
      window.ducktapeReportComplete = performance.now();
    }, 0);
  }

  start();
})();
