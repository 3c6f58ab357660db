/* One test's details, opened under its row: ids, times, parameters, the error laid out as a
   traceback, services and links to every file in the test's directory. Text only, via DT.el. */
DT.testDetails = (function () {
  'use strict';
  var el = DT.el, add = DT.add, fmtDuration = DT.fmtDuration, fmtDate = DT.fmtDate;
  var pretty = DT.pretty, fileHref = DT.fileHref;

  function testDetails(t) {
    var box = el('div', 'detail-box');
    add(box, add(el('div', 'full-id'), el('code', null, t.id)));
    if (t.desc) add(box, el('p', 'desc', t.desc));
    var facts = el('dl', 'facts small');
    function fact(label, value) {
      if (value === null || value === undefined || value === '') return;
      add(facts, add(el('div'), el('dt', null, label), el('dd', null, value)));
    }
    fact('status', t.st);
    fact('started', fmtDate(t.s));
    fact('finished', fmtDate(t.e));
    fact('duration', fmtDuration(t.d));
    fact('nodes', t.n.join(', '));
    fact('nodes used / allocated', t.nu !== null && t.nu !== undefined ? t.nu + ' / ' + t.na : '');
    add(box, facts);
    if (t.a && Object.keys(t.a).length) add(box, el('h3', null, 'parameters'), el('pre', 'json', pretty(t.a)));
    var failed = t.st === 'FAIL' || t.st === 'OFAIL' || t.st === 'FLAKY';
    if (t.m) add(box, el('h3', null, failed ? 'error' : 'summary'), failed ? traceback(t.m) : el('pre', 'summary', t.m));
    if (t.data !== null && t.data !== undefined) add(box, el('h3', null, 'data'), el('pre', 'json', pretty(t.data)));
    if (t.svc && t.svc.length) add(box, el('h3', null, 'services'), serviceList(t.svc));
    if (DT.faultCharts) add(box, DT.faultCharts(t));
    if (DT.historyChart) add(box, DT.historyChart(t));
    add(box, fileLinks(t));
    return box;
  }

  function serviceList(services) {
    var list = el('ul', 'service-list');
    services.forEach(function (svc) {
      if (!svc || typeof svc !== 'object') return add(list, el('li', null, String(svc)));
      var item = add(el('li'), el('code', 'svc-id', svc.service_id || svc.cls_name || 'service'));
      var bits = [];
      if (svc.cls_name) bits.push((svc.module_name ? svc.module_name + '.' : '') + svc.cls_name);
      if (Array.isArray(svc.nodes) && svc.nodes.length) bits.push('on ' + svc.nodes.join(', '));
      var life = svc.lifecycle || {};
      if (typeof life.start_duration_seconds === 'number') bits.push('start ' + fmtDuration(life.start_duration_seconds));
      if (typeof life.stop_duration_seconds === 'number') bits.push('stop ' + fmtDuration(life.stop_duration_seconds));
      if (bits.length) add(item, el('span', 'muted', ' ' + bits.join(' · ')));
      add(list, item);
    });
    return list;
  }

  function traceback(text) {
    var pre = el('pre', 'traceback');
    var lines = String(text).split('\n');
    lines.forEach(function (line, i) {
      var cls = 'tb-line';
      if (/^\s*File ".*", line \d+/.test(line)) cls = 'tb-frame';
      else if (/^\s{4,}\S/.test(line) && i > 0 && /^\s*File "/.test(lines[i - 1])) cls = 'tb-code';
      else if (i === 0 || (/^\S/.test(line) && !/^Traceback/.test(line) && !/^During handling/.test(line))) cls = 'tb-exc';
      add(pre, el('span', cls, line + '\n'));
    });
    return pre;
  }

  function fileLinks(t) {
    var box = el('div', 'files');
    if (t.dir === null || t.dir === undefined) {
      add(box, el('p', 'muted', 'no result directory recorded'));
      return box;
    }
    add(box, el('h3', null, 'files'));
    var main = el('ul', 'file-list');
    var dirLink = el('a', 'dir-link', t.dir + '/');
    dirLink.href = fileHref(t.dir) + '/';
    add(main, add(el('li'), dirLink));
    var services = new Map();
    var order = ['test_log.debug', 'test_log.info', 'report.txt', 'report.json', 'data.json'];
    var top = t.f.filter(function (f) { return f.indexOf('/') < 0; });
    top.sort(function (a, b) {
      var ia = order.indexOf(a), ib = order.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || (a < b ? -1 : 1);
    });
    top.forEach(function (f) { add(main, add(el('li'), link(t, f, f))); });
    t.f.forEach(function (f) {
      if (f.indexOf('/') < 0) return;
      var parts = f.split('/');
      var key = parts.length > 2 ? parts[0] + ' on ' + parts[1] : parts[0];
      if (!services.has(key)) services.set(key, []);
      services.get(key).push(f);
    });
    add(box, main);
    if (services.size) {
      add(box, el('h3', null, 'service logs'));
      var svc = el('ul', 'file-list service-logs');
      services.forEach(function (files, key) {
        var item = add(el('li'), el('span', 'svc-name', key));
        var inner = el('ul');
        files.forEach(function (f) {
          var parts = f.split('/');
          add(inner, add(el('li'), link(t, f, parts.slice(parts.length > 2 ? 2 : 1).join('/'))));
        });
        add(svc, add(item, inner));
      });
      add(box, svc);
    }
    return box;
  }

  function link(t, file, label) {
    var a = el('a', 'file-link', label);
    a.href = fileHref(t.dir + '/' + file);
    a.dataset.path = t.dir + '/' + file;
    return a;
  }

  return testDetails;
})();
