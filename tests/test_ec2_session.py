"""``ducktape --cluster ducktape.cluster.ec2.Ec2Cluster``: instances provisioned at session
start (moto server on loopback) and terminated at its end, after a failing test, a
crashed test process, SIGTERM, and (by the watchdog) a SIGKILLed driver.

The tests ask for no nodes (``num_nodes=0``): moto's instances have addresses nothing
answers on, and SSH is tested elsewhere against real sshd.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.support.moto_ec2 import ec2_cli, wait_for
from tests.support.suites import run_ducktape, write_suite

SUITE = {
    "suite/test_ec2.py": """
        import os, signal, time
        from ducktape.mark.resource import cluster
        from ducktape.tests.test import Test

        class Ec2Test(Test):
            @cluster(num_nodes=0)
            def test_passes(self):
                assert len(self.test_context.cluster) == 0

            @cluster(num_nodes=0)
            def test_fails(self):
                assert False, "this test fails on purpose"

            @cluster(num_nodes=0)
            def test_crashes(self):
                os.kill(os.getpid(), signal.SIGKILL)

            @cluster(num_nodes=0)
            def test_sleeps(self):
                open(os.environ["EC2_TEST_MARKER"], "w").close()
                time.sleep(120)
    """,
}


def _session_file(moto_ec2, tmp_path, nodes: int = 2, **overrides) -> str:
    moto_ec2.write_config(tmp_path / "ec2.yml", **overrides)
    (tmp_path / "session.yml").write_text(f"config: ec2.yml\nnodes: {nodes}\nname: sess-{os.getpid()}\n")
    return str(tmp_path / "session.yml")


def _argv(session_file: str, test: str) -> list[str]:
    return ["--cluster", "ducktape.cluster.ec2.Ec2Cluster", "--cluster-file", session_file,
            f"suite/test_ec2.py::Ec2Test.{test}"]


def _is_watchdog(pid: str) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return b"ec2.watchdog" in handle.read()
    except OSError:
        return False


def _terminated(moto_ec2) -> list[dict]:
    return moto_ec2.instances(states=("shutting-down", "terminated"))


def test_success_provisions_then_terminates(moto_ec2, tmp_path):
    write_suite(tmp_path, SUITE)
    result = run_ducktape(_argv(_session_file(moto_ec2, tmp_path, nodes=3), "test_passes"), tmp_path,
                          env=moto_ec2.env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert moto_ec2.instances() == []
    ended = _terminated(moto_ec2)
    assert len(ended) == 3
    assert {t["Value"] for i in ended for t in i["Tags"] if t["Key"] == "ducktape:cluster"} == {f"sess-{os.getpid()}"}
    assert (tmp_path / "results" / "latest" / "report.json").exists()


def test_failing_and_crashing_tests_still_terminate(moto_ec2, tmp_path):
    write_suite(tmp_path, SUITE)
    argv = _argv(_session_file(moto_ec2, tmp_path), "test_fails")
    argv.append("suite/test_ec2.py::Ec2Test.test_crashes")
    result = run_ducktape(argv, tmp_path, env=moto_ec2.env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "this test fails on purpose" in (tmp_path / "results" / "latest" / "report.txt").read_text()
    assert moto_ec2.instances() == [] and len(_terminated(moto_ec2)) == 2


def _start_session(moto_ec2, tmp_path) -> tuple[subprocess.Popen, str]:
    write_suite(tmp_path, SUITE)
    marker = str(tmp_path / "sleeping")
    env = {**os.environ, **moto_ec2.env, "HOME": str(tmp_path), "EC2_TEST_MARKER": marker}
    process = subprocess.Popen([sys.executable, "-m", "ducktape", *_argv(_session_file(moto_ec2, tmp_path),
                                                                         "test_sleeps")],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: os.path.exists(marker) or process.poll() is not None, "the test to start", 120)
    assert process.poll() is None, process.communicate()
    assert len(moto_ec2.instances()) == 2
    return process, marker


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_sigterm_or_ctrl_c_ends_the_session_and_its_instances(moto_ec2, tmp_path, signum):
    process, _ = _start_session(moto_ec2, tmp_path)
    process.send_signal(signum)
    out, err = process.communicate(timeout=120)
    assert process.returncode != 0, (out, err)
    assert moto_ec2.instances() == [] and len(_terminated(moto_ec2)) == 2


def test_sigkilled_driver_is_cleaned_up_by_the_watchdog(moto_ec2, tmp_path):
    process, _ = _start_session(moto_ec2, tmp_path)
    children = [pid for pid in subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True,
                                              check=False).stdout.split() if not _is_watchdog(pid)]
    process.kill()
    process.communicate(timeout=30)
    for pid in children:  # the test process we started, sleeping: stop it by its PID
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass
    wait_for(lambda: moto_ec2.instances() == [], "the watchdog to terminate the instances", 60)
    assert len(_terminated(moto_ec2)) == 2


def test_provisioning_error_is_one_line_and_leaves_nothing(moto_ec2, tmp_path):
    write_suite(tmp_path, SUITE)
    result = run_ducktape(_argv(_session_file(moto_ec2, tmp_path, ami="ami-0000000000deadbee"), "test_passes"),
                          tmp_path, env=moto_ec2.env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "ducktape: AMI ami-0000000000deadbee does not exist in region us-east-1" in result.stderr
    assert "Traceback" not in result.stderr
    assert moto_ec2.instances() == []


def test_close_is_idempotent_and_a_pickled_copy_never_ends_the_cluster(moto_ec2, tmp_path, monkeypatch):
    import pickle

    from ducktape.cluster.ec2 import Ec2Cluster

    session_file = _session_file(moto_ec2, tmp_path, nodes=2)
    cluster = Ec2Cluster(cluster_file=session_file)
    try:
        assert len(cluster) == 2 and len(moto_ec2.instances()) == 2
        copy = pickle.loads(pickle.dumps(cluster))
        copy.close()
        assert len(moto_ec2.instances()) == 2  # the copy (as in a test process) did nothing
        assert cluster._watchdog.poll() is None  # the watchdog is still on guard
    finally:
        cluster.close()
    assert moto_ec2.instances() == [] and len(_terminated(moto_ec2)) == 2
    assert cluster._watchdog.wait(timeout=10) == 0  # released: it exited without terminating anything
    cluster.close()  # twice is fine


def test_sigkilled_driver_and_watchdog_leave_tagged_instances_that_down_removes(moto_ec2, tmp_path):
    process, _ = _start_session(moto_ec2, tmp_path)
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True,
                              check=False).stdout.split()
    watchdogs = [pid for pid in children if _is_watchdog(pid)]
    assert len(watchdogs) == 1
    for pid in [*watchdogs, *children]:  # everything this session started, by PID
        try:
            os.kill(int(pid), signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.kill()
    process.communicate(timeout=30)
    time.sleep(1)
    assert len(moto_ec2.instances()) == 2  # nobody left to clean up: the tags are what remains
    down = ec2_cli(["ec2", "down", "--name", f"sess-{os.getpid()}"], moto_ec2.env, tmp_path)
    assert down.returncode == 0 and "terminating 2 instances" in down.stdout
    assert moto_ec2.instances() == []
