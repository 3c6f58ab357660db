"""The coordinator's record of one task and its workers, and Trogdor's TaskState JSON."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ducktape.trogdor.spec import TaskSpec

TASK_STATES = ("PENDING", "RUNNING", "STOPPING", "DONE")


@dataclass
class WorkerRef:
    """One worker of a task, on one node, as the coordinator last saw it."""

    node: str
    worker_id: int
    created: bool = False
    stop_sent: bool = False
    done: bool = False
    state: str = "STARTING"
    status: Any = "receiving"  # Trogdor's status of a worker not yet heard of
    error: str = ""


@dataclass
class ManagedTask:
    """A task: its spec, where it is in PENDING -> RUNNING -> STOPPING -> DONE, its workers."""

    task_id: str
    spec: TaskSpec
    original: dict = field(default_factory=dict)  # the spec as created (startMs not moved to now)
    state: str = "PENDING"
    started_ms: int = -1
    done_ms: int = -1
    error: str = ""
    cancelled: bool = False
    workers: dict[str, WorkerRef] = field(default_factory=dict)

    def status(self) -> Any:
        """One worker: its status; none or several: ``{node: status}``."""
        if len(self.workers) == 1:
            return next(iter(self.workers.values())).status
        return {node: ref.status for node, ref in sorted(self.workers.items())}

    def finish(self, now: int, error: str = "") -> None:
        self.state, self.done_ms = "DONE", now
        self.error = self.error or error

    def settle(self, now: int) -> bool:
        """RUNNING/STOPPING -> DONE once every worker is done; the first error wins.

        A worker failing while the task runs moves it to STOPPING (its other workers are
        to be stopped); returns True then, so the caller can wake the agents' threads.
        """
        errors = [ref.error if len(self.workers) == 1 or ref.error.startswith(f"node {node}") else f"{node}: {ref.error}"
                  for node, ref in sorted(self.workers.items()) if ref.done and ref.error]  # never "n1: node n1: ..."
        if self.state in ("RUNNING", "STOPPING") and all(r.done for r in self.workers.values()):
            self.finish(now, errors[0] if errors else "")
        elif self.state == "RUNNING" and errors:
            self.state, self.error = "STOPPING", errors[0]
            return True
        return False

    def to_json(self) -> dict[str, Any]:
        """Trogdor's TaskState JSON."""
        out: dict[str, Any] = {"state": self.state, "spec": self.spec.to_json()}
        if self.state == "PENDING":
            out["status"] = None
        else:
            out["startedMs"] = self.started_ms
            status = self.status()
            if status not in ({}, []):  # as Trogdor's JSON writer: an empty object or list is left out
                out["status"] = status
        if self.state == "DONE":
            out["doneMs"] = self.done_ms
            if self.error:  # "" is left out too
                out["error"] = self.error
            out["cancelled"] = self.cancelled
        return out

    def matches(self, ids: list[str], first_start: int, last_start: int, first_end: int,
                last_end: int, state: str | None) -> bool:
        """Trogdor's task filters (0 = no bound; -1, not yet started/ended, is out of any bound)."""
        if ids and self.task_id not in ids:
            return False
        if first_start > 0 and self.started_ms < first_start:
            return False
        if last_start > 0 and (self.started_ms < 0 or self.started_ms > last_start):
            return False
        if first_end > 0 and self.done_ms < first_end:
            return False
        if last_end > 0 and (self.done_ms < 0 or self.done_ms > last_end):
            return False
        return state is None or state == self.state
