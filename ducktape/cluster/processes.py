"""Process helpers built from shell commands: liveness, signals, lookups by pattern.

Arguments go into the command as given, unquoted, because that is what upstream
does and what suites rely on: the node's shell splits words, strips quotes and
expands globs, ``~`` and ``$VAR`` (``kill_process('"nc -l -p 5000"')`` greps one
multi-word pattern). The same shell would run any syntax an argument carries, so
callers must not pass text they do not control.
"""
from __future__ import annotations

import signal as signals
from typing import Any


def alive_command(pid: int | str) -> str:
    """``kill -0 <pid>``, and not a zombie (a dead process whose parent has not reaped it)."""
    return f'kill -0 {pid} 2>/dev/null && [ "$(ps -o stat= -p {pid} 2>/dev/null | cut -c1)" != Z ]'


def alive(account: Any, pid: int | str) -> bool:
    """True iff *pid* runs: ``kill -0`` succeeds and it is no zombie. Any error is False."""
    try:
        return account.ssh(alive_command(pid), allow_fail=True) == 0
    except Exception:  # noqa: BLE001 - contract: alive() answers, it does not raise
        return False


def send_signal(account: Any, pid: int | str, sig: int, allow_fail: bool = False) -> None:
    """``kill -<sig> <pid>``."""
    account.ssh(f"kill -{int(sig)} {pid}", allow_fail=allow_fail)


def grep_pids_command(process_grep_str: str) -> str:
    """The ps/grep pipeline of kill_process: case-insensitive grep of full ``ps ax`` lines
    (``ww``: never cut at the terminal width, which COLUMNS may set)."""
    return f"ps axww | grep -i {process_grep_str} | grep -v grep | awk '{{print $1}}'"


def java_pids_command(match: str) -> str:
    """The jcmd/awk pipeline of java_pids: *match* is an awk regular expression."""
    return f"jcmd | awk '/{match}/ {{ print $1 }}'"


def _pids(account: Any, cmd: str) -> list[str]:
    out = account.ssh_output(cmd, allow_fail=True, combine_stderr=False)
    return [word for word in out.decode(errors="replace").split() if word.isdigit()]


def kill_process(account: Any, process_grep_str: str, clean_shutdown: bool = True, allow_fail: bool = False) -> None:
    """SIGTERM (or SIGKILL) every process whose ``ps ax`` line matches *process_grep_str*."""
    sig = signals.SIGTERM if clean_shutdown else signals.SIGKILL
    for pid in _pids(account, grep_pids_command(process_grep_str)):
        send_signal(account, pid, sig, allow_fail=allow_fail)


def java_pids(account: Any, match: str) -> list[int]:
    """PIDs of the Java processes (per ``jcmd``) matching *match*."""
    return [int(pid) for pid in _pids(account, java_pids_command(match))]


def kill_java_processes(account: Any, match: str, clean_shutdown: bool = True, allow_fail: bool = False) -> None:
    """Signal every Java process matching *match*."""
    sig = signals.SIGTERM if clean_shutdown else signals.SIGKILL
    for pid in java_pids(account, match):
        send_signal(account, pid, sig, allow_fail=allow_fail)
