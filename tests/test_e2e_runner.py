"""End to end: the real `ducktape` CLI in a subprocess on small suites (tests/data/runner/),
on the embedded LocalhostCluster. Assertions are on exit statuses, files and console lines."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.suites import (
    OURS_DUCKTAPE,
    REPO_ROOT,
    copy_data,
    run_ducktape,
    write_suite,
)


def globals_arg(markers: Path, **extra) -> str:
    return json.dumps({"marker_dir": str(markers), **extra})


def session_report(work: Path) -> dict:
    return json.loads((work / "results" / "latest" / "report.json").read_text())


def by_function(report: dict) -> dict:
    found = {}
    for result in report["results"]:
        key = result["function_name"]
        if result["injected_args"]:
            key += "." + ".".join(f"{k}={v}" for k, v in result["injected_args"].items())
        found[key] = result
    return found


@pytest.fixture
def markers(suite_dir: Path) -> Path:
    path = suite_dir / "markers"
    path.mkdir()
    return path


def wait_for(path: Path, proc: subprocess.Popen, limit: float = 60) -> None:
    """Wait until *path* exists (the suite wrote it); fail if ducktape exits first."""
    deadline = time.monotonic() + limit
    while not path.exists():
        assert proc.poll() is None, f"ducktape exited ({proc.returncode}) before {path.name} appeared"
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


def start_ducktape(args: list[str], cwd: Path, env: dict | None = None) -> subprocess.Popen:
    full_env = dict(os.environ, HOME=str(cwd), **(env or {}))
    return subprocess.Popen([*OURS_DUCKTAPE, *args], cwd=cwd, env=full_env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


# ---- outcomes --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """One run of the outcomes suite, shared by the assertions below."""
    work = tmp_path_factory.mktemp("outcomes")
    (work / "markers").mkdir()
    copy_data("runner/outcomes", work / "outcomes")
    proc = run_ducktape(["outcomes", "--deflake", "2", "--max-parallel", "4", "--test-timeout", "30",
                         "--globals", globals_arg(work / "markers")], cwd=work)
    return work, proc, session_report(work)


def test_outcomes_exit_status_and_counts(outcomes):
    _work, proc, report = outcomes
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (report["num_passed"], report["num_failed"], report["num_ignored"]) == (3, 3, 1)
    assert report["num_flaky"] == 1 and report["num_ofailed"] == 1


def test_outcomes_statuses(outcomes):
    results = by_function(outcomes[2])
    statuses = {name: r["test_status"] for name, r in results.items()}
    assert statuses == {"test_pass": "PASS", "test_fail": "FAIL", "test_ignored": "IGNORE",
                        "test_ok_to_fail": "OFAIL", "test_param.x=1": "PASS", "test_param.x=2": "PASS",
                        "test_flaky": "FLAKY", "test_crash": "FAIL", "test_hang": "FAIL"}
    assert results["test_pass"]["data"] == {"answer": 42}
    assert results["test_param.x=2"]["data"] == {"x": 2}


def test_every_test_has_its_result_files(outcomes):
    work, _proc, report = outcomes
    for result in report["results"]:
        test_dir = Path(result["results_dir"])
        assert (test_dir / "report.json").is_file() and (test_dir / "report.txt").is_file()
        assert str(test_dir).startswith(str((work / "results").resolve()))
    assert json.loads((work / "results/latest/OutcomesTest/test_pass/" / _index(report, "test_pass") /
                       "data.json").read_text()) == {"answer": 42}


def _index(report: dict, function: str) -> str:
    return str(by_function(report)[function]["results_dir"]).rstrip("/").rsplit("/", 1)[1]


def test_ignored_test_took_no_process_and_no_nodes(outcomes):
    ignored = by_function(outcomes[2])["test_ignored"]
    assert ignored["nodes_allocated"] == 0 and ignored["nodes"] == []
    assert not (Path(ignored["results_dir"]) / "test_log.info").exists()


def test_deflake_groups_the_failures_of_both_runs(outcomes):
    summary = by_function(outcomes[2])["test_fail"]["summary"]
    assert summary.startswith("runs 1, 2 summary:") and "AssertionError('expected failure')" in summary


def test_flaky_summary_names_the_passing_run(outcomes):
    summary = by_function(outcomes[2])["test_flaky"]["summary"]
    assert "run 1 summary:" in summary and summary.endswith("run 2: PASSED")


def test_crashed_process_is_a_failure_with_its_exit_status(outcomes):
    crash = by_function(outcomes[2])["test_crash"]
    assert "exited with status 3 before it reported a result" in crash["summary"]
    assert "exited with status 3" in (Path(crash["results_dir"]) / "test_log.info").read_text()
    assert crash["nodes_allocated"] == 1 and len(crash["nodes"]) == 1


def test_timeout_mark_wins_and_dumps_every_stack_into_the_log(outcomes):
    hang = by_function(outcomes[2])["test_hang"]
    assert hang["summary"].startswith("TestTimedOut('test exceeded its timeout of 1 seconds")
    assert "time.sleep(120)" in hang["summary"]  # where it was stuck
    log = (Path(hang["results_dir"]) / "test_log.info").read_text()
    assert "most recent call first" in log and "in test_hang" in log and "in beat" in log  # every thread


def test_console_prints_one_line_per_test_when_not_a_terminal(outcomes):
    out = outcomes[1].stdout
    for status, name in [("PASS", "test_pass"), ("FAIL", "test_crash"), ("FLAKY", "test_flaky"),
                         ("IGNORE", "test_ignored")]:
        assert any(line.startswith("[") and f"] {status}" in line and line.split()[2].endswith(name)
                   for line in out.splitlines()), f"no {status} line for {name}"
    assert "SESSION REPORT (ALL TESTS)" in out


# ---- services and logs -----------------------------------------------------------------------


def test_service_logs_teardown_and_a_failing_start(suite_dir, markers):
    copy_data("runner/services", suite_dir / "services")
    proc = run_ducktape(["services", "--globals", globals_arg(markers)], cwd=suite_dir)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    results = by_function(session_report(suite_dir))
    assert results["test_logs_on_pass"]["test_status"] == "PASS"
    assert results["test_logs_on_failure"]["test_status"] == "FAIL"
    start_fails = results["test_start_fails"]
    assert start_fails["test_status"] == "FAIL" and "service refused to start" in start_fails["summary"]

    def collected(function):
        test_dir = Path(results[function]["results_dir"])
        return {p.name for p in test_dir.glob("MarkerService-*/*/*")}

    assert collected("test_logs_on_pass") == {"always.log"}
    assert collected("test_logs_on_failure") == {"always.log", "failure.log"}
    assert collected("test_start_fails") == {"always.log", "failure.log"}
    for function in results:
        index = Path(results[function]["results_dir"]).name
        # start() stops and cleans each node once; teardown does it once more
        assert (markers / f"stopped-{function}-{index}").read_text() == "xx", f"{function} was not stopped"
        assert (markers / f"cleaned-{function}-{index}").read_text() == "xx", f"{function} was not cleaned"
    assert all(r["services"] and r["services"][0]["cls_name"] == "MarkerService" for r in results.values())


def test_no_teardown_keeps_services_running_but_collects_logs(suite_dir, markers):
    copy_data("runner/services", suite_dir / "services")
    proc = run_ducktape(["services::ServicesTest.test_logs_on_pass", "--no-teardown",
                         "--globals", globals_arg(markers)], cwd=suite_dir)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = session_report(suite_dir)["results"][0]
    assert {p.name for p in Path(result["results_dir"]).glob("MarkerService-*/*/*")} == {"always.log"}
    # only start()'s own stop and clean ran: teardown skipped both
    assert (markers / "stopped-test_logs_on_pass-1").read_text() == "x"
    assert (markers / "cleaned-test_logs_on_pass-1").read_text() == "x"


# ---- scheduling ------------------------------------------------------------------------------


def run_mixed(suite_dir: Path, *extra: str) -> tuple[subprocess.CompletedProcess, dict]:
    copy_data("runner/mixed", suite_dir / "mixed")
    (suite_dir / "four_nodes.py").write_text((REPO_ROOT / "tests/data/runner/four_nodes.py").read_text())
    proc = run_ducktape(["mixed", "--cluster", "four_nodes.FourNodeCluster", *extra], cwd=suite_dir,
                        env={"PYTHONPATH": str(suite_dir)})
    return proc, session_report(suite_dir)


def test_max_parallel_with_mixed_node_counts(suite_dir):
    proc, report = run_mixed(suite_dir, "--max-parallel", "4")
    results = report["results"]
    assert len(results) == 11
    too_big = [r for r in results if r["function_name"] == "test_too_big"]
    assert too_big[0]["test_status"] == "FAIL"
    assert "requires more resources than are available in the whole cluster" in too_big[0]["summary"]
    assert too_big[0]["test_index"] == 1  # reported before anything runs
    ran = [r for r in results if r["function_name"] != "test_too_big"]
    assert all(r["test_status"] == "PASS" for r in ran), proc.stdout
    for r in ran:
        assert len(r["nodes"]) == r["nodes_allocated"]
        if r["data"] and "nodes" in r["data"]:
            assert set(r["data"]["nodes"]) <= set(r["nodes"])
    undecorated = next(r for r in ran if r["function_name"] == "test_undecorated")
    assert undecorated["data"] == {"held": 4}
    # tests whose runs overlap never share a node
    for a in ran:
        for b in ran:
            if a is not b and a["start_time"] < b["stop_time"] and b["start_time"] < a["stop_time"]:
                assert not set(a["nodes"]) & set(b["nodes"]), (a["test_id"], b["test_id"])
    assert report["session_context"]["max_parallel"] == 4


def test_default_num_nodes_sizes_undecorated_tests(suite_dir):
    proc, report = run_mixed(suite_dir, "--default-num-nodes", "2", "--fail-greedy-tests")
    undecorated = next(r for r in report["results"] if r["function_name"] == "test_undecorated")
    assert undecorated["test_status"] == "PASS" and undecorated["data"] == {"held": 2}, proc.stdout


def test_exit_first_stops_scheduling(suite_dir):
    write_suite(suite_dir, {"ef/test_ef.py": """
        from ducktape.tests.test import Test
        from ducktape.mark.resource import cluster

        class EfTest(Test):
            @cluster(num_nodes=1)
            def test_a_fails(self):
                raise AssertionError("first")

            @cluster(num_nodes=1)
            def test_b_passes(self):
                pass
        """})
    proc = run_ducktape(["ef", "--exit-first"], cwd=suite_dir)
    assert proc.returncode == 1
    assert [r["function_name"] for r in session_report(suite_dir)["results"]] == ["test_a_fails"]
    assert "All tests were NOT run. Expected 2 tests, only 1 was run." in proc.stdout + proc.stderr


def test_a_killed_test_without_nodes_is_its_own_failure_and_the_session_goes_on(suite_dir):
    """Healing what a dead test left on its nodes must work for a test that had none."""
    write_suite(suite_dir, {"nodeless/test_nodeless.py": """
        import os, signal
        from ducktape.tests.test import Test
        from ducktape.mark.resource import cluster

        class NodelessTest(Test):
            @cluster(num_nodes=0)
            def test_a_crashes(self):
                os.kill(os.getpid(), signal.SIGKILL)

            @cluster(num_nodes=0)
            def test_b_fails(self):
                raise AssertionError("b fails on purpose")
        """})
    proc = run_ducktape(["nodeless", "--max-parallel", "1"], cwd=suite_dir)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    results = by_function(session_report(suite_dir))
    assert "killed by signal SIGKILL before it reported a result" in results["test_a_crashes"]["summary"]
    assert "b fails on purpose" in results["test_b_fails"]["summary"], proc.stdout + proc.stderr


def test_silent_test_process_is_stopped_by_the_runner_timeout(suite_dir):
    write_suite(suite_dir, {"silent/test_silent.py": """
        import os, signal
        from ducktape.tests.test import Test
        from ducktape.mark.resource import cluster

        class SilentTest(Test):
            @cluster(num_nodes=1)
            def test_stops_itself(self):
                os.kill(os.getpid(), signal.SIGSTOP)  # no heartbeat, no Python, nothing

            @cluster(num_nodes=1)
            def test_z_after(self):
                pass
        """})
    proc = run_ducktape(["silent", "--test-runner-timeout", "1500"], cwd=suite_dir)
    assert proc.returncode == 1
    results = by_function(session_report(suite_dir))
    assert results["test_z_after"]["test_status"] == "PASS"
    summary = results["test_stops_itself"]["summary"]
    assert "No message from the test process for 1.5 seconds (--test-runner-timeout)" in summary
    assert "its process was killed" in summary


# ---- signals ---------------------------------------------------------------------------------


def test_ctrl_c_tears_down_running_tests_and_reports(suite_dir, markers):
    copy_data("runner/slow", suite_dir / "slow")
    proc = start_ducktape(["slow", "--globals", globals_arg(markers)], suite_dir)
    wait_for(markers / "slow-started", proc)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 1, out
    results = by_function(session_report(suite_dir))
    assert results["test_a_quick"]["test_status"] == "PASS"
    slow = results["test_b_slow"]
    assert slow["test_status"] == "FAIL" and "KeyboardInterrupt" in slow["summary"]
    assert (markers / "stopped-test_b_slow").exists() and (markers / "cleaned-test_b_slow").exists()
    assert (suite_dir / "results" / "latest").is_symlink()


def test_second_ctrl_c_kills_at_once(suite_dir, markers):
    copy_data("runner/slow", suite_dir / "slow")
    proc = start_ducktape(["slow::SlowTest.test_b_slow", "--globals", globals_arg(markers, slow_teardown=True)],
                          suite_dir)
    wait_for(markers / "slow-started", proc)
    proc.send_signal(signal.SIGINT)
    wait_for(markers / "teardown-started", proc)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 1, out
    slow = session_report(suite_dir)["results"][0]
    assert slow["test_status"] == "FAIL" and "interrupted twice" in slow["summary"]
    assert "SleepService" in slow["summary"]  # names what may be left running


def test_sigkill_of_the_runner_leaves_results_to_rebuild(suite_dir, markers):
    copy_data("runner/slow", suite_dir / "slow")
    proc = start_ducktape(["slow", "--globals", globals_arg(markers)], suite_dir)
    wait_for(markers / "slow-started", proc)
    proc.kill()
    proc.wait(timeout=30)
    proc.stdout.close()  # the orphaned test still holds the pipe
    # the orphaned test notices the driver is gone, tears down and writes its own result
    session_dir = next((suite_dir / "results").glob("20*"))
    slow_reports = session_dir / "SlowTest" / "test_b_slow"
    deadline = time.monotonic() + 30
    while not list(slow_reports.glob("*/report.json")) or not (markers / "cleaned-test_b_slow").exists():
        assert time.monotonic() < deadline, "the orphaned test never wrote its result"
        time.sleep(0.05)
    report_cli = Path(sys.executable).parent / "ducktape-report"
    rebuild = subprocess.run([str(report_cli), "rebuild", str(session_dir)], check=False,
                             capture_output=True, text=True, timeout=60)
    assert rebuild.returncode == 0, rebuild.stdout + rebuild.stderr
    report = json.loads((session_dir / "report.json").read_text())
    statuses = {r["function_name"]: r["test_status"] for r in report["results"]}
    assert statuses == {"test_a_quick": "PASS", "test_b_slow": "FAIL"}


# ---- the example -----------------------------------------------------------------------------


def test_examples_hello_runs_on_the_embedded_cluster(suite_dir):
    proc = run_ducktape([str(REPO_ROOT / "examples" / "hello"), "--max-parallel", "3"], cwd=suite_dir)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = session_report(suite_dir)
    assert report["num_passed"] == 3 and report["num_failed"] == 0
    logs = list((suite_dir / "results" / "latest").glob("HelloTest/*/*/HelloService-*/*/hello.log")) + \
        list((suite_dir / "results" / "latest").glob("HelloTest/*/*/*/HelloService-*/*/hello.log"))
    assert len(logs) == 3
    assert any("hola from localhost" in log.read_text() for log in logs)


def test_a_long_test_that_keeps_beating_outlives_the_runner_timeout(suite_dir):
    write_suite(suite_dir, {"long/test_long.py": """
        import time
        from ducktape.tests.test import Test
        from ducktape.mark.resource import cluster

        class LongTest(Test):
            @cluster(num_nodes=1)
            def test_longer_than_the_runner_timeout(self):
                time.sleep(4)
                return "done"
        """})
    proc = run_ducktape(["long", "--test-runner-timeout", "1500"], cwd=suite_dir)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = session_report(suite_dir)["results"][0]
    assert result["test_status"] == "PASS" and result["data"] == "done"


def test_sigterm_to_the_runner_is_as_graceful_as_ctrl_c(suite_dir, markers):
    copy_data("runner/slow", suite_dir / "slow")
    proc = start_ducktape(["slow::SlowTest.test_b_slow", "--globals", globals_arg(markers)], suite_dir)
    wait_for(markers / "slow-started", proc)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 1, out
    slow = session_report(suite_dir)["results"][0]
    assert slow["test_status"] == "FAIL" and "KeyboardInterrupt" in slow["summary"]
    assert (markers / "cleaned-test_b_slow").exists()
    assert "received SIGTERM" in out


# ---- flags passed through to the test process --------------------------------------------------

FLAGS_SUITE = {"flags/test_flags.py": """
    from ducktape.mark import parametrize
    from ducktape.mark.resource import cluster
    from ducktape.tests.test import Test

    class FlagsTest(Test):
        @cluster(num_nodes=2)
        def test_reserves_two_uses_none(self):
            return "unused"

        @cluster(num_nodes=1)
        @parametrize(x=1)
        def test_param(self, x):
            return {"x": x, "greeting": self.test_context.globals.get("greeting")}
    """}


def test_parameters_globals_and_repeat(suite_dir):
    write_suite(suite_dir, FLAGS_SUITE)
    proc = run_ducktape(["flags::FlagsTest.test_param", "--parameters", '{"x": 7}', "--repeat", "2",
                         "--globals", '{"greeting": "hi"}'], cwd=suite_dir)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = session_report(suite_dir)["results"]
    assert [r["data"] for r in results] == [{"x": 7, "greeting": "hi"}] * 2
    assert len({r["test_id"] for r in results}) == 1
    assert len({r["results_dir"] for r in results}) == 2


def test_fail_bad_cluster_utilization(suite_dir):
    write_suite(suite_dir, FLAGS_SUITE)
    proc = run_ducktape(["flags::FlagsTest.test_reserves_two_uses_none", "--fail-bad-cluster-utilization"],
                        cwd=suite_dir)
    assert proc.returncode == 1
    result = session_report(suite_dir)["results"][0]
    assert result["test_status"] == "FAIL" and result["summary"] == "Test requested 2 nodes, used only 0"


def test_compress_collects_archives(suite_dir, markers):
    copy_data("runner/services", suite_dir / "services")
    proc = run_ducktape(["services::ServicesTest.test_logs_on_pass", "--compress",
                         "--globals", globals_arg(markers)], cwd=suite_dir)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = session_report(suite_dir)["results"][0]
    assert {p.name for p in Path(result["results_dir"]).glob("MarkerService-*/*/*")} == {"always.log.tgz"}


def test_ctrl_c_inside_a_test_fails_it_and_stops_the_session(suite_dir):
    write_suite(suite_dir, {"selfint/test_selfint.py": """
        import os, signal
        from ducktape.tests.test import Test
        from ducktape.mark.resource import cluster

        class SelfIntTest(Test):
            @cluster(num_nodes=1)
            def test_a_interrupts_itself(self):
                os.kill(os.getpid(), signal.SIGINT)

            @cluster(num_nodes=1)
            def test_b_never_runs(self):
                pass
        """})
    proc = run_ducktape(["selfint"], cwd=suite_dir)
    assert proc.returncode == 1
    results = session_report(suite_dir)["results"]
    assert [r["function_name"] for r in results] == ["test_a_interrupts_itself"]
    assert results[0]["test_status"] == "FAIL" and results[0]["summary"].startswith("KeyboardInterrupt")


def test_crash_is_noticed_even_when_a_grandchild_holds_the_pipes(suite_dir):
    write_suite(suite_dir, {"orphan/test_orphan.py": """
        import os, time
        from ducktape.tests.test import Test
        from ducktape.mark.resource import cluster

        class OrphanTest(Test):
            @cluster(num_nodes=1)
            def test_forks_then_crashes(self):
                if os.fork() == 0:  # inherits every descriptor of the test process
                    time.sleep(600)
                    os._exit(0)
                os._exit(4)
        """})
    proc = run_ducktape(["orphan"], cwd=suite_dir, timeout=60)
    assert proc.returncode == 1
    result = session_report(suite_dir)["results"][0]
    assert "exited with status 4 before it reported a result" in result["summary"]
