"""Processes a test leaves on its nodes are ended before the nodes are used again: when the test
process exits, segfaults, closes every fd, forks a child that outlives it, or a service's
stop_node raises; when Ctrl-C interrupts a remote command; when a burst of signals arrives
during teardown; and, after a SIGKILL of the driver, by the next session. Real ``ducktape``
processes and real signals, on the embedded LocalhostCluster and on a namespace cluster
(tests/data/runner/leftovers)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.suites import OURS_DUCKTAPE, copy_data, run_ducktape, write_suite

SUITE = "leftovers/test_leftovers.py::LeftoversTest"
BAD_ENDINGS = ["test_a_exits", "test_b_segfaults", "test_c_stop_raises", "test_d_closes_every_fd",
               "test_e_forked_child_outlives_it"]


class Where:
    """Runs the suite on the embedded cluster or on a namespace cluster; tells whether a
    node-side pid still runs there."""

    def __init__(self, suite_dir: Path, netns=None) -> None:
        self.suite_dir = suite_dir
        self.netns = netns
        self.markers = suite_dir / "markers"
        self.markers.mkdir()
        copy_data("runner/leftovers", suite_dir / "leftovers")

    def start(self, tests: list[str]) -> subprocess.Popen:
        args = [f"{SUITE}.{name}" for name in tests]
        args += ["--globals", json.dumps({"marker_dir": str(self.markers)})]
        if self.netns is not None:
            args += ["--cluster-file", str(self.netns.cluster_file)]
        env = dict(os.environ, HOME=str(self.suite_dir))
        return subprocess.Popen([*OURS_DUCKTAPE, *args], cwd=self.suite_dir, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)

    def run(self, tests: list[str]) -> tuple[int, str]:
        proc = self.start(tests)
        out, _ = proc.communicate(timeout=240)
        return proc.returncode, out

    def started(self) -> dict[str, tuple[str, int]]:
        """marker name -> (host, pid) of every process the tests recorded."""
        found = {}
        for path in self.markers.iterdir():
            if path.name.startswith("pid-"):
                host, pid = path.read_text().split()
                found[path.name] = (host, int(pid))
        return found

    def running(self, host: str, pid: int) -> bool:
        if self.netns is None or host == "<driver>":
            stat = _read(f"/proc/{pid}/stat")
        else:
            node = next(n for n in self.netns.nodes if n.hostname == host)
            stat = self.netns.ssh(node, f"cat /proc/{pid}/stat 2>/dev/null").stdout
        return bool(stat) and stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended

    def left_running(self) -> list[str]:
        return sorted(name for name, (host, pid) in self.started().items() if self.running(host, pid))

    def wait_for(self, name: str, proc: subprocess.Popen, limit: float = 120) -> None:
        deadline = time.monotonic() + limit
        while not (self.markers / name).exists():
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, f"{name} never appeared"
            time.sleep(0.05)


def _read(path: str) -> str:
    try:
        with open(path) as stream:
            return stream.read()
    except OSError:
        return ""


@pytest.fixture(params=["localhost", "netns"])
def where(request, suite_dir: Path):
    netns = request.getfixturevalue("netns_cluster") if request.param == "netns" else None
    place = Where(suite_dir, netns)
    yield place
    for host, pid in place.started().values():  # whatever a failed assertion left, by pid
        if place.running(host, pid):
            if netns is None or host == "<driver>":
                os.kill(pid, signal.SIGKILL)
            else:
                node = next(n for n in netns.nodes if n.hostname == host)
                netns.ssh(node, f"kill -9 {pid}")


def test_every_bad_ending_leaves_nothing_running(where: Where):
    status, out = where.run(BAD_ENDINGS)
    assert status == 1, out
    started = where.started()
    assert len(started) == len(BAD_ENDINGS) + 1, (sorted(started), out)  # + the forked child
    assert where.left_running() == [], out
    for name in ["test_a_exits", "test_b_segfaults", "test_c_stop_raises"]:  # test_d's teardown may stop it
        assert f"{name}: ended 1 process the test left running" in out, out


def test_the_next_test_on_the_node_finds_it_clean(suite_dir: Path, netns_cluster_factory):
    """On a one-node namespace cluster every test gets the node the previous one used; the
    last one looks there (and on the driver's machine) for anything the others left."""
    where = Where(suite_dir, netns_cluster_factory(nodes=1))
    status, out = where.run([*BAD_ENDINGS, "test_z_node_is_clean"])
    assert status == 1, out
    report = json.loads((where.suite_dir / "results" / "latest" / "report.json").read_text())
    statuses = {r["function_name"]: r["test_status"] for r in report["results"]}
    assert statuses["test_z_node_is_clean"] == "PASS", out


def test_a_burst_of_signals_during_teardown_leaves_nothing_running(where: Where):
    proc = where.start(["test_slow_stop"])
    where.wait_for("started-test_slow_stop", proc)
    os.kill(proc.pid, signal.SIGINT)
    where.wait_for("stopping-test_slow_stop", proc)  # teardown is under way, and slow
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGINT, signal.SIGTERM, signal.SIGINT):
        os.kill(proc.pid, signum)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode != 0, out
    assert len(where.started()) == 1 and where.left_running() == [], out
    assert "test_slow_stop: ended 1 process the test left running" in out, out
    assert (where.suite_dir / "results" / "latest" / "report.html").is_file()


def test_a_test_deaf_to_signals_leaves_nothing_running(where: Where):
    proc = where.start(["test_ignores_signals"])
    where.wait_for("started-test_ignores_signals", proc)
    os.kill(proc.pid, signal.SIGINT)  # the test ignores it
    os.kill(proc.pid, signal.SIGTERM)  # the second signal: the driver kills the test process
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode != 0, out
    assert len(where.started()) == 1 and where.left_running() == [], out
    assert "test_ignores_signals: ended 1 process the test left running" in out, out


def test_ctrl_c_ends_the_remote_command_it_interrupted(where: Where):
    proc = where.start(["test_remote_command"])
    where.wait_for("started-test_remote_command", proc)
    os.kill(proc.pid, signal.SIGINT)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode != 0, out
    assert len(where.started()) == 1 and where.left_running() == [], out


def test_after_a_sigkill_of_the_driver_the_next_session_ends_what_it_left(where: Where):
    proc = where.start(["test_slow_stop"])
    where.wait_for("started-test_slow_stop", proc)
    test_processes = _children(proc.pid)
    for pid in [proc.pid, *test_processes]:  # the whole run dies at once (OOM killer, CI cancelling)
        os.kill(pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert where.left_running() != [], "the daemon should have outlived the killed run"
    # the next session: a test on every node (a host is cleaned before its first use)
    status, out = where.run(["test_every_node"])
    assert status == 0, out
    assert "ended 1 process(es) left running by session" in out, out
    assert where.left_running() == [], out
    results = where.suite_dir / "results"
    assert not list(results.glob("*/.space-reserve"))  # the killed session's room for reports is given back
    assert not (results / ".ducktape-sessions").exists()


def test_after_a_sigkill_of_the_driver_alone_its_test_process_ends_what_it_left(where: Where):
    """Only the driver dies: its test process notices, tears down, and ends what carries its
    tag on its node (two daemons and a running remote command) before it exits."""
    proc = where.start(["test_remote_commands_when_the_driver_dies"])
    where.wait_for("started-driver-dies", proc)
    test_pid = int((where.markers / "started-driver-dies").read_text())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 120
    while os.path.exists(f"/proc/{test_pid}") and _read(f"/proc/{test_pid}/stat").rsplit(")", 1)[-1][:3] != " Z ":
        assert time.monotonic() < deadline, "the orphaned test process never ended"
        time.sleep(0.05)
    proc.stdout.close()
    assert len(where.started()) == 3 and where.left_running() == [], where.started()
    (log,) = (where.suite_dir / "results").glob("*/LeftoversTest/*/*/test_log.info")
    assert "the driver is gone: ended 3 processes the test left running" in log.read_text()


def test_a_daemon_double_forked_by_a_passing_test_on_the_embedded_cluster_is_ended(suite_dir: Path):
    """A clean test on LocalhostCluster whose command double-forks a daemon (it escapes the test's
    process group) has it ended when the test ends, and the test's log says so."""
    write_suite(suite_dir, {"daemon/test_daemon.py": """
        import os

        from ducktape.mark.resource import cluster
        from ducktape.tests.test import Test
        from ducktape.utils.util import wait_until


        class DaemonTest(Test):
            @cluster(num_nodes=1)
            def test_starts_a_daemon(self):
                work = self.test_context.globals["dir"]
                with open(os.path.join(work, "daemon.sh"), "w") as script:
                    script.write(f"echo $$ > {work}/daemon.pid; exec sleep 3608\\n")
                # setsid, then the shell's & : the daemon leaves the test's process group and session
                self.test_context.cluster.nodes[0].account.ssh(f"setsid sh {work}/daemon.sh </dev/null >/dev/null 2>&1 &")
                wait_until(lambda: os.path.exists(os.path.join(work, "daemon.pid")), 30)
        """})
    done = run_ducktape(["daemon", "--globals", json.dumps({"dir": str(suite_dir)})], cwd=suite_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    pid = int((suite_dir / "daemon.pid").read_text())
    stat = _read(f"/proc/{pid}/stat")
    assert not stat or stat.rsplit(")", 1)[1].split()[0] == "Z", f"the daemon {pid} outlived its test"
    assert "ended 1 process the test left running" in done.stdout + done.stderr


def _children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        found += [int(p) for p in _read(f"/proc/{pid}/task/{task}/children").split()]
    return found
