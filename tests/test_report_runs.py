"""Reports of repeated and deflaked runs, the recorded command line, the index's counts, and what
``ducktape-report rebuild`` keeps (issue 15, item 8). HTML is checked in headless Chromium."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.suites import run_ducktape, write_suite

SUITE = {"rep/test_rep.py": """
    import os
    from ducktape.mark import parametrize
    from ducktape.mark.resource import cluster
    from ducktape.tests.test import Test

    class RepTest(Test):
        @cluster(num_nodes=1)
        def test_fails(self):
            raise AssertionError("always broken")

        @cluster(num_nodes=1)
        @parametrize(zeta=2, alpha=1)
        def test_flaky(self, zeta, alpha):
            marker = os.path.join(os.path.dirname(__file__), "seen-%d" % self.test_context.test_index)
            if not os.path.exists(marker):
                open(marker, "w").close()
                raise ValueError("first attempt fails")

        @cluster(num_nodes=1)
        def test_ok(self):
            pass
    """}
ARGS = ["rep", "--repeat", "3", "--deflake", "2"]


@pytest.fixture(scope="module")
def repeated(tmp_path_factory):
    work = tmp_path_factory.mktemp("runs")
    write_suite(work, SUITE)
    proc = run_ducktape(ARGS, cwd=work)
    session = (work / "results" / "latest").resolve()
    assert (session / "report.html").exists(), proc.stdout + proc.stderr
    return work, session, proc


def _open(page, path: Path) -> None:
    page.goto(path.resolve().as_uri())


def _rows(page) -> list[dict]:
    return page.eval("""Array.from(document.querySelectorAll('#test-rows tr.test-row')).map(r => ({
        id: r.dataset.testId, st: r.dataset.status,
        run: (r.querySelector('.trun') || {}).textContent || '',
        args: (r.querySelector('.targs') || {}).textContent || '',
        err: (r.querySelector('.terr') || {}).textContent || '',
        att: (r.querySelector('.tatt') || {}).textContent || ''}))""")


def test_console_failure_table_names_the_run(repeated):
    _, _, proc = repeated
    table = proc.stdout[proc.stdout.index("status    test"):]
    for run in (1, 2, 3):
        assert f"rep.test_rep.RepTest.test_fails (run {run} of 3)" in table
        assert f"rep.test_rep.RepTest.test_flaky.zeta=2.alpha=1 (run {run} of 3)" in table


def test_command_line_is_recorded_and_shown(repeated, page):
    _, session, _ = repeated
    report = json.loads((session / "report.json").read_text())
    assert report["session_context"]["command_line"] == "ducktape " + " ".join(ARGS)
    _open(page, session / "report.html")
    assert page.eval("document.querySelector('header .command code').textContent") == "ducktape " + " ".join(ARGS)


def test_html_rows_show_the_run_and_flaky_rows_their_error(repeated, page):
    _, session, _ = repeated
    _open(page, session / "report.html")
    rows = _rows(page)
    fails = sorted(r["run"] for r in rows if r["id"].endswith("test_fails"))
    assert fails == ["run 1 of 3", "run 2 of 3", "run 3 of 3"]
    flaky = [r for r in rows if r["st"] == "FLAKY"]
    assert len(flaky) == 3
    for row in flaky:
        assert row["err"] == "ValueError('first attempt fails')"
        assert row["att"] == "--deflake: attempt 1 failed, attempt 2 passed"
    assert all(r["att"] == "--deflake: attempts 1, 2 failed" for r in rows if r["st"] == "FAIL")
    assert all(r["run"] == "" or r["run"].startswith("run ") for r in rows)


def test_failure_groups_name_the_runs(repeated, page):
    _, session, _ = repeated
    _open(page, session / "report.html")
    sample = page.eval("document.querySelector('#groups .group-tests').textContent")
    assert "rep.test_rep.RepTest.test_fails (run 1 of 3)" in sample
    assert "rep.test_rep.RepTest.test_fails (run 2 of 3)" in sample


def test_index_counts_results_not_ids(repeated, page):
    work, session, _ = repeated
    _open(page, work / "results" / "index.html")
    cells = page.eval(f"Array.from(document.querySelector('tr.session-row[data-session=\"{session.name}\"]')"
                      ".querySelectorAll('td')).map(td => td.textContent)")
    tests, passed, failed, flaky, ignored = (int(c) for c in cells[3:8])
    assert (tests, passed, failed, flaky, ignored) == (9, 3, 3, 3, 0)


def test_a_zero_failed_tile_is_not_red(tmp_path, page):
    write_suite(tmp_path, {"green/test_green.py": """
        from ducktape.mark.resource import cluster
        from ducktape.tests.test import Test

        class GreenTest(Test):
            @cluster(num_nodes=1)
            def test_ok(self):
                pass
        """})
    proc = run_ducktape(["green"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    _open(page, tmp_path / "results" / "latest" / "report.html")
    styles = page.eval("""(() => {
        const tile = document.querySelector('.tile[data-status=FAIL]');
        const probe = document.createElement('span'); probe.style.color = 'var(--fail)'; document.body.append(probe);
        return {count: tile.querySelector('.count').textContent, color: getComputedStyle(tile.querySelector('.count')).color,
                border: getComputedStyle(tile).borderLeftColor, red: getComputedStyle(probe).color};
    })()""")
    assert styles["count"] == "0"
    assert styles["color"] != styles["red"] and styles["border"] != styles["red"], styles


def test_rebuild_keeps_parameters_in_mark_order(tmp_path, page):
    write_suite(tmp_path, SUITE)
    proc = run_ducktape(["rep"], cwd=tmp_path)
    session = (tmp_path / "results" / "latest").resolve()
    assert (session / "report.html").exists(), proc.stdout + proc.stderr

    def flaky_args() -> str:
        _open(page, session / "report.html")
        return next(r["args"] for r in _rows(page) if "test_flaky" in r["id"])

    assert flaky_args() == "zeta=2 alpha=1"
    rebuilt = subprocess.run([sys.executable, "-m", "ducktape.tests.report_cli", "rebuild", str(session)],
                             capture_output=True, text=True, check=False, cwd=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert flaky_args() == "zeta=2 alpha=1"
    report = json.loads((session / "report.json").read_text())
    assert report["session_context"]["command_line"] == "ducktape rep"
