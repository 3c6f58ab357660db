"""The session report in real headless Chromium, loaded from file:// with nothing fetched."""
from __future__ import annotations

import itertools
import json
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from ducktape.tests.reporters.html_report import write_html_report
from ducktape.tests.signature import result_failure
from tests.support.report_factory import make_session
from tests.support.suites import run_ducktape, write_suite

PAYLOAD_ID = "evil.Test.test_x.<script>window.__pwned='id'</script>"
PAYLOAD_ARG = "<img src=x onerror=\"window.__pwned='arg'\">"
PAYLOAD_ERR = "ValueError(\"<script>window.__pwned='err'</script><img src=x onerror=window.__pwned='img'>\")"
ODD_ARG = "a b#c?d%e"


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """A 40-test session with failures, ignored tests, injected markup and an awkward directory name."""
    root = tmp_path_factory.mktemp("html")
    session_dir, report = make_session(root, 40, nodes=5, seed=7, extra=[
        {"test_id": PAYLOAD_ID, "status": "FAIL", "summary": PAYLOAD_ERR + "\nTraceback (most recent call last):"},
        {"args": {"p": PAYLOAD_ARG}, "status": "FAIL", "summary": PAYLOAD_ERR, "description": PAYLOAD_ARG},
        {"args": {"name": ODD_ARG}, "status": "PASS"},
        {"status": "IGNORE"},
    ])
    path = write_html_report(session_dir, report)
    return path, report


def _url(path: Path, hash_: str = "") -> str:
    return path.as_uri() + (("#" + hash_) if hash_ else "")


def _rows(page) -> list[str]:
    return page.eval("Array.from(document.querySelectorAll('#test-rows tr.test-row')).map(r => r.dataset.testId)")


def _search(page, text: str) -> None:
    page.eval(f"(() => {{ const s = document.querySelector('input.search'); s.value = {json.dumps(text)};"
              "s.dispatchEvent(new Event('input')); })()")
    page.wait_for(f"new URLSearchParams(location.hash.slice(1)).get('q') === {json.dumps(text) if text else 'null'}")


def test_loads_offline_with_only_the_file_itself_requested(page, session):
    path, report = session
    page.goto(_url(path))
    assert page.requests() == [_url(path)]
    assert page.console_errors() == []
    assert page.eval("document.querySelector('.sid').textContent") == report["session_context"]["session_id"]
    assert "ducktape --cluster-file" in page.eval("document.querySelector('.command code').textContent")


def test_summary_counts_match_report_json(page, session):
    path, report = session
    page.goto(_url(path))
    counts = page.eval("Object.fromEntries(Array.from(document.querySelectorAll('.tile')).map("
                       "t => [t.dataset.status, Number(t.querySelector('.count').textContent)]))")
    assert counts[""] == len(report["results"])
    assert counts["PASS"] == report["num_passed"]
    assert counts["FAIL"] == report["num_failed"]
    assert counts["IGNORE"] == report["num_ignored"]
    assert counts.get("FLAKY", 0) == report.get("num_flaky", 0)


def test_status_filter_and_search_change_the_rows(page, session):
    path, report = session
    page.goto(_url(path))
    assert sorted(_rows(page)) == sorted(r["test_id"] for r in report["results"])
    page.eval("document.querySelector('.tile[data-status=FAIL]').click()")
    assert sorted(_rows(page)) == sorted(r["test_id"] for r in report["results"] if r["test_status"] == "FAIL")
    page.eval("document.querySelector('.tile[data-status=FAIL]').click()")  # toggles back to all
    assert len(_rows(page)) == len(report["results"])
    _search(page, "SecurityTest")
    expected = [r["test_id"] for r in report["results"] if "SecurityTest" in r["test_id"]]
    assert expected and sorted(_rows(page)) == sorted(expected)
    _search(page, "finish startup")  # text that appears only in error messages
    expected = [r["test_id"] for r in report["results"] if "finish startup" in r["summary"]]
    assert expected and sorted(_rows(page)) == sorted(expected)
    _search(page, "no test has this text")
    assert _rows(page) == []
    assert page.eval("document.getElementById('shown-count').textContent").startswith("0 of ")


def test_sort_by_duration_and_the_hash_restores_the_view(chromium, page, session):
    path, report = session
    page.goto(_url(path))
    page.eval("(() => { const s = document.querySelector('select.sort'); s.value = 'duration';"
              "s.dispatchEvent(new Event('change')); document.querySelector('button.dir').click(); })()")
    page.eval("document.querySelector('.tile[data-status=PASS]').click()")
    passed = [r for r in report["results"] if r["test_status"] == "PASS"]
    by_duration = [r["test_id"] for r in sorted(passed, key=lambda r: -r["run_time_seconds"])]
    assert _rows(page) == by_duration
    hash_ = page.eval("location.hash.slice(1)")
    other = chromium.new_page()
    try:
        other.goto(_url(path, hash_))
        assert _rows(other) == by_duration
        assert other.eval("document.querySelector('select.sort').value") == "duration"
    finally:
        other.close()


def test_a_hand_written_status_link_is_read_leniently(chromium, session):
    path, report = session
    for hash_, expected in (("status=fail", [r for r in report["results"] if r["test_status"] == "FAIL"]),
                            ("status=all", report["results"])):  # not a status: everything, not nothing
        page = chromium.new_page()
        try:
            page.goto(_url(path, hash_))
            assert sorted(_rows(page)) == sorted(r["test_id"] for r in expected)
        finally:
            page.close()


def test_timeline_has_a_bar_per_node_held_by_each_test(page, session):
    path, report = session
    page.goto(_url(path))
    bars = page.eval("Array.from(document.querySelectorAll('#timeline .tl-row[data-node]')).flatMap("
                     "row => Array.from(row.querySelectorAll('.bar')).map(b => [row.dataset.node, Number(b.dataset.k),"
                     " b.className]))")
    expected = sorted((node, k) for k, r in enumerate(report["results"]) for node in r["nodes"])
    assert expected and sorted((node, k) for node, k, _ in bars) == expected
    for node, k, cls in bars:
        assert f"st-{report['results'][k]['test_status']}" in cls
    held = {k for k, r in enumerate(report["results"]) if r["nodes"]}
    assert {k for _, k, _ in bars} == held
    assert "held no nodes" in page.eval("document.querySelector('#timeline .legend').textContent")


def test_clicking_a_bar_opens_that_test(page, session):
    path, report = session
    page.goto(_url(path))
    k = next(k for k, r in enumerate(report["results"]) if r["test_status"] == "FAIL" and r["nodes"])
    page.eval(f"document.querySelector('.bar[data-k=\"{k}\"]').click()")
    assert page.eval("document.querySelector('tr.test-row.open').dataset.testId") == report["results"][k]["test_id"]
    assert page.eval("document.querySelectorAll('.bar.sel').length") == len(report["results"][k]["nodes"])


def test_log_links_resolve_to_existing_files(page, session):
    path, report = session
    page.goto(_url(path))
    hrefs = page.eval("""(() => {
        const out = {};
        for (const row of document.querySelectorAll('#test-rows tr.test-row')) {
          row.click();
          out[row.dataset.testId] = Array.from(document.querySelectorAll('tr.details a')).map(a => a.href);
        }
        return out; })()""")
    assert len(hrefs) == len(report["results"])
    for result in report["results"]:
        links = hrefs[result["test_id"]]
        paths = [Path(unquote(urlparse(h).path)) for h in links]
        assert all(p.exists() for p in paths), [p for p in paths if not p.exists()]
        test_dir = Path(result["results_dir"])
        assert test_dir in paths  # the directory link
        names = {p.relative_to(test_dir).as_posix() for p in paths if p != test_dir}
        on_disk = {p.relative_to(test_dir).as_posix() for p in test_dir.rglob("*") if p.is_file()}
        assert names == on_disk and "test_log.debug" in names and "test_log.info" in names
    odd = next(r for r in report["results"] if (r["injected_args"] or {}).get("name") == ODD_ARG)
    assert any(ODD_ARG in unquote(h) for h in hrefs[odd["test_id"]])


def test_failure_groups_count_tests_sharing_a_signature(page, session):
    path, report = session
    page.goto(_url(path))
    groups = page.eval("Array.from(document.querySelectorAll('#groups .group')).map("
                       "g => [g.dataset.err, Number(g.querySelector('.group-count').textContent)])")
    signature = {r["test_id"]: result_failure(r["summary"]).signature for r in report["results"]
                 if r["test_status"] == "FAIL"}
    expected: dict[str, int] = {}
    for sig in signature.values():
        expected[sig] = expected.get(sig, 0) + 1
    assert dict(groups) == expected
    assert [count for _, count in groups] == sorted(expected.values(), reverse=True)  # largest first
    biggest = groups[0][0]
    page.eval("document.querySelector('#groups .group .group-btn').click()")
    assert sorted(_rows(page)) == sorted(test_id for test_id, sig in signature.items() if sig == biggest)


def test_injected_markup_is_shown_as_text_and_never_runs(page, session):
    path, _ = session
    page.goto(_url(path))
    _search(page, "__pwned")  # every row carrying a payload, with its error line
    assert len(_rows(page)) == 2
    page.eval("""(() => { for (const row of document.querySelectorAll('#test-rows tr.test-row')) {
        row.click(); window.__seen = (window.__seen || '') + document.querySelector('tr.details').textContent; } })()""")
    page.eval("document.querySelector('#groups .group-btn').click()")
    page.wait_for("document.body.dataset.ready === 'all'")
    assert page.eval("window.__pwned === undefined")
    assert page.eval("document.querySelectorAll('img').length") == 0
    assert page.eval("document.querySelectorAll('script').length") == 2
    seen = page.eval("window.__seen")
    assert PAYLOAD_ID in seen and PAYLOAD_ARG in seen and PAYLOAD_ERR in seen
    assert PAYLOAD_ID in page.eval("document.body.textContent")
    assert page.console_errors() == []


def test_upstream_shaped_report_packs_tests_into_slots(page, tmp_path):
    session_dir, report = make_session(tmp_path, 30, nodes=4, seed=5, extra=[{"status": "IGNORE"}])
    for result in report["results"]:
        result.pop("nodes")  # upstream's report.json names no nodes
    page.goto(_url(write_html_report(session_dir, report)))
    lanes = page.eval("""Array.from(document.querySelectorAll('#timeline .tl-row[data-node]')).map(row =>
        Array.from(row.querySelectorAll('.bar')).map(b => Number(b.dataset.k)))""")
    held = [k for k, r in enumerate(report["results"]) if r["nodes_allocated"]]
    per_test = {k: sum(lane.count(k) for lane in lanes) for k in held}
    assert per_test == {k: report["results"][k]["nodes_allocated"] for k in held}
    for lane in lanes:  # no slot holds two tests at once
        spans = sorted((report["results"][k]["start_time"], report["results"][k]["stop_time"]) for k in lane)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert "slot" in page.eval("document.querySelector('#timeline .legend').textContent")


def test_report_written_by_a_real_run(page, suite_dir):
    """Our runner on a small suite (one failing, one passing, one ignored test) feeds this report."""
    write_suite(suite_dir, {"demo/test_demo.py": '''
        from ducktape.mark import ignore, parametrize
        from ducktape.mark.resource import cluster
        from ducktape.tests.test import Test


        class DemoTest(Test):
            @cluster(num_nodes=1)
            @parametrize(word="<b>bold</b>")
            def test_word(self, word):
                self.logger.info("word %s", word)
                raise RuntimeError("no such word: " + word)

            @cluster(num_nodes=2)
            def test_ok(self):
                return {"fine": True}

            @ignore
            @cluster(num_nodes=1)
            def test_skipped(self):
                pass
        '''})
    proc = run_ducktape(["--max-parallel", "2", "demo"], cwd=suite_dir)
    session = suite_dir / "results" / "latest"
    assert (session / "report.html").exists(), proc.stdout + proc.stderr
    report = json.loads((session / "report.json").read_text())
    page.goto(_url((session / "report.html").resolve()))
    assert page.requests() == [_url((session / "report.html").resolve())]
    counts = page.eval("Object.fromEntries(Array.from(document.querySelectorAll('.tile')).map("
                       "t => [t.dataset.status, Number(t.querySelector('.count').textContent)]))")
    assert (counts["PASS"], counts["FAIL"], counts["IGNORE"]) == (1, 1, 1)
    assert page.eval("document.querySelectorAll('#timeline .bar').length") == sum(
        len(r.get("nodes") or []) for r in report["results"])
    page.eval("document.querySelector('tr.test-row[data-status=FAIL]').click()")
    assert "RuntimeError" in page.eval("document.querySelector('tr.details .traceback').textContent")
    hrefs = page.eval("Array.from(document.querySelectorAll('tr.details a.file-link')).map(a => a.href)")
    names = {Path(unquote(urlparse(h).path)).name for h in hrefs}
    assert {"test_log.debug", "test_log.info", "report.json"} <= names
    assert all(Path(unquote(urlparse(h).path)).is_file() for h in hrefs)
    assert page.eval("document.querySelectorAll('b').length") == 0
    assert (suite_dir / "results" / "index.html").exists()
