"""The agent's workers: create, run for the spec's duration, stop, persist, recover.

Each worker's record (id, task id, spec, state, times, error, status) is written to
``<state_dir>/workers/<id>.json`` before the worker starts and after every change,
so an agent that crashed can call each live worker's ``recover`` hook on start-up.
Worker states and their JSON follow Trogdor: STARTING, RUNNING, STOPPING, DONE.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from typing import Any

from ducktape.trogdor.rest import RestError
from ducktape.trogdor.spec import SpecError, TaskSpec
from ducktape.trogdor.worker import DoneFuture, Platform, TaskWorker, WorkerStatus

log = logging.getLogger("trogdor.agent")


def now_ms() -> int:
    return int(time.time() * 1000)


class ManagedWorker:
    """One worker and everything the agent knows about it."""

    def __init__(self, worker_id: int, task_id: str, spec: TaskSpec, spec_json: dict):
        self.worker_id = worker_id
        self.task_id = task_id
        self.spec = spec
        self.spec_json = spec_json
        self.state = "STARTING"
        self.started_ms = -1
        self.done_ms = -1
        self.error = ""
        self.status = WorkerStatus()
        self.done = DoneFuture()
        self.worker: TaskWorker | None = None
        self.timer: threading.Timer | None = None
        self.finished = threading.Event()  # set once the state is DONE
        self.destroy = False  # forget the worker once it is DONE (DELETE /agent/worker)

    def to_json(self) -> dict[str, Any]:
        """Trogdor's WorkerState JSON for this worker (an empty error is left out, as Trogdor does)."""
        out: dict[str, Any] = {"state": self.state, "taskId": self.task_id, "spec": self.spec_json}
        if self.state != "STARTING":
            out["startedMs"] = self.started_ms
            status = self.status.get()
            if status not in ({}, []):  # Trogdor's JSON writer leaves out an empty object or list
                out["status"] = status
        if self.state == "DONE":
            out["doneMs"] = self.done_ms
            if self.error:
                out["error"] = self.error
        return out


class WorkerManager:
    """All workers of one agent; thread-safe."""

    def __init__(self, platform: Platform):
        self.platform = platform
        self.dir = os.path.join(platform.state_dir, "workers")
        os.makedirs(self.dir, exist_ok=True)
        self._lock = threading.RLock()
        self._workers: dict[int, ManagedWorker] = {}

    # --- requests ----------------------------------------------------------------
    def create(self, worker_id: int, task_id: str, spec_json: Any) -> None:
        """Start a worker; the same id with the same task and spec again is a no-op."""
        spec = TaskSpec.from_json(spec_json)
        refusal = getattr(spec, "refusal", None)  # a spec this agent cannot run (Kafka's clients)
        if refusal is not None:
            raise RestError(501, refusal())
        with self._lock:
            existing = self._workers.get(worker_id)
            if existing is not None:
                if existing.task_id == task_id and existing.spec == spec:
                    return
                raise RestError(409, f"worker {worker_id} already exists with task "
                                     f"{existing.task_id} and another spec")
            managed = ManagedWorker(worker_id, task_id, spec, spec.to_json())
            self._workers[worker_id] = managed
            now = managed.started_ms = now_ms()  # as Trogdor: a worker's start is its creation
            if spec.end_ms() <= now:  # as Trogdor: a worker whose end has passed never runs
                log.info("worker %d (task %s) has expired: not running it", worker_id, task_id)
                managed.state, managed.started_ms, managed.done_ms = "DONE", now, now
                managed.error = "worker expired"
                managed.done.complete(managed.error)
                managed.finished.set()
            self._persist(managed)
        if not managed.finished.is_set():
            self._start(managed)

    def stop(self, worker_id: int) -> None:
        """Ask a worker to stop; a no-op if it is stopping, done or unknown (as Trogdor)."""
        with self._lock:
            managed = self._workers.get(worker_id)
        if managed is None:
            log.info("stop of unknown worker %d ignored", worker_id)
            return
        self._stop(managed, "")

    def destroy(self, worker_id: int) -> None:
        """Stop a worker and forget it once it is DONE (at once if it is); unknown ids are a no-op.

        Returns without waiting for the worker to finish stopping, as Trogdor does.
        """
        with self._lock:
            managed = self._workers.get(worker_id)
            if managed is None:
                return
            managed.destroy = True
            if managed.state == "DONE":
                self._forget(managed)
                return
        self._stop(managed, "")

    def states(self) -> dict[str, Any]:
        with self._lock:
            return {str(i): w.to_json() for i, w in sorted(self._workers.items())}

    def stop_all(self, timeout: float = 30) -> None:
        with self._lock:
            workers = list(self._workers.values())
        for managed in workers:
            self._stop(managed, "")
        deadline = time.monotonic() + timeout
        for managed in workers:
            managed.finished.wait(max(0.0, deadline - time.monotonic()))

    def wait_done(self, worker_id: int, timeout: float | None = None) -> bool:
        """Block until the worker is DONE (True) or ``timeout`` seconds pass (False)."""
        return self._get(worker_id).finished.wait(timeout)

    # --- life cycle -----------------------------------------------------------------
    def _get(self, worker_id: int) -> ManagedWorker:
        with self._lock:
            managed = self._workers.get(worker_id)
        if managed is None:
            raise RestError(404, f"no worker with id {worker_id}")
        return managed

    def _start(self, managed: ManagedWorker) -> None:
        try:
            worker = managed.spec.new_worker(managed.worker_id)
            worker.task_id = managed.task_id
            managed.worker = worker
            with self._lock:
                managed.state = "RUNNING"
                self._persist(managed)
            managed.done.add_callback(lambda error: self._on_done(managed, error))
            if managed.done.done():  # stopped between create and start: never start it
                return
            worker.start(self.platform, managed.status, managed.done)
        except Exception as e:
            log.exception("worker %d (task %s) failed to start", managed.worker_id, managed.task_id)
            managed.done.complete(f"failed to start: {type(e).__name__}: {e}")
            return
        duration_s = max(0, managed.spec.end_ms() - now_ms()) / 1000.0  # runs until the spec's end
        managed.timer = threading.Timer(min(duration_s, 1e9), self._stop, (managed, ""))
        managed.timer.daemon = True
        managed.timer.start()
        log.info("started worker %d for task %s", managed.worker_id, managed.task_id)

    def _stop(self, managed: ManagedWorker, error: str) -> None:
        """Stop a running worker (the duration expired or someone asked)."""
        with self._lock:
            if managed.state in ("STOPPING", "DONE"):
                return
        managed.done.complete(error)

    def _on_done(self, managed: ManagedWorker, error: str) -> None:
        """The worker ended (by itself, by error or by a stop): release it, then DONE."""
        with self._lock:
            if managed.state == "DONE":
                return
            managed.state = "STOPPING"
            self._persist(managed)
        if managed.timer is not None:
            managed.timer.cancel()
        threading.Thread(target=self._finish, args=(managed, error), daemon=True,
                         name=f"stop-worker-{managed.worker_id}").start()

    def _finish(self, managed: ManagedWorker, error: str) -> None:
        try:
            if managed.worker is not None:
                managed.worker.stop(self.platform)
        except Exception as e:
            log.exception("worker %d failed to stop", managed.worker_id)
            error = error or f"failed to stop: {type(e).__name__}: {e}"
        with self._lock:
            managed.state, managed.done_ms, managed.error = "DONE", now_ms(), error
            if managed.started_ms < 0:
                managed.started_ms = managed.done_ms
            if managed.destroy:
                self._forget(managed)
            else:
                self._persist(managed)
        managed.finished.set()
        log.info("worker %d for task %s is done%s", managed.worker_id, managed.task_id,
                 f" with error: {error}" if error else "")

    def _forget(self, managed: ManagedWorker) -> None:
        """Drop a DONE worker and its record (the caller holds the lock)."""
        self._workers.pop(managed.worker_id, None)
        _remove(self._path(managed.worker_id))

    # --- disk ----------------------------------------------------------------------
    def _path(self, worker_id: int) -> str:
        return os.path.join(self.dir, f"{worker_id}.json")

    def _persist(self, managed: ManagedWorker) -> None:
        record = managed.to_json()
        record["workerId"] = managed.worker_id
        tmp = self._path(managed.worker_id) + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self._path(managed.worker_id))

    def recover(self) -> None:
        """Load the records left by an earlier run; call ``recover`` for each live one."""
        for name in sorted(os.listdir(self.dir)):
            if not name.endswith(".json"):
                continue
            try:
                with open(os.path.join(self.dir, name), encoding="utf-8") as f:
                    record = json.load(f)
                spec = TaskSpec.from_json(record["spec"])
                managed = ManagedWorker(int(record["workerId"]), str(record["taskId"]), spec, spec.to_json())
            except (OSError, ValueError, KeyError, TypeError, SpecError) as e:
                log.error("ignoring unreadable worker record %s: %s", name, e)
                continue
            managed.started_ms = int(record.get("startedMs", -1))
            managed.status.update(record.get("status"))
            if record.get("state") == "DONE":
                managed.state, managed.done_ms = "DONE", int(record.get("doneMs", -1))
                managed.error = str(record.get("error", ""))
            else:
                managed.error = self._recover_one(managed)
                managed.state, managed.done_ms = "DONE", now_ms()
                self._persist(managed)
            managed.done.complete(managed.error)
            managed.finished.set()
            with self._lock:
                self._workers[managed.worker_id] = managed

    def _recover_one(self, managed: ManagedWorker) -> str:
        log.warning("worker %d (task %s) was live when the agent stopped; recovering",
                    managed.worker_id, managed.task_id)
        try:
            worker_type = type(managed.spec.new_worker(managed.worker_id))
            worker_type.recover(self.platform, managed.worker_id, managed.spec)
        except Exception as e:
            log.exception("recovering worker %d failed", managed.worker_id)
            return f"the agent restarted while the worker ran; recovery failed: {type(e).__name__}: {e}"
        return "the agent restarted while the worker ran; its changes were undone"


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
