"""ducktape.utils.proc against real local processes."""
from __future__ import annotations

import os
import subprocess

from ducktape.utils import proc


def test_children_group_and_kill_of_a_real_process_tree():
    parent = subprocess.Popen(["bash", "-c", "sleep 60 & sleep 60 & echo started; wait"],
                              stdout=subprocess.PIPE, start_new_session=True)
    try:
        assert parent.stdout.readline() == b"started\n"
        kids = proc.children(parent.pid)
        assert len(kids) == 2 and all(proc.is_running(k) for k in kids)
        assert parent.pid in proc.children("self")
        assert proc.group_running(parent.pid)  # the session leader's pid is the group id
        started = proc.start_time(parent.pid)
        assert started is not None and started == proc.start_time(parent.pid)
        assert proc.kill_and_wait([*kids, parent.pid], timeout=10) == []
        assert not proc.group_running(parent.pid)  # the unreaped parent is a zombie: not running
        assert not proc.is_running(parent.pid)
    finally:
        parent.kill()
        parent.wait()
    assert proc.stat_fields(parent.pid) is None and proc.start_time(parent.pid) is None
    assert proc.children(parent.pid) == []
    assert proc.wait_while(lambda: True, timeout=0) is True and proc.wait_while(lambda: False, 0) is False
    assert proc.is_running(os.getpid())


def test_end_with_environ_entry_ends_a_marked_process_tree_and_nothing_else():
    """A marked parent forking marked children (one detached into its own session) is ended
    whole; an unmarked process and one with a longer value of the same variable are left."""
    entry = f"DT_PROC_TEST={os.getpid()}"
    env = dict(os.environ, DT_PROC_TEST=str(os.getpid()))
    marked = subprocess.Popen(["bash", "-c", "setsid sleep 60 & sleep 60 & echo started; wait"],
                              stdout=subprocess.PIPE, env=env, start_new_session=True)
    other = subprocess.Popen(["sleep", "60"], env=dict(os.environ, DT_PROC_TEST=f"{os.getpid()}0"))
    plain = subprocess.Popen(["sleep", "60"])
    try:
        assert marked.stdout.readline() == b"started\n"
        found = proc.with_environ_entry(entry)
        assert marked.pid in found and len(found) == 3 and other.pid not in found and plain.pid not in found
        ended = proc.end_with_environ_entry(entry)
        assert sorted(int(line.split()[0]) for line in ended) == sorted(found)
        assert proc.with_environ_entry(entry) == []
        assert other.poll() is None and plain.poll() is None
    finally:
        for process in (marked, other, plain):
            process.kill()
            process.wait()
