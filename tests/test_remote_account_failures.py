"""RemoteAccount against sshds that are stopped, refuse our key, or go away mid-session."""
from __future__ import annotations

import multiprocessing
import pickle
import socket
import threading
import time

import paramiko
import pytest

from ducktape.cluster import ssh
from ducktape.cluster.command import NodeConnectionError
from ducktape.cluster.linux_remoteaccount import LinuxRemoteAccount
from ducktape.cluster.remoteaccount import (
    IgnoreMissingHostKeyPolicy,
    RemoteAccountSSHConfig,
)
from tests.support.sshd import free_port, keygen


def make_account(config: dict, **kwargs) -> LinuxRemoteAccount:
    return LinuxRemoteAccount(RemoteAccountSSHConfig(**config), **kwargs)


def test_real_paramiko_objects(loopback_sshd):
    acct = make_account(loopback_sshd.ssh_config("n1"))
    try:
        client = acct.ssh_client
        assert isinstance(client, paramiko.SSHClient) and client.get_transport().is_active()
        assert isinstance(acct.sftp_client, paramiko.SFTPClient)
        assert acct.ssh_client is client  # one connection, reused
        assert issubclass(IgnoreMissingHostKeyPolicy, paramiko.MissingHostKeyPolicy)
    finally:
        acct.close()
        acct.close()


def test_stopped_sshd_gives_clear_error_and_unavailable(private_sshd):
    config = private_sshd.ssh_config("deadnode")
    private_sshd.stop()
    acct = make_account(config)
    with pytest.raises(NodeConnectionError) as info:
        acct.ssh("true")
    text = str(info.value)
    assert "deadnode" in text and f"127.0.0.1:{private_sshd.port}" in text
    assert "NoValidConnectionsError" in text or "Unable to connect" in text
    assert acct.available() is False
    assert not acct.isfile("/etc/passwd") and not acct.exists("/")  # contract: False on any error


def test_refused_key_names_authentication(private_sshd, tmp_path):
    config = private_sshd.ssh_config("keynode")
    config["identityfile"] = str(keygen(tmp_path / "stranger"))
    acct = make_account(config)
    with pytest.raises(NodeConnectionError) as info:
        acct.ssh_output("true")
    assert "keynode" in str(info.value) and "Authentication" in str(info.value)
    assert isinstance(info.value.__cause__, paramiko.AuthenticationException)


def test_ssh_checker_functions_are_called(tmp_path):
    seen = []
    config = {"host": "ghost", "hostname": "127.0.0.1", "port": free_port(), "connecttimeout": 2}
    acct = make_account(config, ssh_exception_checks=[lambda err, account: seen.append((type(err), account))])
    with pytest.raises(NodeConnectionError):
        acct.ssh("true")
    assert len(seen) == 1 and seen[0][1] is acct
    assert issubclass(seen[0][0], OSError)  # the original SSH-level error, before wrapping


def test_reconnects_after_sshd_restart_and_copy_from_raises_when_dead(private_sshd, tmp_path):
    acct = make_account(private_sshd.ssh_config("bouncy"))
    remote_file = tmp_path / "log.txt"
    remote_file.write_text("data")
    assert acct.ssh_output("echo up") == b"up\n"
    private_sshd.stop()
    dest = tmp_path / "copied"
    dest.mkdir()
    with pytest.raises(NodeConnectionError):
        acct.copy_from(str(remote_file), str(dest))
    assert list(dest.iterdir()) == []
    private_sshd.start()
    assert acct.ssh_output("echo back") == b"back\n"
    acct.copy_from(str(remote_file), str(dest))
    assert (dest / "log.txt").read_text() == "data"
    acct.close()


def test_pickle_while_connected_drops_the_connection(loopback_sshd):
    acct = make_account(loopback_sshd.ssh_config("n2"), node_type="large")
    acct.ssh("true")
    clone = pickle.loads(pickle.dumps(acct))
    assert clone == acct and hash(clone) == hash(acct) and clone.node_type == "large"
    assert clone._conn is None
    assert clone.ssh_output("echo ok") == b"ok\n"
    clone.close()
    acct.close()


def test_missing_remote_files_raise_file_errors_not_connection_errors(loopback_sshd, tmp_path):
    acct = make_account(loopback_sshd.ssh_config("n3"))
    try:
        with pytest.raises(FileNotFoundError):
            acct.open(str(tmp_path / "missing.txt"))
        with pytest.raises(FileNotFoundError):
            acct.create_file(str(tmp_path / "no-such-dir" / "f.txt"), "x")
        with pytest.raises(FileNotFoundError):
            acct.copy_to(str(tmp_path / "no-such-local-file"), str(tmp_path))
        acct.copy_from(str(tmp_path / "missing.txt"), str(tmp_path / "dest"))  # contract: copies nothing
        assert not (tmp_path / "dest").exists()
    finally:
        acct.close()


def test_transient_banner_errors_are_retried_and_the_cause_kept():
    accepted = []
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        port = server.getsockname()[1]

        def hang_up():
            while len(accepted) < ssh.CONNECT_ATTEMPTS:
                conn, _ = server.accept()
                accepted.append(conn)
                conn.close()  # no banner: paramiko reports a banner error

        thread = threading.Thread(target=hang_up, daemon=True)
        thread.start()
        acct = make_account({"host": "flaky", "hostname": "127.0.0.1", "port": port, "connecttimeout": 5})
        with pytest.raises(NodeConnectionError) as info:
            acct.ssh("true")
        thread.join(10)
    assert len(accepted) == ssh.CONNECT_ATTEMPTS
    assert "flaky" in str(info.value) and "banner" in str(info.value).lower()
    assert isinstance(info.value.__cause__, paramiko.SSHException)


def test_forked_child_gets_its_own_connection_and_parent_keeps_its_own(loopback_sshd):
    acct = make_account(loopback_sshd.ssh_config("forky"))
    assert acct.ssh_output("echo parent") == b"parent\n"
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()

    def child():
        out = acct.ssh_output("echo child", timeout_sec=20)
        acct.close()
        results.put(out)

    proc = ctx.Process(target=child)
    proc.start()
    proc.join(30)
    assert proc.exitcode == 0 and results.get(timeout=5) == b"child\n"
    assert acct.ssh_output("echo parent again") == b"parent again\n"
    acct.close()


def test_node_without_usable_shell_falls_back_to_exec_channels(loopback_sshd, monkeypatch):
    from ducktape.cluster import shell

    monkeypatch.setattr(shell, "START_SHELL", "exit 127")  # as on a node without bash
    acct = make_account(loopback_sshd.ssh_config("nobash"))
    try:
        assert acct.ssh_output("echo via exec; echo err >&2") == b"via exec\nerr\n"
        assert acct._pool.disabled
        assert acct.ssh("exit 3", allow_fail=True) == 3
        assert list(acct.ssh_capture("echo a; echo b")) == ["a\n", "b\n"]
    finally:
        acct.close()


def test_stray_background_output_does_not_leak_into_later_commands(loopback_sshd):
    acct = make_account(loopback_sshd.ssh_config("stray"))
    try:
        assert acct.ssh_output("(sleep 0.3; echo stray) &") == b""
        time.sleep(0.8)
        assert acct.ssh_output("echo clean") == b"clean\n"
    finally:
        acct.close()


def test_output_right_after_the_end_markers_does_not_hang_the_command(loopback_sshd, tmp_path):
    """A background process an earlier command left on the channel writes just after the
    next command's end markers (as bash does, reporting "Killed" for a job of ``a && b &``):
    the command still completes, and the shell is not reused."""
    from ducktape.cluster.shell import RemoteShell

    acct = make_account(loopback_sshd.ssh_config("late"))
    go, wrote = tmp_path / "go", tmp_path / "wrote"
    try:
        acct.ssh_output("true")
        shell = RemoteShell(acct._conn.open_channel())
        # waits for the next command, then for its shell to be back in read() on stdin,
        # i.e. past both end markers, then writes on the channel's stderr and stdout
        late = (f"( until [ -e {go} ]; do sleep 0.01; done; "
                f"until grep -q '^0 0x0 ' /proc/$$/syscall; do sleep 0.01; done; "
                f"echo late; echo late >&2; touch {wrote} ) &")
        assert shell.run(late, False, time.monotonic() + 30, print)[0] == 0
        tok = shell.start(f"touch {go}; echo done", False)
        deadline = time.monotonic() + 30
        while not wrote.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert wrote.exists()
        time.sleep(0.2)  # the late output has reached the driver's side of the channel
        assert shell.collect(tok, time.monotonic() + 10, print) == (0, b"done\n", b"")
        assert not shell.usable()
        shell.close()
    finally:
        acct.close()
