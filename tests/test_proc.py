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
