/* The timeline: one lane per node (per cluster and node in a merged session), one bar per test from its start to its end, coloured by status.
   DT.timeline(tests, t0, t1, fmtOffset, onPick) returns {section, highlight(k)}. */
DT.timeline = (function () {
  'use strict';
  var el = DT.el, add = DT.add, fmtDuration = DT.fmtDuration;

  function lanesFromNodes(T) {
    // In a merged session (t.sh: the shard, i.e. the cluster a test ran on) node names repeat across
    // clusters, so a lane is a (shard, node) pair and lanes are grouped by shard.
    var index = new Map();
    function key(t, n) { return (t.sh || '') + '\u0000' + n; }
    T.forEach(function (t) {
      t.n.forEach(function (n) {
        if (!index.has(key(t, n))) index.set(key(t, n), {name: n, group: t.sh || '', tests: []});
        if (t.s !== null) index.get(key(t, n)).tests.push(t);
      });
    });
    return Array.from(index.values()).sort(function (a, b) {
      return a.group.localeCompare(b.group, undefined, {numeric: true}) ||
        a.name.localeCompare(b.name, undefined, {numeric: true});
    });
  }

  function lanesPacked(T) {
    // Node names were not recorded (e.g. an upstream report): pack tests into slots by nodes allocated.
    var slots = [];
    T.filter(function (t) { return t.s !== null && t.na; })
      .sort(function (a, b) { return a.s - b.s; })
      .forEach(function (t) {
        var need = t.na, end = t.e !== null ? t.e : t.s;
        for (var i = 0; i < slots.length && need; i++) {
          if (slots[i].free <= t.s) { slots[i].free = end; slots[i].tests.push(t); need--; }
        }
        while (need--) slots.push({name: 'slot ' + (slots.length + 1), free: end, tests: [t]});
      });
    return slots;
  }

  function niceStep(span) {
    var steps = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
      14400];
    for (var i = 0; i < steps.length; i++) if (span / steps[i] <= 10) return steps[i];
    return 28800;
  }

  function timeline(T, t0, t1, fmtOffset, onPick) {
    var barsOf = new Map(), lit = [];
    var hasNodes = T.some(function (t) { return t.n.length; });
    var lanes = hasNodes ? lanesFromNodes(T) : lanesPacked(T);
    var sec = el('section', 'timeline');
    sec.id = 'timeline';
    add(sec, el('h2', null, 'Timeline'));
    if (!lanes.length || t0 === null || t1 === null) {
      add(sec, el('p', 'muted', 'No test held nodes, so there is nothing to draw.'));
      return {section: sec, highlight: function () {}};
    }
    var span = Math.max(t1 - t0, 0.001);
    var grid = el('div', 'tl-grid');
    var axis = add(el('div', 'tl-row tl-axis'), el('div', 'tl-label', hasNodes ? 'node' : 'slot'));
    var ticks = el('div', 'tl-lane');
    var step = niceStep(span);
    for (var i = 0; i * step <= span; i++) {
      var x = i * step;
      var tick = el('span', 'tl-tick' + (x / span > 0.94 ? ' tl-tick-end' : ''), fmtOffset(x));
      tick.style.left = (100 * x / span) + '%';
      add(ticks, tick);
    }
    add(grid, add(axis, ticks));
    var frag = document.createDocumentFragment();
    var grouped = lanes.some(function (l) { return l.group; }), group = null;
    lanes.forEach(function (lane) {
      if (grouped && lane.group !== group) {
        group = lane.group;
        var head = add(el('div', 'tl-row tl-group'), el('div', 'tl-label', 'cluster ' + (group || '(none)')));
        head.dataset.group = group;
        frag.appendChild(head);
      }
      var row = add(el('div', 'tl-row'), el('div', 'tl-label', lane.name));
      row.dataset.node = lane.name;
      if (grouped) row.dataset.group = lane.group;
      var track = el('div', 'tl-lane');
      lane.tests.forEach(function (t) {
        var end = t.e !== null ? t.e : t.s;
        var bar = el('div', 'bar st-' + t.st);
        bar.style.left = (100 * (t.s - t0) / span) + '%';
        bar.style.width = (100 * (end - t.s) / span) + '%';
        bar.dataset.k = t.k;
        bar.title = t.id + '\n' + t.st + ' · ' + fmtDuration(t.d) + ' · ' + fmtOffset(t.s - t0);
        if (!barsOf.has(t.k)) barsOf.set(t.k, []);
        barsOf.get(t.k).push(bar);
        track.appendChild(bar);
      });
      if (hasNodes && DT.faultBands) {
        DT.faultBands(track, lane.name, grouped ? T.filter(function (t) { return (t.sh || '') === lane.group; }) : T,
          t0, span);
      }
      frag.appendChild(add(row, track));
    });
    grid.appendChild(frag);
    grid.addEventListener('click', function (ev) {
      var bar = ev.target.closest('.bar');
      if (bar) onPick(Number(bar.dataset.k));
    });
    var idle = T.filter(function (t) { return !t.n.length && !(!hasNodes && t.na && t.s !== null); }).length;
    add(sec, grid);
    var legend = el('p', 'muted legend');
    legend.textContent = 'One lane per ' + (hasNodes ? 'node' : 'node slot (node names were not recorded)') +
      (grouped ? ', grouped by the cluster (merged session) it belongs to' : '') +
      ', one bar per test from start to end; click a bar to open the test.' +
      (idle ? ' ' + idle + ' test(s) held no nodes (ignored or not run) and have no bar.' : '') +
      (T.some(function (t) { return t.fl && t.fl.length; }) ? ' Hatched bands: faults applied to that node' +
        ' (listed in the test\'s details).' : '');
    add(sec, legend);
    function highlight(k) {  // outline the bars of test k (null: none)
      lit.forEach(function (b) { b.classList.remove('sel'); });
      lit = k === null ? [] : (barsOf.get(k) || []);
      lit.forEach(function (b) { b.classList.add('sel'); });
    }
    return {section: sec, highlight: highlight};
  }

  return timeline;
})();
