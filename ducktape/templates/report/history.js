/* A test's recorded operation history (report.json "history", see ducktape/tests/history_view.py): one
   lane per client process, each operation a bar from invoke to completion coloured by outcome
   (ok, fail, info = unknown), fault windows as bands across the lanes, and a checker's anomaly
   outlined, with a second chart zoomed on it. DT.historyChart(t) -> element|null. */
(function () {
  'use strict';
  var el = DT.el, add = DT.add, fmtDuration = DT.fmtDuration;
  var SVG = 'http://www.w3.org/2000/svg';
  var LANE = 18, LABEL = 74, CHAR = 6.2, RIGHT = 12, TOP = 8, AXIS = 22, WIDTH = 960;
  var F = {lane: 0, f: 1, key: 2, value: 3, s: 4, e: 5, type: 6, mark: 7};
  var MARKS = {1: ' op-window', 2: ' op-anomaly', 3: ' op-writer'};

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function faultWindows(t) {
    return (t.fl || []).filter(function (f) { return f.s !== null && f.kind !== 'schedule'; }).map(function (f) {
      return {kind: f.kind, n: f.n || [], s: f.s, e: f.e !== null ? f.e : (t.e !== null ? t.e : f.s)};
    });
  }

  function describe(op, h) {
    var what = op[F.f] + (op[F.key] !== null ? ' ' + op[F.key] : '') +
      (op[F.value] ? (op[F.f] === 'read' ? ' -> ' : ' ') + op[F.value] : '');
    var took = op[F.e] !== null ? fmtDuration(op[F.e] - op[F.s]) : 'no completion';
    return 'process ' + h.lanes[op[F.lane]] + ': ' + what + ' [' + op[F.type] + ', ' + took + ']';
  }

  function chart(h, faults, t0, t1, title) {
    // wide enough for the longest lane name (Trogdor ids name task/node/client), within reason
    var longest = Math.max.apply(null, h.lanes.map(function (n) { return String(n).length; }).concat([0]));
    var label = Math.min(Math.max(LABEL, 16 + CHAR * (2 + longest)), 360);
    var lanes = h.lanes.length, w = WIDTH - label - RIGHT, H = TOP + lanes * LANE + AXIS;
    var span = Math.max(t1 - t0, 1e-6);
    function x(t) { return label + w * (Math.min(Math.max(t, t0), t1) - t0) / span; }
    var box = svg('svg', {viewBox: '0 0 ' + WIDTH + ' ' + H, width: WIDTH, height: H, 'class': 'history-chart',
      role: 'img', 'aria-label': title});
    h.lanes.forEach(function (name, i) {
      var y = TOP + i * LANE;
      box.appendChild(svg('rect', {x: label, y: y, width: w, height: LANE, 'class': 'lane lane-' + (i % 2)}));
      box.appendChild(svg('text', {x: label - 6, y: y + LANE - 5, 'text-anchor': 'end', 'class': 'lane-name'},
        'p ' + name));
    });
    faults.forEach(function (f) {
      if (f.e < t0 || f.s > t1) return;
      var band = svg('rect', {x: x(f.s), y: TOP, width: Math.max(x(f.e) - x(f.s), 2), height: lanes * LANE,
        'class': 'hist-fault fault-' + f.kind});
      add(band, svg('title', {}, f.kind + (f.n.length ? ' on ' + f.n.join(', ') : '') + ' for ' + fmtDuration(f.e - f.s)));
      box.appendChild(band);
    });
    h.ops.forEach(function (op) {
      var end = op[F.e] !== null ? op[F.e] : t1;
      if (end < t0 || op[F.s] > t1) return;
      var x0 = x(op[F.s]), x1 = x(end);
      var bar = svg('rect', {x: x0, y: TOP + op[F.lane] * LANE + 3, width: Math.max(x1 - x0, 1.5), height: LANE - 6,
        'class': 'hist-op op-' + op[F.type] + (MARKS[op[F.mark]] || '')});
      bar.dataset.mark = op[F.mark];
      add(bar, svg('title', {}, describe(op, h)));
      box.appendChild(bar);
      if (op[F.mark] && x1 - x0 > 30) {
        box.appendChild(svg('text', {x: x0 + 3, y: TOP + op[F.lane] * LANE + LANE - 6, 'class': 'op-label'},
          op[F.f] + ' ' + op[F.value]));
      }
    });
    var yAxis = TOP + lanes * LANE;
    box.appendChild(svg('line', {x1: label, y1: yAxis, x2: label + w, y2: yAxis, 'class': 'axis'}));
    box.appendChild(svg('text', {x: label, y: yAxis + 15, 'class': 'tick'}, title));
    box.appendChild(svg('text', {x: label + w, y: yAxis + 15, 'text-anchor': 'end', 'class': 'tick'},
      fmtDuration(span)));
    return box;
  }

  function anomalyBox(check) {
    var box = add(el('div', 'anomaly'), el('p', 'anomaly-summary', check.summary || 'not valid'));
    if (check.states) {
      add(box, el('p', null, 'possible state(s) of key ' + JSON.stringify(check.key) + ' just before: ' +
        check.states.map(function (s) { return JSON.stringify(s); }).join(', ')));
    }
    var list = el('ul', 'anomaly-ops');
    (check.writers || []).forEach(function (op) {
      add(list, el('li', 'writer', 'process ' + op.process + ': ' + op.f + ' ' + JSON.stringify(op.value) +
        ' (' + op.type + ') · the last write of a state before it'));
    });
    function line(op, cls, note) {
      add(list, el('li', cls, 'process ' + op.process + ': ' + op.f + ' ' + JSON.stringify(op.value) +
        ' (' + op.type + ')' + note));
    }
    (check.window || []).forEach(function (op) {
      var culprit = check.op && op.process === check.op.process && op.start === check.op.start;
      line(op, culprit ? 'culprit' : null, culprit ? ' \u2190 cannot be linearized' : ' \u00b7 pending beside it');
    });
    if (!(check.window || []).length && check.op) line(check.op, 'culprit', ' \u2190 the read that shows it');
    (check.errors || []).forEach(function (e) {
      if (e.op) line(e.op, 'culprit', ' \u2190 outside ' + e.lower + '..' + e.upper);
    });
    return add(box, list);
  }

  DT.historyChart = function (t) {
    var h = t.hi;
    if (!h) return null;
    var sec = add(el('div', 'history-box'), el('h3', null, 'operation history'));
    if (h.error) return add(sec, el('p', 'muted', 'history not drawn: ' + h.error));
    var t0 = Infinity, t1 = -Infinity;
    h.ops.forEach(function (op) {
      t0 = Math.min(t0, op[F.s]);
      t1 = Math.max(t1, op[F.e] !== null ? op[F.e] : op[F.s]);
    });
    var faults = h.aligned ? faultWindows(t) : [];
    var check = h.check;
    var counts = h.n + ' operations by ' + h.lanes.length + ' processes' +
      (h.ops.length < h.n ? ' (' + h.ops.length + ' drawn, the cap; nearest the anomaly if any)' : '');
    add(sec, el('p', 'muted', counts + (check ? ' · checker ' + (check.checker || '') + ': ' +
      (check.valid === true ? 'valid' : check.valid === false ? 'INVALID' : 'undecided') : '')));
    if (check && check.valid === false) add(sec, anomalyBox(check));
    add(sec, chart(h, faults, t0, t1, 'whole history'));
    var marked = h.ops.filter(function (op) { return op[F.mark]; });
    if (marked.length) {
      var a = Infinity, b = -Infinity;
      marked.forEach(function (op) { a = Math.min(a, op[F.s]); b = Math.max(b, op[F.e] !== null ? op[F.e] : op[F.s]); });
      var pad = Math.max((b - a) * 0.5, 0.005);
      add(sec, chart(h, faults, a - pad, Math.min(b + pad, t1 + pad), 'around the anomaly'));
    }
    return add(sec, el('p', 'muted legend', 'Bars: green ok, red fail, grey info (outcome unknown, may have ' +
      'happened); outlined: the anomaly\u2019s window, thick red: the operation that cannot be linearized, blue: the last write of ' +
      'a state it could have followed.' +
      (h.aligned ? ' Shaded: faults.' : ' (no wall clock recorded: faults not placed)')));
  };
})();
