"""Trogdor-style tasks for ducktape: specs, agents, a coordinator, workloads, faults.

Everything imported eagerly here is standard library only, so the agent runs from one
zip file on any node with python3. The fault specs load on first use (they import this
package), as do ``TrogdorService`` and ``TrogdorTask`` (test side). kafkatest's names all
import from here: ``from ducktape.trogdor import NetworkPartitionFaultSpec, TrogdorService``.
"""
from __future__ import annotations

from ducktape.trogdor.spec import SpecError, TaskSpec, register_spec
from ducktape.trogdor.worker import DoneFuture, Platform, TaskWorker, WorkerStatus
from ducktape.trogdor.workloads import (
    ConfigurableProducerSpec,
    ConnectionStressSpec,
    ConsumeBenchSpec,
    ConsumeBenchWorkloadSpec,
    ExternalCommandSpec,
    NoOpTaskSpec,
    ProduceBenchSpec,
    ProduceBenchWorkloadSpec,
    RegisterWorkloadSpec,
    RequestLatencySpec,
    RoundTripWorkloadSpec,
    SustainedConnectionSpec,
)

_LAZY = {
    "TrogdorService": "ducktape.trogdor.service", "TrogdorTask": "ducktape.trogdor.service",
    "NetworkPartitionFaultSpec": "ducktape.trogdor.faults.specs",
    "ProcessStopFaultSpec": "ducktape.trogdor.faults.specs",
    "DegradedNetworkFaultSpec": "ducktape.trogdor.faults.specs",
    "FilesUnreadableFaultSpec": "ducktape.trogdor.faults.specs",
    "NetworkDegradeFaultSpec": "ducktape.trogdor.faults.specs",
    "ProcessKillFaultSpec": "ducktape.trogdor.faults.specs",
    "DiskFillFaultSpec": "ducktape.trogdor.faults.specs",
}

__all__ = [
    "ConfigurableProducerSpec",
    "ConnectionStressSpec",
    "ConsumeBenchSpec",
    "ConsumeBenchWorkloadSpec",
    "DegradedNetworkFaultSpec",
    "DiskFillFaultSpec",
    "DoneFuture",
    "ExternalCommandSpec",
    "FilesUnreadableFaultSpec",
    "NetworkDegradeFaultSpec",
    "NetworkPartitionFaultSpec",
    "NoOpTaskSpec",
    "Platform",
    "ProcessKillFaultSpec",
    "ProcessStopFaultSpec",
    "ProduceBenchSpec",
    "ProduceBenchWorkloadSpec",
    "RegisterWorkloadSpec",
    "RequestLatencySpec",
    "RoundTripWorkloadSpec",
    "SpecError",
    "SustainedConnectionSpec",
    "TaskSpec",
    "TaskWorker",
    "TrogdorService",
    "TrogdorTask",
    "WorkerStatus",
    "register_spec",
]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ducktape.trogdor' has no attribute {name!r}")
    import importlib
    return getattr(importlib.import_module(module), name)
