/* "Since last run": this session compared with the previous one of its results root (newly failing,
   fixed, still failing, flaky, new, gone, slower). DT.since(since, openTest) -> section element or null;
   openTest(testId, scroll) opens a test of this report. */
DT.since = (function () {
  'use strict';
  var el = DT.el, add = DT.add, fmtDuration = DT.fmtDuration;
  var CATEGORIES = [['newly_failing', 'newly failing'], ['fixed', 'fixed'], ['still_failing', 'still failing'],
    ['flaky', 'flaky'], ['new', 'new'], ['gone', 'gone'], ['slower', 'slower']];

  function line(name, c, openTest) {
    var item = el('li', 'since-test');
    item.dataset.testId = c.test_id;
    var id = el(name === 'gone' ? 'span' : 'a', 'since-id', c.test_id);
    if (name !== 'gone') {
      id.href = '#';
      id.addEventListener('click', function (ev) { ev.preventDefault(); openTest(c.test_id, true); });
    }
    var what = name === 'slower' ? fmtDuration(c.base_seconds) + ' → ' + fmtDuration(c.new_seconds)
      : (c.base || '–') + ' → ' + (c.new || '–');
    add(item, id, el('span', 'muted', ' ' + what));
    if (name === 'still_failing' && c.same_signature != null) {
      var sig = el('span', 'since-sig', c.same_signature ? ' same signature' : ' new signature');
      sig.dataset.same = String(c.same_signature);
      if (!c.same_signature) sig.title = 'was: ' + c.base_error;
      add(item, sig);
    }
    if (c.error && name !== 'fixed') add(item, el('div', 'since-error', c.error));
    return item;
  }

  return function since(S, openTest) {
    if (!S) return null;
    var sec = el('section', 'since');
    sec.id = 'since';
    add(sec, el('h2', null, 'Since last run'));
    var base = el('p', 'muted');
    var link = el('a', null, S.base_session.session_id);
    link.href = DT.fileHref(S.base_session.dir) + '/report.html';
    add(base, document.createTextNode('Compared with '), link,
      document.createTextNode(' (' + S.base_session.tests + ' tests; this session ' + S.new_session.tests + ').'));
    add(sec, base);
    var counts = el('p', 'since-counts');
    counts.textContent = CATEGORIES.map(function (c) { return S.counts[c[0]] + ' ' + c[1]; }).join(' · ');
    add(sec, counts);
    CATEGORIES.forEach(function (c) {
      var changes = S[c[0]] || [];
      if (!changes.length) return;
      var block = el('div', 'since-cat');
      block.dataset.category = c[0];
      var more = S.counts[c[0]] > changes.length ? ' (first ' + changes.length + ')' : '';
      add(block, el('h3', null, c[1] + ' (' + S.counts[c[0]] + ')' + more));
      var list = el('ul', 'since-list');
      changes.forEach(function (change) { add(list, line(c[0], change, openTest)); });
      add(sec, add(block, list));
    });
    return sec;
  };
})();
