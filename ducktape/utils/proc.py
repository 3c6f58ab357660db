"""The local machine's processes as Linux /proc shows them: state, group, start time,
children; and killing processes then waiting until they are really gone.

One reader for what the runner (stragglers of a test process), the test process (the
children it leaves), the session record (the driver's start time) and the namespace
cluster (node processes) each need.
"""
from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterable

POLL_INTERVAL = 0.01


def stat_fields(pid: int | str) -> list[str] | None:
    """``/proc/<pid>/stat`` from the state on (``[0]`` state, ``[2]`` process group,
    ``[19]`` start time), split after the command name; None when the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def is_running(pid: int | str) -> bool:
    """True while *pid* exists and is neither a zombie nor dead."""
    fields = stat_fields(pid)
    return bool(fields) and fields[0] not in ("Z", "X")


def start_time(pid: int | str) -> str | None:
    """Start time of *pid* in clock ticks since boot (tells a process from a reused pid)."""
    fields = stat_fields(pid)
    return fields[19] if fields and len(fields) > 19 else None


def children(pid: int | str = "self") -> list[int]:
    """Pids of *pid*'s children, over all its threads."""
    pids: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return pids
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as found:
                pids.extend(int(child) for child in found.read().split())
        except OSError:
            continue
    return pids


def group_running(pgid: int) -> bool:
    """True while a process of group *pgid* is running (zombies do not count)."""
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            fields = stat_fields(entry.name)
            if fields and int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
                return True
    return False


def wait_while(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll *condition* until it is false or *timeout* seconds passed; its last value."""
    deadline = time.monotonic() + timeout
    while condition():
        if time.monotonic() >= deadline:
            return True
        time.sleep(POLL_INTERVAL)
    return False


def kill_and_wait(pids: Iterable[int], timeout: float) -> list[int]:
    """SIGKILL *pids* and wait until they are gone; those still running at the timeout."""
    pids = sorted(set(pids))
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    wait_while(lambda: any(is_running(p) for p in pids), timeout)
    return [p for p in pids if is_running(p)]


def with_environ_entry(entry: str) -> list[int]:
    """Pids of this machine's processes whose environment holds *entry* (``NAME=value``)."""
    wanted = entry.encode()
    found = []
    for item in os.scandir("/proc"):
        if not item.name.isdigit() or int(item.name) == os.getpid():
            continue
        try:
            with open(f"/proc/{item.name}/environ", "rb") as environ:
                if wanted in environ.read().split(b"\0"):
                    found.append(int(item.name))
        except OSError:
            continue
    return found


def command_line(pid: int, chars: int) -> str | None:
    """The first *chars* characters of *pid*'s command line, arguments joined by spaces;
    None once it has ended."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read().replace(b"\0", b" ").decode(errors="replace")[:chars].strip()
    except OSError:
        return None


def end_with_environ_entry(entry: str, rounds: int = 10, timeout: float = 2.0) -> list[str]:
    """SIGKILL every local process whose environment holds *entry*, stopping each first so it
    cannot fork in between; repeat until none is left. ``"<pid> <name>"`` per process ended."""
    ended: list[str] = []
    for _ in range(rounds):
        pids = with_environ_entry(entry)
        if not pids:
            break
        for pid in pids:
            ended.append(f"{pid} {_comm(pid)}".rstrip())
            try:
                os.kill(pid, signal.SIGSTOP)
            except ProcessLookupError:
                pass
        kill_and_wait(pids, timeout)
    return ended


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as comm:
            return comm.read().strip()
    except OSError:
        return ""
