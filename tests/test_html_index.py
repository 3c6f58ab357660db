"""results/index.html in real headless Chromium: sessions with counts, and each test's history."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from ducktape.tests.reporters.html_report import write_html_report, write_results_index
from tests.support.report_factory import make_session

HISTORY = {  # test id -> status in sessions 1, 2, 3 (oldest first)
    "suite.T.test_regressed": ["PASS", "PASS", "FAIL"],
    "suite.T.test_flapping": ["PASS", "FAIL", "PASS"],
    "suite.T.test_steady": ["PASS", "PASS", "PASS"],
    "suite.T.test_broken": ["FAIL", "FAIL", "FAIL"],
    "suite.T.<img src=x onerror=window.__pwned=1>": ["PASS", "IGNORE", "PASS"],
}


@pytest.fixture(scope="module")
def results_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("results")
    for n in range(3):
        extra = [{"test_id": tid, "status": statuses[n]} for tid, statuses in HISTORY.items()]
        session_dir, report = make_session(root, 0, nodes=3, seed=n, session_id=f"2026-11-2{n}--001",
                                           start=1_795_000_000.0 + n * 86_400, extra=extra)
        write_html_report(session_dir, report)
    (root / "latest").symlink_to(root / "2026-11-22--001")
    return write_results_index(root)


def _history(page) -> dict:
    return page.eval("""Object.fromEntries(Array.from(document.querySelectorAll('#history-rows tr')).map(r =>
        [r.dataset.testId, {tag: r.dataset.tag || null,
                            cells: Array.from(r.querySelectorAll('.cell')).map(c => c.dataset.status || null)}]))""")


def test_sessions_listed_newest_first_with_counts(page, results_root):
    page.goto(results_root.as_uri())
    assert page.requests() == [results_root.as_uri()]
    rows = page.eval("""Array.from(document.querySelectorAll('tr.session-row')).map(r => [r.dataset.session,
        Number(r.querySelector('.c-pass').textContent), Number(r.querySelector('.c-fail').textContent)])""")
    expected = []
    for n in (2, 1, 0):
        statuses = [s[n] for s in HISTORY.values()]
        expected.append([f"2026-11-2{n}--001", statuses.count("PASS"), statuses.count("FAIL")])
    assert rows == expected


def test_history_shows_each_status_and_flags_regressions_and_flaky_tests(page, results_root):
    page.goto(results_root.as_uri())
    history = _history(page)
    assert set(history) == set(HISTORY)
    for tid, statuses in HISTORY.items():
        assert history[tid]["cells"] == statuses
    assert history["suite.T.test_regressed"]["tag"] == "regression"
    assert history["suite.T.test_flapping"]["tag"] == "flaky"
    assert history["suite.T.test_broken"]["tag"] == "failing"
    assert history["suite.T.test_steady"]["tag"] is None
    order = page.eval("Array.from(document.querySelectorAll('#history-rows tr')).map(r => r.dataset.testId)")
    assert order[:3] == ["suite.T.test_regressed", "suite.T.test_broken", "suite.T.test_flapping"]
    page.eval("document.querySelector('#history button.dir').click()")  # only changing or failing
    assert set(_history(page)) == {"suite.T.test_regressed", "suite.T.test_flapping", "suite.T.test_broken"}
    assert page.eval("window.__pwned === undefined")
    assert page.eval("document.querySelectorAll('img').length") == 0


def test_history_cells_link_to_that_session_report_opening_the_test(chromium, page, results_root):
    page.goto(results_root.as_uri())
    href = page.eval("document.querySelector('#history-rows tr[data-test-id=\"suite.T.test_regressed\"] "
                     "a.cell:last-child').href")
    target = Path(unquote(urlparse(href).path))
    assert target == results_root.parent / "2026-11-22--001" / "report.html" and target.exists()
    page.goto(href)
    assert page.eval("document.querySelector('tr.test-row.open').dataset.testId") == "suite.T.test_regressed"
    assert page.eval("document.querySelector('tr.details .traceback') !== null")
