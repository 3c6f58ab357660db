"""Faults that always heal: partitions, degraded links, paused or killed processes, full disks,
clocks of processes run under libfaketime.

Standard library only but for the test side (``context.py``, ``nemesis.py``): the Trogdor
agent runs this package on the nodes. From a test, use the context managers exported here;
each records its changes in the node's ledger before making them and undoes them on exit,
whatever happens. Fault kinds are registered in ``kinds.py`` by the modules that make them.
"""
from __future__ import annotations

import importlib
from typing import Any

# the fault kinds: each module registers its kinds, undoers and specs on import
from ducktape.trogdor.faults import (  # noqa: F401
    clock,
    degrade,
    disk,
    partition,
    process,
    specs,
    unreadable,
)
from ducktape.trogdor.faults.clock import faketime_command
from ducktape.trogdor.faults.journal import record_samples, record_series
from ducktape.trogdor.faults.shell import FaultError

# Test side (they drive cluster nodes through a NodeGroup, so the agent's zip file leaves
# them out): loaded on first use.
_LAZY = {name: "ducktape.trogdor.faults.context" for name in (
    "NodesFault", "clock_jump", "clock_skew", "clock_strobe", "disk_fill", "heal_left", "heal_nodes",
    "network_degrade", "network_partition", "process_kill", "process_stop")}
_LAZY["fault_schedule"] = "ducktape.trogdor.faults.nemesis"


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)

__all__ = ["FaultError", "NodesFault", "clock_jump", "clock_skew", "clock_strobe", "disk_fill", "faketime_command",
           "fault_schedule", "heal_left", "heal_nodes", "network_degrade", "network_partition", "process_kill",
           "process_stop", "record_samples", "record_series"]
