"""Searching a node for the processes carrying a test's tag, over real SSH (sshd on loopback).

After every test the runner asks each node which of the test's processes still run. A command
shell answers that itself, with builtins (no process started on the node), and says in the same
round trip whether it can serve the next test process (no other process holds its output).
Where the node has no such shell, a command of its own gives the same answer."""
from __future__ import annotations

import os
import shlex
import signal
import subprocess

import pytest

from ducktape.cluster import process_tag
from ducktape.cluster.linux_remoteaccount import LinuxRemoteAccount
from ducktape.cluster.local_account import LocalAccount
from ducktape.cluster.remoteaccount import RemoteAccountSSHConfig
from ducktape.cluster.shell import find_marker, strip_pid_line


@pytest.fixture
def account(loopback_sshd, request):
    acct = LinuxRemoteAccount(RemoteAccountSSHConfig(**loopback_sshd.ssh_config(request.node.name[:40])))
    yield acct
    acct.close()


@pytest.fixture
def tagged_sleeps():
    """Two sleeps on this machine: one with a fresh tag, one with that tag plus a digit (a
    different test's); yields (tag, pid of the tagged one)."""
    tag = process_tag.tag_for(process_tag.new_session_tag(), 3)
    procs = [subprocess.Popen(["sleep", seconds], env={"DUCKTAPE_PROCESS_TAG": value, "X": f"a\n{tag}\n"})
             for seconds, value in (("61", tag), ("62", tag + "1"))]
    yield tag, procs[0].pid
    for proc in procs:
        proc.kill()
        proc.wait()


def test_an_inline_script_runs_in_the_command_shell_itself(account):
    account.ssh("true")
    shell_pid = int(account.ssh_output("echo $$"))
    assert int(account.ssh_output("echo $BASHPID")) != shell_pid  # a command runs in a subshell
    assert int(account._pool.run_inline("echo $BASHPID", 10)) == shell_pid  # this did not fork


def test_the_search_finds_the_tagged_process_and_leaves_the_shell_as_it_was(account, tagged_sleeps):
    tag, pid = tagged_sleeps
    before = account.ssh_output('declare -p IFS; echo "[${p-unset}]"')
    assert account.tagged_processes(tag) == [f"{pid} sleep 61"]
    assert account.ssh_output('declare -p IFS; echo "[${p-unset}]"') == before
    # the same answer from the command used where there is no such shell: bash, and sh with grep
    command = process_tag.tagged_command(tag, listing=True)
    assert process_tag.parse_listing(account.ssh_output(command, combine_stderr=False)) == [f"{pid} sleep 61"]
    via_sh = account.ssh_output(f"sh -c {shlex.quote(command)}", combine_stderr=False)
    assert process_tag.parse_listing(via_sh) == [f"{pid} sleep 61"]
    local = LocalAccount(RemoteAccountSSHConfig("here", hostname="localhost"))
    assert local.tagged_processes(tag) == [f"{pid} sleep 61"]


def test_the_search_says_whether_the_shell_is_alone(account, tagged_sleeps):
    tag, _pid = tagged_sleeps
    account.ssh("true")
    shell = account._pool._idle[0]
    account.tagged_processes(tag)
    assert shell.known_alone is True
    sent = []
    real_sendall = shell.chan.sendall
    shell.chan.sendall = lambda data: (sent.append(data), real_sendall(data))[1]
    assert shell.alone() and not sent  # answered by the search: no second round trip
    daemon = int(account.ssh_output("sleep 60 & echo $!"))  # holds the shell's stdout
    try:
        assert shell.known_alone is None  # a command since: the answer is stale
        account.tagged_processes(tag)
        assert shell.known_alone is False and not shell.alone()
    finally:
        account.ssh(f"kill {daemon}")


def test_a_node_without_a_command_shell_is_searched_by_a_command(loopback_sshd, monkeypatch, tagged_sleeps):
    from ducktape.cluster import shell

    monkeypatch.setattr(shell, "START_SHELL", "exit 127")  # as on a node without bash
    tag, pid = tagged_sleeps
    acct = LinuxRemoteAccount(RemoteAccountSSHConfig(**loopback_sshd.ssh_config("nobash-search")))
    try:
        assert acct.tagged_processes(tag) == [f"{pid} sleep 61"]
        assert acct._pool.disabled
    finally:
        acct.close()


def test_markers_are_found_only_when_complete():
    assert find_marker(b"outtokS0", b"tokS") is None  # its newline has not arrived yet
    assert find_marker(b"tokSx\ntokS12\nrest", b"tokS") == (6, 13, 12)
    assert find_marker(b"tokS3\n", b"tokS", 1) is None
    assert strip_pid_line(b"atokP42\nb", "tok") == b"ab"
    assert strip_pid_line(b"no marker", "tok") == b"no marker"


def test_a_killed_search_shell_is_not_reused(account, tagged_sleeps):
    """A shell whose search was cut short (its process killed) is closed, never handed out again."""
    tag, _pid = tagged_sleeps
    account.ssh("true")
    shell = account._pool._idle[0]
    shell_pid = int(account.ssh_output("echo $$"))
    os.kill(shell_pid, signal.SIGKILL)
    with pytest.raises(Exception):  # noqa: B017 - the node's error type is the account's business
        account.tagged_processes(tag)
    assert shell not in account._pool._idle
    assert account.tagged_processes(tag)  # a new shell answers
