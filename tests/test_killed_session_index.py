"""A driver killed with SIGKILL: the results index marks its session incomplete (before and after
``ducktape-report rebuild``), and the rebuild of that newest session moves ``latest`` to it.
Real ``ducktape`` runs on the embedded cluster, a real SIGKILL, the index in real Chromium."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ducktape.tests.reporters.html_report import write_results_index
from tests.support.chromium import chromium, page  # noqa: F401 - fixtures
from tests.support.suites import run_ducktape, start_until_flag, write_suite

SUITE = {
    "suite/test_k.py": """
        import os
        import time

        from ducktape.mark.resource import cluster
        from ducktape.tests.test import Test


        class KTest(Test):
            @cluster(num_nodes=1)
            def test_a_quick(self):
                pass

            @cluster(num_nodes=1)
            def test_b_long(self):
                flag = os.environ.get("STARTED_FLAG")
                if flag:
                    open(flag, "w").close()
                    time.sleep(60)
        """,
}
REPORT_CLI = [sys.executable, "-m", "ducktape.tests.report_cli"]


def _index_rows(page, results: Path) -> dict:  # noqa: F811
    page.goto((results / "index.html").resolve().as_uri())
    assert page.console_errors() == []
    rows = page.eval("Array.from(document.querySelectorAll('tr.session-row')).map(r => [r.dataset.session,"
                     " r.classList.contains('incomplete'),"
                     " (r.querySelector('.incomplete-mark') || {}).title || ''])")
    return {name: (marked, why) for name, marked, why in rows}


def test_a_sigkilled_session_is_incomplete_in_the_index_and_its_rebuild_moves_latest(suite_dir: Path, page):  # noqa: F811
    write_suite(suite_dir, SUITE)
    results = suite_dir / "results"
    first = run_ducktape(["--max-parallel", "1", "suite"], cwd=suite_dir)
    assert first.returncode == 0, first.stdout + first.stderr
    complete = (results / "latest").resolve()

    driver = start_until_flag(["--max-parallel", "1", "suite"], suite_dir, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait(timeout=30)
    killed = next(p for p in results.iterdir() if p.name[:1].isdigit() and p.resolve() != complete)
    deadline = time.monotonic() + 60  # the orphaned test notices, tears down and writes its FAIL
    while not list(killed.glob("KTest/test_b_long/*/report.json")):
        assert time.monotonic() < deadline, "the orphaned test never wrote its result"
        time.sleep(0.05)
    assert (results / "latest").resolve() == complete  # the killed run never got that far

    write_results_index(results)  # as the next session would: the killed one has only its session.json
    rows = _index_rows(page, results)
    assert rows[killed.name][0] and "killed or is still running" in rows[killed.name][1]
    assert rows[complete.name] == (False, "")

    rebuilt = subprocess.run([*REPORT_CLI, "rebuild", str(killed)], check=False, capture_output=True, text=True, timeout=60)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert (results / "latest").resolve() == killed.resolve(), rebuilt.stdout  # the newest session
    assert f"latest -> {killed.name}" in rebuilt.stdout
    rows = _index_rows(page, results)
    assert rows[killed.name] == (True, "interrupted: the run was stopped before its end")  # both tests reported

    third = run_ducktape(["--max-parallel", "1", "suite::KTest.test_a_quick"], cwd=suite_dir)
    assert third.returncode == 0, third.stdout + third.stderr
    newest = (results / "latest").resolve()
    rebuilt = subprocess.run([*REPORT_CLI, "rebuild", str(killed)], check=False, capture_output=True, text=True, timeout=60)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert (results / "latest").resolve() == newest and "latest ->" not in rebuilt.stdout  # no longer the newest
    rows = _index_rows(page, results)
    assert rows[killed.name][0] and rows[newest.name] == (False, "") and rows[complete.name] == (False, "")
