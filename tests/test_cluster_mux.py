"""The session multiplexer (cluster/mux) against a real sshd on loopback: one SSH connection
per node serves every test process, and what one process does to its channels (dying, walking
away from a stream) touches no other; a lost node connection and a lost mux fail clearly."""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import time

import pytest

from ducktape.cluster import mux
from ducktape.cluster.cluster_file import ClusterFileError
from ducktape.cluster.command import NodeConnectionError
from ducktape.cluster.linux_remoteaccount import LinuxRemoteAccount
from ducktape.cluster.mux.client import MuxConnection
from ducktape.cluster.remoteaccount import RemoteAccountSSHConfig, connect_together
from ducktape.utils.util import wait_until
from tests.support.sshd import _children, start_sshd
from tests.support.suites import copy_data, run_ducktape

FORK = multiprocessing.get_context("fork")


def _account(sshd, alias: str = "w1") -> LinuxRemoteAccount:
    return LinuxRemoteAccount(RemoteAccountSSHConfig(**sshd.ssh_config(alias)), externally_routable_ip="127.0.0.1")


@pytest.fixture
def session_mux(private_sshd, tmp_path):
    """A mux started as the driver starts it: only processes forked afterwards use it."""
    handle = mux.SessionMux()
    handle.start([RemoteAccountSSHConfig(**private_sshd.ssh_config("w1"))], str(tmp_path / "mux.log"))
    try:
        yield handle
    finally:
        handle.stop()


def _status(sshd) -> dict:
    """What the mux holds for the node (asked from here, the driver, which itself never uses it)."""
    return MuxConnection(mux._endpoint["path"], RemoteAccountSSHConfig(**sshd.ssh_config("w1")), print).status()


def _in_child(target, *args) -> int:
    proc = FORK.Process(target=target, args=args)
    proc.start()
    proc.join(60)
    return proc.exitcode


def _run_commands(sshd, out_path: str) -> None:
    account = _account(sshd)
    lines = [account.ssh_output(f"echo {i}").decode() for i in range(3)]
    account.create_file(f"{out_path}.remote", "written over the mux")
    lines.append(account.ssh_output(f"cat {out_path}.remote").decode())
    lines.append(type(account._conn).__name__)
    with open(out_path, "w") as out:
        out.write(json.dumps(lines))
    account.close()


def test_one_connection_serves_every_test_process(private_sshd, session_mux, tmp_path):
    wait_until(lambda: _status(private_sshd)["active"], 20, backoff_sec=0.05)
    for i in range(4):
        assert _in_child(_run_commands, private_sshd, str(tmp_path / f"out{i}")) == 0
        lines = json.loads((tmp_path / f"out{i}").read_text())
        assert lines == ["0\n", "1\n", "2\n", "written over the mux", "MuxConnection"]
    # sshd forks one process per TCP connection: the mux's, nothing else
    assert len(_children(private_sshd.pid)) == 1
    wait_until(lambda: _status(private_sshd)["channels"] == 0, 10, backoff_sec=0.05,
               err_msg="the children's channels outlived them")


def _sleep_forever(sshd, marker: str) -> None:
    _account(sshd).ssh(f"sh -c 'sleep 300; true' {marker}")


def test_a_killed_test_process_leaves_no_channel_behind(private_sshd, session_mux):
    marker = f"mux-killed-{os.getpid()}"
    proc = FORK.Process(target=_sleep_forever, args=(private_sshd, marker))
    proc.start()
    driver = _account(private_sshd)  # the driver's own, direct connection
    wait_until(lambda: marker.encode() in driver.ssh_output("ps -eo args", allow_fail=True), 20, backoff_sec=0.05)
    assert _status(private_sshd)["channels"] >= 1
    os.kill(proc.pid, signal.SIGKILL)
    proc.join()
    wait_until(lambda: _status(private_sshd)["channels"] == 0, 10, backoff_sec=0.05,
               err_msg="the killed process's channel is still open")
    # the runner ends a killed test's remote processes by their tag; here we end the sleep ourselves
    driver.ssh(f"pkill -f '{marker}'", allow_fail=True)
    driver.close()


def _shell_pid(sshd, out_path: str, then: str = "") -> None:
    """Write the PID of the shell this process's commands run in (bash keeps ``$$`` in the
    subshell each command gets), then run *then* in it, then close the account."""
    account = _account(sshd)
    lines = [account.ssh_output("echo $$").decode().strip()]
    if then:
        lines.append(account.ssh_output(then).decode().strip())
    with open(out_path, "w") as out:
        out.write(json.dumps(lines))
    account.close()


def test_an_idle_shell_serves_the_next_test_process(private_sshd, session_mux, tmp_path):
    wait_until(lambda: _status(private_sshd)["active"], 20, backoff_sec=0.05)
    pids = []
    for i in range(3):
        assert _in_child(_shell_pid, private_sshd, str(tmp_path / f"out{i}")) == 0
        pids.append(json.loads((tmp_path / f"out{i}").read_text())[0])
    assert pids[0].isdigit() and pids == [pids[0]] * 3  # one login shell for all three processes
    wait_until(lambda: _status(private_sshd)["channels"] == 0, 10, backoff_sec=0.05)


def test_a_shell_a_daemon_still_writes_to_is_not_given_back(private_sshd, session_mux, tmp_path):
    """A process an earlier test left holding the shell's output could write into the next
    test's commands: that shell is closed, and the next test process gets its own."""
    wait_until(lambda: _status(private_sshd)["active"], 20, backoff_sec=0.05)
    assert _in_child(_shell_pid, private_sshd, str(tmp_path / "first"), "sleep 30 & echo $!") == 0
    first_shell, daemon = json.loads((tmp_path / "first").read_text())
    driver = _account(private_sshd)
    try:
        assert _in_child(_shell_pid, private_sshd, str(tmp_path / "second")) == 0
        second_shell = json.loads((tmp_path / "second").read_text())[0]
        assert second_shell.isdigit() and second_shell != first_shell
        assert _in_child(_shell_pid, private_sshd, str(tmp_path / "third")) == 0
        assert json.loads((tmp_path / "third").read_text())[0] == second_shell  # a clean one is kept
    finally:
        driver.ssh(f"kill {int(daemon)}", allow_fail=True)
        driver.close()


def _shell_pid_then_hang(sshd, out_path: str, marker: str) -> None:
    account = _account(sshd)
    with open(out_path, "w") as out:
        out.write(account.ssh_output("echo $$").decode().strip())
    account.ssh(f"sh -c 'sleep 300; true' {marker}")  # the same idle shell runs it


def test_the_shell_of_a_killed_test_process_is_not_given_back(private_sshd, session_mux, tmp_path):
    wait_until(lambda: _status(private_sshd)["active"], 20, backoff_sec=0.05)
    marker = f"mux-shell-killed-{os.getpid()}"
    proc = FORK.Process(target=_shell_pid_then_hang, args=(private_sshd, str(tmp_path / "killed"), marker))
    proc.start()
    driver = _account(private_sshd)
    try:
        wait_until(lambda: marker.encode() in driver.ssh_output("ps -eo args", allow_fail=True), 20, backoff_sec=0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        killed_shell = (tmp_path / "killed").read_text()
        assert _in_child(_shell_pid, private_sshd, str(tmp_path / "next")) == 0
        next_shell = json.loads((tmp_path / "next").read_text())[0]
        assert next_shell.isdigit() and killed_shell.isdigit() and next_shell != killed_shell
    finally:
        driver.ssh(f"pkill -f '{marker}'", allow_fail=True)
        driver.close()


def _abandon_a_stream(sshd, out_path: str) -> None:
    account = _account(sshd)
    stream = account.ssh_capture("yes mux-abandoned")
    assert next(stream) == "mux-abandoned\n"  # then never read again: its window fills up
    results = [account.ssh_output(f"echo other-{i}").decode() for i in range(5)]
    big = account.ssh_output("head -c 8000000 /dev/zero | tr '\\0' a")
    with open(out_path, "w") as out:
        out.write(json.dumps({"results": results, "big": len(big), "all_a": set(big) == {ord("a")}}))


def test_an_abandoned_capture_does_not_disturb_other_channels(private_sshd, session_mux, tmp_path):
    assert _in_child(_abandon_a_stream, private_sshd, str(tmp_path / "out")) == 0
    got = json.loads((tmp_path / "out").read_text())
    assert got == {"results": [f"other-{i}\n" for i in range(5)], "big": 8000000, "all_a": True}
    wait_until(lambda: _status(private_sshd)["channels"] == 0, 10, backoff_sec=0.05)


def _copy_both_ways(sshd, src: str, back: str) -> None:
    account = _account(sshd)
    account.copy_to(src, "/var/tmp/mux-copy.bin")
    account.copy_from("/var/tmp/mux-copy.bin", back)
    account.ssh("rm -f /var/tmp/mux-copy.bin")


def test_files_copy_through_the_mux_unchanged(private_sshd, session_mux, tmp_path):
    src, back = tmp_path / "src.bin", tmp_path / "back.bin"
    src.write_bytes(os.urandom(12 * 1024 * 1024))
    assert _in_child(_copy_both_ways, private_sshd, str(src), str(back)) == 0
    assert hashlib.sha256(back.read_bytes()).digest() == hashlib.sha256(src.read_bytes()).digest()


def _command_outcomes(sshd, out_path: str, pause_path: str) -> None:
    account = _account(sshd)
    outcomes = [account.ssh_output("echo before").decode()]
    with open(out_path, "w") as out:
        out.write(json.dumps(outcomes))
    while not os.path.exists(pause_path):  # the parent breaks something meanwhile
        time.sleep(0.02)
    for _ in range(2):
        try:
            outcomes.append(account.ssh_output("echo after").decode())
        except NodeConnectionError as err:
            outcomes.append(f"error: {err}")
    with open(out_path, "w") as out:
        out.write(json.dumps(outcomes))


def _break_and_collect(sshd, tmp_path, breaker) -> list:
    out, go = tmp_path / "out", tmp_path / "go"
    proc = FORK.Process(target=_command_outcomes, args=(sshd, str(out), str(go)))
    proc.start()
    wait_until(lambda: out.exists(), 30, backoff_sec=0.05)
    breaker()
    go.touch()
    proc.join(60)
    assert proc.exitcode == 0
    return json.loads(out.read_text())


def test_a_dropped_node_connection_is_reconnected(private_sshd, session_mux, tmp_path):
    def cut() -> None:
        (session_connection,) = _children(private_sshd.pid)
        os.kill(session_connection, signal.SIGKILL)  # the node side of the mux's connection dies
        wait_until(lambda: not _children(private_sshd.pid), 10, backoff_sec=0.05)

    assert _break_and_collect(private_sshd, tmp_path, cut) == ["before\n", "after\n", "after\n"]


def test_an_unreachable_node_fails_the_command_clearly(private_sshd, session_mux, tmp_path):
    outcomes = _break_and_collect(private_sshd, tmp_path, private_sshd.stop)
    assert outcomes[0] == "before\n"
    for outcome in outcomes[1:]:
        assert outcome.startswith("error: ") and "w1" in outcome, outcome


def test_a_dead_mux_fails_the_commands_that_need_it_with_a_clear_error(private_sshd, session_mux, tmp_path):
    def kill_mux() -> None:
        os.kill(session_mux.pid, signal.SIGKILL)

    outcomes = _break_and_collect(private_sshd, tmp_path, kill_mux)
    assert outcomes[0] == "before\n"
    for outcome in outcomes[1:]:
        assert "multiplexer" in outcome and "--no-mux" in outcome, outcome


def test_the_mux_exits_when_the_driver_stops_it(private_sshd, session_mux):
    pid = session_mux.pid
    session_mux.stop()
    assert not os.path.exists(f"/proc/{pid}")  # exited and reaped
    assert mux.endpoint() is None and not mux.running()


def test_status_questions_share_one_connection_to_the_mux(private_sshd, session_mux):
    """The driver asks at every allocation whether the node's connection is up: one connection
    to the mux answers them all, and still sees the node go."""
    conn = MuxConnection(mux._endpoint["path"], RemoteAccountSSHConfig(**private_sshd.ssh_config("w1")), print)
    try:
        assert conn.status(connect=True)["active"]
        asked = conn._status_sock
        assert conn.connected() and conn.connected() and conn._status_sock is asked
        private_sshd.stop()  # ends the mux's connection to the node
        wait_until(lambda: not conn.connected(), timeout_sec=30, err_msg="the status never showed the node gone")
        assert conn._status_sock is asked
    finally:
        conn.close()
    assert conn._status_sock is None and asked.fileno() == -1


def _group_of_a_test_process(sshd) -> None:
    account = _account(sshd)
    connect_together([account])
    os._exit(0 if account._group is None else 1)


def test_a_test_process_under_the_mux_connects_nothing_ahead(private_sshd, session_mux):
    """Its nodes' connections are the mux's, open since the session started: no handshake to
    start ahead, so no thread and no request per node."""
    assert _in_child(_group_of_a_test_process, private_sshd) == 0


def _start_mux_and_wait(sshd, log: str, out: str) -> None:
    handle = mux.SessionMux()
    handle.start([RemoteAccountSSHConfig(**sshd.ssh_config("w1"))], log)
    with open(out, "w") as f:
        f.write(json.dumps({"pid": handle.pid, "dir": handle._dir}))
    time.sleep(120)


def test_the_mux_cleans_up_after_a_killed_driver(private_sshd, tmp_path):
    """A SIGKILLed driver cannot remove the mux's socket directory: the mux does, as it exits."""
    out = tmp_path / "mux.json"
    driver = FORK.Process(target=_start_mux_and_wait, args=(private_sshd, str(tmp_path / "mux.log"), str(out)))
    driver.start()
    wait_until(lambda: out.exists() and out.read_text(), timeout_sec=30, err_msg="the driver started no mux")
    started = json.loads(out.read_text())
    assert os.path.exists(os.path.join(started["dir"], "mux.sock"))
    os.kill(driver.pid, signal.SIGKILL)
    driver.join(10)
    wait_until(lambda: not os.path.exists(started["dir"]), timeout_sec=30, err_msg="the socket directory is left")


def test_flags_and_cluster_file_setting_choose(tmp_path):
    path = tmp_path / "cluster.json"
    path.write_text(json.dumps({"settings": {"mux": False}, "nodes": []}))
    assert mux.wanted(False, False, str(path)) is False
    assert mux.wanted(True, False, str(path)) is True  # --mux wins over the file
    path.write_text(json.dumps({"settings": {"mux": True}, "nodes": []}))
    assert mux.wanted(False, False, str(path)) is True
    assert mux.wanted(True, True, str(path)) is False  # --no-mux wins over everything
    assert mux.wanted(False, False, None) is mux.DEFAULT_ON
    path.write_text(json.dumps({"settings": {"mux": "yes"}, "nodes": []}))
    with pytest.raises(ClusterFileError, match="settings.mux"):
        mux.wanted(False, False, str(path))


@pytest.fixture
def logging_sshd(tmp_path):
    """A private sshd that logs each login to its sshd.log."""
    server = start_sshd(tmp_path / "sshd", log_level="INFO")
    try:
        yield server
    finally:
        server.stop()


def test_a_session_over_the_mux(logging_sshd, suite_dir):
    """The runner's test processes and the driver's health checks use the mux: one sshd login
    per node for the whole session (and no spare sockets)."""
    copy_data("runner/mux", suite_dir / "mux")
    cluster_file = suite_dir / "cluster.json"
    cluster_file.write_text(json.dumps(logging_sshd.cluster_json(["n1", "n2"])))
    result = run_ducktape(["mux", "--cluster-file", str(cluster_file), "--mux", "--max-parallel", "2"], suite_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((suite_dir / "results" / "latest" / "report.json").read_text())
    results = report["results"]
    assert len(results) == 6 and {r["test_status"] for r in results} == {"PASS"}, results
    assert {tuple(r["data"]["connections"]) for r in results} == {("MuxConnection",)}
    assert {tuple(r["data"]["outputs"]) for r in results} == {("ok\n",)}
    # two nodes: the mux's one login to each, for six tests two at a time and every health check
    # (counted in sshd's own log: a closed connection's sshd process may linger a while)
    logins = [line for line in (logging_sshd.workdir / "sshd.log").read_text().splitlines()
              if line.startswith("Accepted publickey")]
    assert len(logins) == 2, logins
    assert (suite_dir / "results" / "latest" / "mux.log").exists()


def test_no_mux_turns_it_off_whatever_the_cluster_file_says(private_sshd, suite_dir):
    copy_data("runner/mux", suite_dir / "mux")
    cluster_file = suite_dir / "cluster.json"
    cluster_file.write_text(json.dumps({"settings": {"mux": True}, **private_sshd.cluster_json(["n1"])}))
    result = run_ducktape(["mux/test_over_mux.py::OverMuxTest.test_one_node", "--cluster-file", str(cluster_file),
                           "--no-mux"], suite_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((suite_dir / "results" / "latest" / "report.json").read_text())
    assert {tuple(r["data"]["connections"]) for r in report["results"]} == {("SSHConnection",)}
    assert not (suite_dir / "results" / "latest" / "mux.log").exists()


def _many_channels(sshd, out_path: str) -> None:
    account = _account(sshd)
    streams = [account.ssh_capture(f"echo stream-{i}; sleep 5") for i in range(5)]
    firsts = [next(s) for s in streams]
    outputs = [account.ssh_output(f"echo cmd-{i}").decode() for i in range(3)]
    with open(out_path, "w") as out:
        out.write(json.dumps({"firsts": firsts, "outputs": outputs}))


def test_a_node_that_caps_channels_gets_another_connection(tmp_path):

    sshd = start_sshd(tmp_path / "sshd", "Match all\n    MaxSessions 2\n")
    handle = mux.SessionMux()
    try:
        handle.start([], str(tmp_path / "mux.log"))
        assert _in_child(_many_channels, sshd, str(tmp_path / "out")) == 0
        got = json.loads((tmp_path / "out").read_text())
        assert got == {"firsts": [f"stream-{i}\n" for i in range(5)], "outputs": [f"cmd-{i}\n" for i in range(3)]}
        assert "channel limit reached" in (tmp_path / "mux.log").read_text()
    finally:
        handle.stop()
        sshd.stop()
