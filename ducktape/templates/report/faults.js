/* Faults in the report: bands on the timeline lanes of the nodes a fault touched, and a test's
   workload series (latency, throughput, any status series) drawn as inline SVG with the fault
   windows shaded. DT.faultBands(track, node, T, t0, span) and DT.faultCharts(t) -> element|null. */
(function () {
  'use strict';
  var el = DT.el, add = DT.add, fmtDuration = DT.fmtDuration;
  var SVG = 'http://www.w3.org/2000/svg';

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function applied(t) {  // faults that touched nodes, with an end (a fault cut short ends with the test)
    return (t.fl || []).filter(function (f) { return f.n && f.n.length && f.s !== null; }).map(function (f) {
      return {kind: f.kind, n: f.n, s: f.s, e: f.e !== null ? f.e : (t.e !== null ? t.e : f.s), task: f.task};
    });
  }

  function label(f) {
    return f.kind + ' on ' + f.n.join(', ') + ' for ' + fmtDuration(f.e - f.s) + (f.task ? ' (' + f.task + ')' : '');
  }

  DT.faultBands = function (track, node, T, t0, span) {
    T.forEach(function (t) {
      applied(t).forEach(function (f) {
        if (f.n.indexOf(node) < 0) return;
        var band = el('div', 'fault-band fault-' + f.kind);
        band.style.left = (100 * (f.s - t0) / span) + '%';
        band.style.width = Math.max(100 * (f.e - f.s) / span, 0.2) + '%';
        band.title = label(f);
        band.dataset.kind = f.kind;
        track.appendChild(band);
      });
    });
  };

  function chart(series, faults, t0, t1) {
    var W = 640, H = 150, L = 52, R = 10, T = 18, B = 22, w = W - L - R, h = H - T - B;
    var pts = series.points.filter(function (p) { return isFinite(p[0]) && isFinite(p[1]); });
    var vmax = Math.max.apply(null, pts.map(function (p) { return p[1]; }).concat([0])) || 1;
    var box = svg('svg', {viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, 'class': 'series-chart',
      role: 'img', 'aria-label': series.name});
    function x(t) { return L + w * (t - t0) / Math.max(t1 - t0, 0.001); }
    function y(v) { return T + h - h * v / vmax; }
    faults.forEach(function (f) {
      var rect = svg('rect', {x: x(f.s), y: T, width: Math.max(x(f.e) - x(f.s), 1), height: h,
        'class': 'fault-window fault-' + f.kind});
      add(rect, svg('title', {}, label(f)));
      box.appendChild(rect);
    });
    box.appendChild(svg('line', {x1: L, y1: T + h, x2: L + w, y2: T + h, 'class': 'axis'}));
    box.appendChild(svg('line', {x1: L, y1: T, x2: L, y2: T + h, 'class': 'axis'}));
    [0, vmax / 2, vmax].forEach(function (v) {
      box.appendChild(svg('text', {x: L - 4, y: y(v) + 4, 'text-anchor': 'end', 'class': 'tick'},
        v >= 100 ? Math.round(v) : +v.toFixed(1)));
    });
    box.appendChild(svg('text', {x: L, y: H - 6, 'class': 'tick'}, '0 s'));
    box.appendChild(svg('text', {x: L + w, y: H - 6, 'text-anchor': 'end', 'class': 'tick'},
      fmtDuration(t1 - t0)));
    box.appendChild(svg('text', {x: L, y: 12, 'class': 'series-title'},
      series.name + (series.unit ? ' (' + series.unit + ')' : '')));
    if (pts.length) {
      box.appendChild(svg('polyline', {'class': 'series-line', fill: 'none',
        points: pts.map(function (p) { return x(p[0]).toFixed(1) + ',' + y(p[1]).toFixed(1); }).join(' ')}));
      pts.forEach(function (p) {
        var dot = svg('circle', {cx: x(p[0]).toFixed(1), cy: y(p[1]).toFixed(1), r: 2, 'class': 'series-dot'});
        add(dot, svg('title', {}, (+p[1].toFixed(2)) + (series.unit ? ' ' + series.unit : '')));
        box.appendChild(dot);
      });
    }
    return box;
  }

  DT.faultCharts = function (t) {
    var faults = applied(t), series = t.sr || [];
    if (!faults.length && !series.length) return null;
    var sec = add(el('div', 'faults-box'), el('h3', null, 'faults and workload'));
    if (faults.length) {
      var list = el('ul', 'fault-list');
      faults.forEach(function (f) {
        add(list, add(el('li'), el('span', 'fault-chip fault-' + f.kind, f.kind),
          el('span', null, ' on ' + f.n.join(', ') + ' from +' + fmtDuration(f.s - (t.s || f.s)) +
            ' for ' + fmtDuration(f.e - f.s))));
      });
      add(sec, list);
    }
    var notes = (t.fl || []).filter(function (f) { return f.kind === 'schedule' && f.detail; });
    notes.forEach(function (f) {
      add(sec, el('p', 'muted', 'fault schedule seed ' + f.detail.seed + ' (replay with seed=' + f.detail.seed + ')'));
    });
    if (series.length) {
      var t0 = t.s, t1 = t.e;
      series.forEach(function (s) {
        s.points.forEach(function (p) { t0 = t0 === null ? p[0] : Math.min(t0, p[0]); t1 = t1 === null ? p[0] : Math.max(t1, p[0]); });
      });
      var charts = el('div', 'series-charts');
      series.forEach(function (s) { charts.appendChild(chart(s, faults, t0, t1)); });
      add(sec, charts, el('p', 'muted legend', 'Shaded: when a fault was applied. One point per second.'));
    }
    return sec;
  };
})();
