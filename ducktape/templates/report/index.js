/* ducktape results index: every session under the results root, and each test's status across the
   most recent sessions. DOM APIs only; text from tests never goes through an HTML parser. */
(function () {
  'use strict';

  var DATA = JSON.parse(document.getElementById('report-data').textContent);
  var SESSIONS = DATA.sessions;               // newest first
  var RECENT = SESSIONS.slice(0, DATA.recent).reverse();  // oldest → newest, left → right
  var IDS = DATA.test_ids;                    // statuses[i] of a recent session is for IDS[i]
  var FLAKY = DATA.flaky || {};               // test id -> suite version it both passed and failed on
  var CHUNK = 150;

  var el = DT.el, add = DT.add, fmtDuration = DT.fmtDuration, fmtDate = DT.fmtDate;

  function reportHref(session, hash) {
    return encodeURIComponent(session.dir) + '/report.html' + (hash ? '#' + hash : '');
  }

  function renderSessions(root) {
    var sec = el('section', 'sessions');
    sec.id = 'sessions';
    add(sec, el('h2', null, 'Sessions (' + SESSIONS.length + ')'));
    if (!SESSIONS.length) {
      add(sec, el('p', 'muted', 'No session with a report.json was found here.'));
      return add(root, sec);
    }
    var table = el('table', 'sessions-table');
    var hr = el('tr');
    ['session', 'started', 'duration', 'tests', 'passed', 'failed', 'flaky', 'ignored'].forEach(function (h) {
      add(hr, el('th', null, h));
    });
    add(table, add(el('thead'), hr));
    var body = el('tbody');
    SESSIONS.forEach(function (s) {
      var tr = el('tr', 'session-row');
      tr.dataset.session = s.dir;
      var a = el('a', null, s.id);
      a.href = reportHref(s);
      var c = s.counts;
      var total = s.total;
      var cell = add(el('td'), a);
      if (s.incomplete) {
        tr.classList.add('incomplete');
        var mark = el('span', 'incomplete-mark', 'incomplete');
        mark.title = s.incomplete;
        add(cell, mark);
      }
      add(tr, cell, el('td', null, fmtDate(s.start)), el('td', 'num', fmtDuration(s.duration)),
        el('td', 'num', total), el('td', 'num c-pass', (c.PASS || 0) + (c.OPASS || 0)),
        el('td', 'num c-fail' + (c.FAIL ? ' n-fail' : ''), (c.FAIL || 0) + (c.OFAIL || 0)),
        el('td', 'num c-flaky', c.FLAKY || 0), el('td', 'num c-ignore', c.IGNORE || 0));
      add(body, tr);
    });
    add(sec, add(table, body));
    add(root, sec);
  }

  function classify(id, i) {
    var seen = RECENT.map(function (s) { return s.statuses[i] || null; });
    var ran = seen.filter(function (st) { return st && st !== 'IGNORE'; });
    var last = ran.length ? ran[ran.length - 1] : null;
    var failed = ran.some(function (st) { return st === 'FAIL'; });
    var passed = ran.some(function (st) { return st === 'PASS' || st === 'FLAKY'; });
    var tag = null;
    // With suite versions recorded, pass and fail must share one version to make a test flaky.
    var versioned = RECENT.every(function (s) { return s.suite; });
    if (FLAKY[id] || ran.indexOf('FLAKY') >= 0) tag = 'flaky';
    else if (last === 'FAIL' && ran.length > 1 && ran[ran.length - 2] !== 'FAIL') tag = 'regression';
    else if (!versioned && failed && passed) tag = 'flaky';
    else if (last === 'FAIL') tag = 'failing';
    return {id: id, seen: seen, tag: tag};
  }

  var RANK = {regression: 0, failing: 1, flaky: 2};

  function renderSignatures(root) {
    // Each failure signature across sessions: "seen in 7 tests over 4 sessions since ...".
    var sigs = DATA.signatures || [];
    if (!sigs.length) return;
    var box = DT.groupSection('signatures', 'Failures by error, across sessions (' + sigs.length + ')');
    sigs.forEach(function (g) {
      var item = el('li', 'group');
      item.dataset.sig = g.sig;
      var link = el('a', 'group-btn');
      link.href = encodeURIComponent(g.last_dir) + '/report.html#err=' + encodeURIComponent(g.sig);
      add(link, el('span', 'group-count', g.tests), el('code', 'group-line', g.sig));
      var seen = 'seen in ' + g.tests + ' test' + (g.tests === 1 ? '' : 's') + ' over ' + g.sessions +
        ' session' + (g.sessions === 1 ? '' : 's') + ' since ' + fmtDate(g.since) + ', last ' + fmtDate(g.last);
      add(item, link, el('div', 'group-tests seen', seen));
      add(box.list, item);
    });
    add(root, box.sec);
  }

  function renderMatrix(root) {
    var rows = IDS.map(classify).sort(function (a, b) {
      var ra = a.tag ? RANK[a.tag] : 9, rb = b.tag ? RANK[b.tag] : 9;
      return ra - rb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    });
    var sec = el('section', 'history');
    sec.id = 'history';
    add(sec, el('h2', null, 'Test history (last ' + RECENT.length + ' sessions, oldest on the left)'));
    var bar = el('div', 'toolbar');
    var search = el('input', 'search');
    search.type = 'search';
    search.placeholder = 'Filter test ids…';
    var onlyBtn = el('button', 'dir', 'only changing or failing');
    onlyBtn.type = 'button';
    var shown = el('span', 'shown');
    add(bar, search, onlyBtn, shown);
    var table = el('table', 'matrix');
    var body = el('tbody');
    body.id = 'history-rows';
    var sentinel = el('div', 'sentinel');
    add(sec, bar, add(table, body), sentinel);
    add(root, sec);

    var onlyTagged = false, visible = rows, done = 0;
    function more() {
      var frag = document.createDocumentFragment();
      var end = Math.min(visible.length, done + CHUNK);
      for (var i = done; i < end; i++) frag.appendChild(row(visible[i]));
      done = end;
      body.appendChild(frag);
      sentinel.textContent = done < visible.length ? 'showing ' + done + ' of ' + visible.length + ' — scroll for more' : '';
    }
    function apply() {
      var q = search.value.trim().toLowerCase();
      visible = rows.filter(function (r) {
        return (!onlyTagged || r.tag) && (!q || r.id.toLowerCase().indexOf(q) >= 0);
      });
      body.textContent = '';
      done = 0;
      more();
      shown.textContent = visible.length + ' of ' + rows.length + ' tests';
      onlyBtn.classList.toggle('active', onlyTagged);
    }
    search.addEventListener('input', apply);
    onlyBtn.addEventListener('click', function () { onlyTagged = !onlyTagged; apply(); });
    new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) more();
    }, {rootMargin: '800px'}).observe(sentinel);
    apply();
  }

  function row(r) {
    var tr = el('tr', 'history-row');
    tr.dataset.testId = r.id;
    if (r.tag) tr.dataset.tag = r.tag;
    var name = add(el('td', 'mid'), el('span', null, r.id));
    if (r.tag) {
      var tag = el('span', 'tag ' + r.tag, r.tag === 'regression' ? 'new failure' : r.tag);
      if (FLAKY[r.id]) tag.title = 'passed and failed on suite version ' + FLAKY[r.id];
      add(name, tag);
    }
    var cells = el('div', 'cells');
    r.seen.forEach(function (st, i) {
      var s = RECENT[i];
      var cell = el(st ? 'a' : 'span', 'cell' + (st ? ' st-' + st : ''));
      cell.title = s.id + ': ' + (st || 'not run');
      if (st) {
        cell.href = reportHref(s, 'test=' + encodeURIComponent(r.id));
        cell.dataset.status = st;
      }
      add(cells, cell);
    });
    return add(tr, add(el('td'), cells), name);
  }

  var app = document.getElementById('app');
  var head = add(el('header', 'session'), add(el('h1'), el('span', 'brand', 'ducktape'), el('span', null, 'results')));
  add(head, el('p', 'muted', DATA.root));
  add(app, head);
  renderSessions(app);
  renderSignatures(app);
  renderMatrix(app);
  performance.mark('ducktape-index-usable');
  document.body.dataset.ready = 'all';
})();
