"""Finding the processes a test left running on its nodes once its services were stopped and
cleaned, by the test's process tag (``cluster/process_tag.py``), to name them in a warning.
Ending them is the runner's job (``leftovers.py``)."""
from __future__ import annotations

import os
from typing import Any

from ducktape.cluster.log_monitor import tagged_pids_command
from ducktape.cluster.node_group import NodeGroup
from ducktape.tests.leftovers import LOCAL, node_key

SHOWN_CHARS = 100  # of each command line


def listing_command(tag: str) -> str:
    """Shell printing ``<pid> <command line>`` for each live process with *tag*."""
    return tagged_pids_command(tag, f'echo "$p $(tr "\\000" " " < "/proc/$p/cmdline" 2>/dev/null | cut -c1-{SHOWN_CHARS})"')


def still_running(nodes: list, tag: str) -> list[str]:
    """``<host>: <pid> <command line>`` for each process of *tag* still alive on the machines of
    *nodes* (this test process itself excluded); machines that cannot be searched are skipped."""
    machines: dict[str, Any] = {}
    for node in nodes:
        machines.setdefault(node_key(node), node.account)
    outcomes = NodeGroup(machines.values()).call(
        lambda account: account.ssh_output(listing_command(tag), allow_fail=True, combine_stderr=False,
                                           timeout_sec=30), name="still running")
    found = []
    for key, outcome in zip(machines, outcomes):
        if outcome.error is not None:
            continue
        for line in outcome.value.decode(errors="replace").splitlines():
            pid, _, command = line.strip().partition(" ")
            if not pid.isdigit() or (key == LOCAL and int(pid) == os.getpid()):
                continue
            found.append(f"{key}: {pid} {command.strip()}".rstrip())
    return found


def still_running_warning(found: list[str]) -> str:
    """The summary line naming *found* (``still_running``'s lines)."""
    return ("warning: processes left running after the test's services were stopped and cleaned "
            "(ducktape ended them; stop them in stop_node or clean_node): " + "; ".join(found))
