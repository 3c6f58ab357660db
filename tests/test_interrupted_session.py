"""A session stopped by Ctrl-C says which tests were cut short and which never started, and its
``rerun-failed.yml`` reruns both. A real ``ducktape`` on the embedded cluster, a real SIGINT,
the HTML report in real headless Chromium."""
from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import yaml

from tests.support.chromium import chromium, page  # noqa: F401 - fixtures
from tests.support.suites import (
    OURS_DUCKTAPE,
    run_ducktape,
    start_until_flag,
    write_suite,
)

SUITE = {
    "suite/test_stop.py": """
        import os
        import time

        from ducktape.mark import parametrize
        from ducktape.mark.resource import cluster
        from ducktape.tests.test import Test


        class StopTest(Test):
            @cluster(num_nodes=1)
            def test_a_long(self):
                open(os.environ["STARTED_FLAG"], "w").close()
                time.sleep(60)

            @cluster(num_nodes=1)
            def test_b_later(self):
                pass

            @cluster(num_nodes=1)
            @parametrize(x=1)
            @parametrize(x=2)
            def test_c_param(self, x):
                pass
        """,
}
NEVER_STARTED = {"suite.test_stop.StopTest.test_b_later", "suite.test_stop.StopTest.test_c_param.x=1",
                 "suite.test_stop.StopTest.test_c_param.x=2"}


def _interrupted_run(suite_dir: Path) -> tuple[subprocess.CompletedProcess, Path]:
    write_suite(suite_dir, SUITE)
    proc = start_until_flag(["--max-parallel", "1", "suite"], suite_dir, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    os.kill(proc.pid, signal.SIGINT)
    out, _ = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, ""), suite_dir / "results" / "latest"


def test_ctrl_c_names_the_cut_and_the_unstarted_tests_and_reruns_both(suite_dir: Path, page):  # noqa: F811
    done, session = _interrupted_run(suite_dir)
    out = done.stdout
    assert done.returncode == 1, out
    long_id = "suite.test_stop.StopTest.test_a_long"

    report = json.loads((session / "report.json").read_text())
    assert report["interrupted"] is True and report["expected_test_count"] == 4
    assert report["interrupted_tests"] == [long_id]
    assert set(report["not_started"]) == NEVER_STARTED
    assert [r["test_id"] for r in report["results"]] == [long_id]

    text = (session / "report.txt").read_text()
    assert "interrupted:      1" in text and "not started:      3" in text
    assert text.split("NOT STARTED")[1].count("suite.test_stop.StopTest.") == 3
    assert f"INTERRUPTED (Ctrl-C or a signal cut these tests short):\n    {long_id}" in text
    assert "Never started:" in out and "Interrupted: " + long_id in out

    rerun = yaml.safe_load((session / "rerun-failed.yml").read_text())
    (symbols,) = rerun.values()
    assert len(symbols) == 4 and symbols[0].endswith("::StopTest.test_a_long")
    listed = run_ducktape(["--collect-only", "--collect-format", "json", str(session / "rerun-failed.yml")],
                          cwd=suite_dir)
    assert listed.returncode == 0, listed.stderr
    assert {json.loads(line)["test_id"] for line in listed.stdout.splitlines()} == NEVER_STARTED | {long_id}

    page.goto((session / "report.html").resolve().as_uri())
    assert page.console_errors() == []
    lists = page.eval("Array.from(document.querySelectorAll('.not-run')).map(b => "
                      "[b.querySelector('.label').textContent, Array.from(b.querySelectorAll('li'))"
                      ".map(li => li.textContent)])")
    assert lists[0] == ["Interrupted (cut short by Ctrl-C or a signal)", [long_id]]
    assert lists[1][0].startswith("Never started") and set(lists[1][1]) == NEVER_STARTED


def test_rebuild_keeps_what_the_interrupted_session_said(suite_dir: Path):
    done, session = _interrupted_run(suite_dir)
    assert done.returncode == 1, done.stdout
    session = session.resolve()
    for name in ("report.json", "report.txt", "rerun-failed.yml"):
        (session / name).unlink()
    rebuilt = subprocess.run([*OURS_DUCKTAPE[:-2], "-m", "ducktape.tests.report_cli", "rebuild", str(session)],
                             check=False, capture_output=True, text=True, timeout=60)
    assert rebuilt.returncode == 0, rebuilt.stderr
    report = json.loads((session / "report.json").read_text())
    assert report["interrupted"] is True and set(report["not_started"]) == NEVER_STARTED
    assert len(next(iter(yaml.safe_load((session / "rerun-failed.yml").read_text()).values()))) == 4
