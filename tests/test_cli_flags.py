"""Flags that did something other than they say: --collect-only, --collect-logs on-failure,
--deflake with a timed-out test, and a ``latest`` that is a directory."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.suites import run_ducktape, write_suite

PASSING = """
from ducktape.tests.test import Test

class PassTest(Test):
    def test_pass(self):
        pass
"""


def test_collect_only_takes_no_session_id_and_writes_nothing(suite_dir):
    write_suite(suite_dir, {"t/test_pass.py": PASSING})
    for args in (["--collect-only"], ["--collect-num-nodes"], ["--collect-only", "--collect-format", "json"]):
        proc = run_ducktape([*args, "t"], suite_dir)
        assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in suite_dir.iterdir()) == ["t"]  # no results/, no .ducktape/
    proc = run_ducktape(["t"], suite_dir)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    sessions = [p.name for p in (suite_dir / "results").iterdir() if p.is_dir() and not p.is_symlink()]
    assert len(sessions) == 1 and sessions[0].endswith("--001"), sessions


LOGGING = """
import os
from ducktape.mark.resource import cluster
from ducktape.services.service import Service
from ducktape.tests.test import Test

LOG_DIR = os.environ["DT_LOG_DIR"]


class Writer(Service):
    logs = {
        "by_default": {"path": os.path.join(LOG_DIR, "default.log"), "collect_default": True},
        "marked": {"path": os.path.join(LOG_DIR, "marked.log"), "collect_default": False},
        "other": {"path": os.path.join(LOG_DIR, "other.log"), "collect_default": False},
    }

    def start_node(self, node):
        for entry in self.logs.values():
            node.account.ssh("echo line >> " + entry["path"])

    def stop_node(self, node):
        pass

    def clean_node(self, node):
        pass


class LogsTest(Test):
    @cluster(num_nodes=1)
    def test_passes(self):
        writer = Writer(self.test_context, num_nodes=1)
        self.mark_for_collect(writer, "marked")
        writer.start()

    @cluster(num_nodes=1)
    def test_fails(self):
        Writer(self.test_context, num_nodes=1).start()
        raise AssertionError("deliberate")
"""


@pytest.mark.parametrize(("policy", "passing", "failing"), [
    ([], ["default.log", "marked.log"], ["default.log", "marked.log", "other.log"]),
    (["--collect-logs", "on-failure"], [], ["default.log", "marked.log", "other.log"]),
    (["--collect-logs", "always"], ["default.log", "marked.log", "other.log"], ["default.log", "marked.log", "other.log"]),
    (["--collect-logs", "never"], [], []),
])
def test_collect_logs_policies(suite_dir, tmp_path, policy, passing, failing):
    write_suite(suite_dir, {"logs/test_logs.py": LOGGING})
    log_dir = tmp_path / "node-logs"
    log_dir.mkdir()
    proc = run_ducktape(["logs", *policy], suite_dir, env={"DT_LOG_DIR": str(log_dir)})
    assert proc.returncode == 1, proc.stdout + proc.stderr  # test_fails fails
    latest = suite_dir / "results" / "latest"
    report = json.loads((latest / "report.json").read_text())
    collected = {}
    for result in report["results"]:
        test_dir = latest / result["relative_results_dir"]
        collected[result["function_name"]] = sorted(p.name for p in test_dir.rglob("*.log"))
    assert collected == {"test_passes": passing, "test_fails": failing}


SLOW = """
import time
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test

class SlowTest(Test):
    @cluster(num_nodes=0)
    def test_hangs(self):
        time.sleep(60)
"""


def test_deflake_does_not_retry_a_timed_out_test(suite_dir):
    """Decided: a timeout bounds the whole test, every --deflake run included; a run that
    times out ends the test (FAIL), as a hang would most likely hang again."""
    write_suite(suite_dir, {"slow/test_slow.py": SLOW})
    proc = run_ducktape(["slow", "--deflake", "3", "--test-timeout", "1"], suite_dir)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    latest = suite_dir / "results" / "latest"
    result = json.loads((latest / "report.json").read_text())["results"][0]
    assert result["test_status"] == "FAIL" and "TestTimedOut" in result["summary"], result["summary"]
    log = (latest / result["relative_results_dir"] / "test_log.info").read_text()
    assert "on run 1/3" in log and "on run 2/3" not in log


def test_latest_that_is_a_directory_does_not_fail_a_green_run(suite_dir):
    write_suite(suite_dir, {"t/test_pass.py": PASSING})
    mine = suite_dir / "results" / "latest"
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("mine")
    proc = run_ducktape(["t"], suite_dir)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "latest is a directory, not a link: left as it is" in proc.stdout + proc.stderr
    assert (mine / "notes.txt").read_text() == "mine" and not Path(mine).is_symlink()
