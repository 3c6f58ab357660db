"""Faults that always heal: partitions, degraded links, paused or killed processes, full disks,
clocks of processes run under libfaketime.

Standard library only: the Trogdor agent runs this package on the nodes. From a test, use
the context managers exported here; each records its changes in the node's ledger before
making them and undoes them on exit, whatever happens.
"""
from ducktape.trogdor.faults import clock, degrade, disk, partition, process, specs  # noqa: F401 - register undoers and specs
from ducktape.trogdor.faults.clock import faketime_command
from ducktape.trogdor.faults.context import (
    NodesFault,
    clock_jump,
    clock_skew,
    clock_strobe,
    disk_fill,
    heal_left,
    heal_nodes,
    network_degrade,
    network_partition,
    process_kill,
    process_stop,
)
from ducktape.trogdor.faults.journal import record_samples, record_series
from ducktape.trogdor.faults.nemesis import fault_schedule
from ducktape.trogdor.faults.shell import FaultError

__all__ = ["FaultError", "NodesFault", "clock_jump", "clock_skew", "clock_strobe", "disk_fill", "faketime_command",
           "fault_schedule", "heal_left", "heal_nodes", "network_degrade", "network_partition", "process_kill",
           "process_stop", "record_samples", "record_series"]
