"""Trogdor-style tasks for ducktape: specs, agents, a coordinator, workloads, faults.

Everything imported eagerly here is standard library only, so the agent runs from one
zip file on any node with python3. ``TrogdorService`` and ``TrogdorTask`` (test side)
load on first use.
"""
from __future__ import annotations

from ducktape.trogdor.spec import SpecError, TaskSpec, register_spec
from ducktape.trogdor.worker import DoneFuture, Platform, TaskWorker, WorkerStatus
from ducktape.trogdor.workloads import (
    ExternalCommandSpec,
    NoOpTaskSpec,
    RequestLatencySpec,
)

__all__ = [
    "DoneFuture", "ExternalCommandSpec", "NoOpTaskSpec", "Platform", "RequestLatencySpec",
    "SpecError", "TaskSpec", "TaskWorker", "TrogdorService", "TrogdorTask", "WorkerStatus",
    "register_spec",
]


def __getattr__(name: str):
    if name in ("TrogdorService", "TrogdorTask"):
        from ducktape.trogdor import service
        return getattr(service, name)
    raise AttributeError(f"module 'ducktape.trogdor' has no attribute {name!r}")
