"""Finding the processes a test left running on its nodes once its services were stopped and
cleaned, by the test's process tag (``cluster/process_tag.py``), to name them in a warning.
Ending them is the runner's job (``leftovers.py``)."""
from __future__ import annotations

from typing import Any

from ducktape.cluster.node_group import NodeGroup
from ducktape.tests.leftovers import node_key


def still_running(nodes: list, tag: str) -> list[str]:
    """``<host>: <pid> <command line>`` for each process of *tag* still alive on the machines of
    *nodes* (this test process itself excluded); machines that cannot be searched are skipped."""
    machines: dict[str, Any] = {}
    for node in nodes:
        machines.setdefault(node_key(node), node.account)
    outcomes = NodeGroup(machines.values()).call(lambda account: account.tagged_processes(tag), name="still running")
    return [f"{key}: {line}" for key, outcome in zip(machines, outcomes) if outcome.error is None
            for line in outcome.value]


def still_running_warning(found: list[str]) -> str:
    """The summary line naming *found* (``still_running``'s lines)."""
    return ("warning: processes left running after the test's services were stopped and cleaned "
            "(ducktape ended them; stop them in stop_node or clean_node): " + "; ".join(found))
