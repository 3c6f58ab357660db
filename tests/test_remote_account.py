"""Every account verb, run against a real sshd (RemoteAccount) and locally (LocalAccount).

The same expectations hold for both kinds: that is the point of the shared base.
"""
from __future__ import annotations

import os
import pickle
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from ducktape.cluster.command import (
    RemoteCommandError,
    RemoteCommandTimeoutError,
    SSHOutputIter,
)
from ducktape.cluster.linux_remoteaccount import LinuxRemoteAccount
from ducktape.cluster.local_account import LocalAccount
from ducktape.cluster.mux import SessionMux
from ducktape.cluster.remoteaccount import RemoteAccountSSHConfig
from ducktape.errors import TimeoutError as DucktapeTimeoutError
from tests.support.sshd import free_port


@pytest.fixture(scope="module", params=["remote", "local", "netns", "mux"])
def account(request, loopback_sshd):
    """The same verbs four ways: sshd on loopback, the local account, a namespace node, and
    sshd on loopback through a session multiplexer (cluster/mux) as test processes use it."""
    session_mux = None
    if request.param == "mux":
        session_mux = SessionMux()
        session_mux.start([], include_self=True)
        acct = LinuxRemoteAccount(RemoteAccountSSHConfig(**loopback_sshd.ssh_config("worker1")),
                                  externally_routable_ip="127.0.0.1")
    elif request.param == "remote":
        acct = LinuxRemoteAccount(RemoteAccountSSHConfig(**loopback_sshd.ssh_config("worker1")),
                                  externally_routable_ip="127.0.0.1")
    elif request.param == "local":
        acct = LocalAccount(RemoteAccountSSHConfig("localhost0", hostname="localhost", port=22))
    else:
        node = request.getfixturevalue("netns_cluster").nodes[0]
        acct = LinuxRemoteAccount(RemoteAccountSSHConfig(**node.ssh_config), externally_routable_ip=node.ip)
    yield acct
    acct.close()
    if session_mux is not None:
        session_mux.stop()


@pytest.fixture
def tmp_path(tmp_path_factory):
    """A work dir the driver and every account see at the same path: a namespace node keeps
    /tmp private, but shares /var/tmp with the host."""
    base = tempfile.mkdtemp(prefix="ducktape-acct-", dir="/var/tmp")
    yield Path(base)
    shutil.rmtree(base, ignore_errors=True)


def test_identity(account, request):
    assert account.operating_system == "linux"
    kind = request.node.callspec.params["account"]
    if kind in ("remote", "mux"):
        assert (account.hostname, account.ssh_hostname) == ("worker1", "127.0.0.1")
        assert str(account) == f"{account.user}@worker1"
        assert account.externally_routable_ip == "127.0.0.1"
    elif kind == "local":
        assert (account.hostname, account.ssh_hostname, str(account)) == ("localhost0", "localhost", "localhost0")
        assert account.externally_routable_ip == "127.0.0.1"
    else:
        node = request.getfixturevalue("netns_cluster").nodes[0]
        assert (account.hostname, account.ssh_hostname, str(account)) == (node.hostname, node.ip,
                                                                         f"root@{node.hostname}")
        assert account.ssh_output("hostname") == f"{node.hostname}\n".encode()
        assert account.externally_routable_ip == node.ip


def test_ssh_returns_status_and_raises_with_stderr(account):
    assert account.ssh("true") == 0
    assert account.ssh("exit 3", allow_fail=True) == 3
    with pytest.raises(RemoteCommandError) as info:
        account.ssh("echo out; echo 'it broke' >&2; exit 4")
    err = info.value
    assert err.exit_status == 4 and err.msg == b"it broke\n"
    assert str(err) == (f"{account}: Command 'echo out; echo 'it broke' >&2; exit 4' returned non-zero exit "
                        "status 4. Remote error message: b'it broke\\n'")
    assert err.result.exit_status == 4 and err.result.stdout == b"out\n"


def test_ssh_output_is_bytes_with_stderr_merged_by_default(account):
    assert account.ssh_output("echo a; echo b >&2") == b"a\nb\n"
    assert account.ssh_output("echo a; echo b >&2", combine_stderr=False) == b"a\n"
    assert account.ssh_output("printf 'no newline'") == b"no newline"
    assert account.ssh_output("exit 1", allow_fail=True) == b""
    big = account.ssh_output("head -c 3000000 /dev/zero")
    assert len(big) == 3000000


def test_commands_do_not_read_our_stdin_and_keep_quotes(account):
    assert account.ssh_output("cat; echo done") == b"done\n"
    assert account.ssh_output("""echo "it's" 'a "test"' $((1+2))""") == b"it's a \"test\" 3\n"
    assert account.ssh_output("echo first\necho second") == b"first\nsecond\n"
    assert account.ssh("echo 'unbalanced", allow_fail=True) != 0
    assert account.ssh_output("echo still fine") == b"still fine\n"


def test_ssh_capture_streams_lines_and_checks_status_at_the_end(account):
    lines = account.ssh_capture("for i in 1 2 3; do echo $i; done")
    assert isinstance(lines, SSHOutputIter)
    assert list(lines) == ["1\n", "2\n", "3\n"]
    assert [p for p in account.ssh_capture("echo 7; echo 8", callback=int)] == [7, 8]
    failing = account.ssh_capture("echo partial; echo boom >&2; exit 2", combine_stderr=False)
    assert next(failing) == "partial\n"
    with pytest.raises(RemoteCommandError) as info:
        next(failing)
    assert info.value.exit_status == 2 and info.value.msg == b"boom\n"
    assert list(account.ssh_capture("echo x; exit 5", allow_fail=True)) == ["x\n"]


def test_ssh_capture_has_next_with_timeout(account):
    it = account.ssh_capture("echo early; sleep 1; echo late")
    assert it.has_next(timeout_sec=5)
    assert next(it) == "early\n"
    assert not it.has_next(timeout_sec=0.1)
    assert it.has_next(timeout_sec=10)
    assert next(it) == "late\n"
    assert not it.has_next()


def test_timeout_kills_the_command_and_its_children(account, tmp_path):
    marker = tmp_path / "pid"
    with pytest.raises(RemoteCommandTimeoutError) as info:
        account.ssh_output(f"sleep 60 & echo $! > {marker}; sleep 61", timeout_sec=0.5)
    assert "timed out" in str(info.value) and str(account) in str(info.value)
    child = int(marker.read_text())
    deadline = time.monotonic() + 5
    while account.alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not account.alive(child)
    assert account.ssh_output("echo next") == b"next\n"


def test_files_create_open_exists(account, tmp_path):
    path = str(tmp_path / "f.txt")
    account.create_file(path, "hello\n")
    with account.open(path) as handle:
        assert handle.read() in ("hello\n", b"hello\n")
    link = str(tmp_path / "link")
    os.symlink(path, link)
    dangling = str(tmp_path / "dangling")
    os.symlink(str(tmp_path / "nowhere"), dangling)
    assert account.isfile(path) and account.isfile(link) and not account.isdir(path)
    assert account.isdir(str(tmp_path)) and not account.isfile(str(tmp_path))
    assert account.islink(link) and not account.islink(path)
    assert account.exists(dangling) and not account.isfile(dangling)
    assert not account.exists(str(tmp_path / "missing"))
    assert not account.isfile(str(tmp_path / "missing")) and not account.isdir(str(tmp_path / "missing"))


def test_mkdir_mkdirs_remove(account, tmp_path):
    one = str(tmp_path / "one")
    account.mkdir(one)
    assert os.path.isdir(one)
    deep = str(tmp_path / "a b" / "c'd" / "e")
    account.mkdirs(shlex.quote(deep), mode=0o700)  # shell text, as upstream: the caller quotes
    assert os.path.isdir(deep) and (os.stat(deep).st_mode & 0o777) == 0o700
    account.remove(shlex.quote(str(tmp_path / "a b")))
    assert not os.path.exists(tmp_path / "a b")
    with pytest.raises(RemoteCommandError):
        account.remove(str(tmp_path / "absent"))
    account.remove(str(tmp_path / "absent"), allow_fail=True)


def test_copy_to_and_from_files_and_trees(account, tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("a")
    (src / "sub" / "b.bin").write_bytes(os.urandom(200_000))
    remote = tmp_path / "remote"
    remote.mkdir()
    account.copy_to(str(src), str(remote))  # existing dir: basename placed inside
    assert (remote / "src" / "sub" / "b.bin").read_bytes() == (src / "sub" / "b.bin").read_bytes()
    account.copy_to(str(src / "a.txt"), str(remote / "renamed.txt"))
    assert (remote / "renamed.txt").read_text() == "a"
    back = tmp_path / "back"
    back.mkdir()
    account.copy_from(str(remote / "src"), str(back))
    assert (back / "src" / "a.txt").read_text() == "a"
    assert (back / "src" / "sub" / "b.bin").read_bytes() == (src / "sub" / "b.bin").read_bytes()
    account.copy_from(str(remote / "renamed.txt"), str(back / "file.txt"))
    assert (back / "file.txt").read_text() == "a"
    account.copy_from(str(remote / "does-not-exist"), str(back))
    assert sorted(os.listdir(back)) == ["file.txt", "src"]


def test_monitor_log_waits_for_new_lines_only(account, tmp_path):
    log = str(tmp_path / "app.log")
    account.create_file(log, "old ready line\n")
    with account.monitor_log(log) as monitor:
        assert monitor.offset == len("old ready line\n")
        with pytest.raises(DucktapeTimeoutError):
            monitor.wait_until("ready", timeout_sec=0.3, backoff_sec=0.05)
        account.ssh(f"echo 'now it is ready' >> {log}")
        monitor.wait_until("it is ready", timeout_sec=5, backoff_sec=0.05, err_msg="never ready")
        monitor.offset = 0
        monitor.wait_until("old ready", timeout_sec=5, backoff_sec=0.05)
    with account.monitor_log(str(tmp_path / "missing.log")) as monitor:
        assert monitor.offset == 0


def _spawn(account, tag, tmp_path):
    script = tmp_path / f"{tag}.sh"
    script.write_text("sleep 60\n")
    pidfile = tmp_path / f"{tag}.pid"
    account.ssh(f"nohup bash {script} '{tag}' >/dev/null 2>&1 & echo $! > {pidfile}")
    return int(pidfile.read_text())


def test_processes_signal_alive_kill_process(account, tmp_path):
    tag = f"dt-proc-{os.getpid()}-{type(account).__name__}"
    pid = _spawn(account, tag, tmp_path)
    assert account.alive(pid)
    account.signal(pid, signal.SIGSTOP)
    account.signal(pid, signal.SIGCONT)
    assert account.alive(pid)
    victim = tmp_path / "injected"
    nothing = f"dt-nothing-{os.getpid()}"  # matches only our own command lines
    account.kill_process(shlex.quote(f"{nothing}; touch {victim}; echo"))  # quoted by the caller: data
    assert not victim.exists()
    account.kill_process(f"{nothing}; touch {victim}; echo", allow_fail=True)  # unquoted: shell syntax, as upstream
    assert victim.exists()
    assert account.alive(pid)
    account.kill_process(tag.upper())  # grep -i semantics
    deadline = time.monotonic() + 5
    while account.alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not account.alive(pid)
    assert not account.alive(2**22 + 12345)


def test_java_pids_without_jcmd_is_empty(account):
    assert account.java_pids("kafka.Kafka") == []
    account.kill_java_processes("kafka.Kafka")


def test_pickles_and_closes_twice(account):
    account.ssh("true")
    clone = pickle.loads(pickle.dumps(account))
    assert clone.hostname == account.hostname and clone.ssh_config == account.ssh_config
    assert clone.ssh_output("echo from clone") == b"from clone\n"
    clone.close()
    clone.close()


def test_available_is_true_for_a_live_node(account):
    assert account.available() is True


def test_local_account_really_runs_locally():
    acct = LocalAccount(RemoteAccountSSHConfig("localhost3", hostname="localhost"))
    assert acct.ssh_output("echo $$").strip().isdigit()
    out = subprocess.run(["hostname"], capture_output=True, text=True, check=True).stdout.strip()
    assert acct.ssh_output("hostname").decode().strip() == out


def test_concurrent_commands_from_many_threads(account):
    from concurrent.futures import ThreadPoolExecutor

    def work(i):
        return [account.ssh_output(f"echo {i}-{j}") for j in range(10)]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(8)))
    assert results == [[f"{i}-{j}\n".encode() for j in range(10)] for i in range(8)]


def test_ssh_capture_edges(account):
    assert list(account.ssh_capture("printf 'a\\nb'")) == ["a\n", "b"]
    assert list(account.ssh_capture("true")) == []
    assert list(account.ssh_capture("echo; echo")) == ["\n", "\n"]
    many = list(account.ssh_capture("seq 1 20000"))
    assert len(many) == 20000 and many[-1] == "20000\n"
    noisy = account.ssh_capture("head -c 5000000 /dev/zero >&2; echo done", combine_stderr=False)
    assert list(noisy) == ["done\n"]
    for _ in range(6):  # abandoned iterators must not use up the node's shells or channels
        it = account.ssh_capture("seq 1 100000")
        assert next(it) == "1\n"
        it.iter_obj.close()
        del it
    assert account.ssh_output("echo after") == b"after\n"
    assert list(account.ssh_capture("echo last")) == ["last\n"]


def test_wait_for_http_service(account, tmp_path):
    """An HTTP server started on the node, reached at the node's routable address."""
    port, pid_file = free_port(), tmp_path / "http.pid"
    account.ssh(f"nohup /usr/bin/python3 -m http.server {port} --directory {tmp_path} "
                f"--bind {account.externally_routable_ip} >/dev/null 2>&1 & echo $! > {pid_file}")
    try:
        account.wait_for_http_service(port, headers={}, timeout=10)
        with pytest.raises(DucktapeTimeoutError):
            account.wait_for_http_service(free_port(), headers={}, timeout=0.5)
    finally:
        account.signal(int(pid_file.read_text()), signal.SIGTERM, allow_fail=True)


def test_errors_pickle_and_deprecated_scp_aliases(account, tmp_path):
    with pytest.raises(RemoteCommandError) as info:
        account.ssh("echo nope >&2; exit 9")
    clone = pickle.loads(pickle.dumps(info.value))
    assert str(clone) == str(info.value) and clone.exit_status == 9 and clone.result == info.value.result
    with pytest.raises(RemoteCommandTimeoutError) as timed_out:
        account.ssh("sleep 30", timeout_sec=0.2)
    assert str(pickle.loads(pickle.dumps(timed_out.value))) == str(timed_out.value)
    src = tmp_path / "s.txt"
    src.write_text("s")
    with pytest.warns(UserWarning, match="copy_to"):
        account.scp_to(str(src), str(tmp_path / "t.txt"))
    with pytest.warns(UserWarning, match="copy_from"):
        account.scp_from(str(tmp_path / "t.txt"), str(tmp_path / "u.txt"))
    assert (tmp_path / "u.txt").read_text() == "s"


def _pipes() -> int:
    """How many OS pipes this process has open."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:")
        except OSError:
            pass
    return count


def test_reading_a_command_makes_no_os_pipe(account):
    """Waiting for output must not go through a channel's fileno(): paramiko backs it with an
    OS pipe its transport thread writes to, and closing a channel while output still arrives
    (an abandoned iterator) makes that write fail and ends the node's whole connection."""
    if account.__class__.__name__ == "LocalAccount":  # no channels: a subprocess per command
        assert list(account.ssh_capture("echo local")) == ["local\n"]
        return
    account.ssh_output("true")  # connected, one shell up
    before = _pipes()
    streams = [account.ssh_capture("echo open; sleep 30") for _ in range(8)]
    assert [next(s) for s in streams] == ["open\n"] * 8
    assert account.ssh_output("echo still") == b"still\n"
    assert _pipes() == before  # (over the mux each stream is a Unix socket: that is no pipe)
    for s in streams:
        s.iter_obj.close()
    assert account.ssh_output("echo after") == b"after\n"
