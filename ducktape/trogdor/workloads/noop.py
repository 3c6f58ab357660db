"""NoOp: a task that does nothing on every agent until its duration is over."""
from __future__ import annotations

import dataclasses
from typing import Any

from ducktape.trogdor.spec import TaskSpec, register_spec
from ducktape.trogdor.worker import DoneFuture, Platform, TaskWorker, WorkerStatus


@register_spec("org.apache.kafka.trogdor.task.NoOpTaskSpec")
@dataclasses.dataclass(frozen=True)
class NoOpTaskSpec(TaskSpec):
    """Runs on every agent and does nothing; used to check the plumbing."""

    def new_worker(self, worker_id: int) -> NoOpTaskWorker:
        return NoOpTaskWorker(worker_id, self)


class NoOpTaskWorker(TaskWorker):
    """Reports ``"active"`` (then ``"done"``, as Trogdor's) and waits for the agent to stop it."""

    def start(self, platform: Platform, status: WorkerStatus, done: DoneFuture) -> None:
        status.update("active")
        self._status = status

    def stop(self, platform: Any) -> None:
        status = getattr(self, "_status", None)
        if status is not None:
            status.update("done")
