/* Helpers shared by the session report and the results index: build DOM nodes (text only, never
   HTML) and format times. Exposed as the DT namespace. */
var DT = (function () {
  'use strict';

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function add(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var child = arguments[i];
      if (child !== null && child !== undefined) parent.appendChild(child);
    }
    return parent;
  }

  function fmtDuration(sec) {
    if (sec === null || sec === undefined) return '–';
    if (sec < 1) return (sec < 0.01 ? (sec * 1000).toFixed(1) : Math.round(sec * 1000)) + ' ms';
    if (sec < 60) return sec.toFixed(sec < 10 ? 2 : 1) + ' s';
    var m = Math.floor(sec / 60), s = Math.round(sec - m * 60);
    if (m < 60) return m + ' min ' + s + ' s';
    return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
  }

  function fmtDate(epoch) {
    if (!epoch) return '–';
    var d = new Date(epoch * 1000);
    function p(n) { return (n < 10 ? '0' : '') + n; }
    return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + ' ' +
      p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
  }

  function fileHref(path) {
    // Each segment is percent-encoded so names with '#', '?', ':' or spaces stay one relative path.
    return path.split('/').map(encodeURIComponent).join('/');
  }

  function groupSection(id, title) {
    // A "Failures by error" section: heading and an empty list for the groups.
    var sec = el('section', 'groups');
    sec.id = id;
    var list = el('ol', 'group-list');
    add(sec, el('h2', null, title), list);
    return {sec: sec, list: list};
  }

  function pretty(value) {
    try { return JSON.stringify(value, null, 2); } catch (e) { return String(value); }
  }

  return {el: el, add: add, fmtDuration: fmtDuration, fmtDate: fmtDate, fileHref: fileHref, pretty: pretty,
    groupSection: groupSection};
})();
