"""The worker side of a task: the base class, its status holder and the node platform.

An agent makes one ``TaskWorker`` per task it runs (``spec.new_worker(id)``), calls
``start`` (which must return quickly: real work goes on a thread), lets the worker
publish JSON through ``status.update`` and end itself through ``done.complete``, and
calls ``stop`` when the task is stopped or its duration is over. After a crash the
agent calls ``recover`` for each worker its disk state says was still live, so a
worker that changed the node (a fault) can undo it. Standard library only, plus
``ducktape.checkers.recorder`` (stdlib itself), which the agent's zip file carries.
"""
from __future__ import annotations

import os
import re
import threading
from typing import Any

from ducktape.checkers.recorder import HistoryRecorder
from ducktape.trogdor.local_shell import COMMAND_TIMEOUT, run_local

HISTORY_DIR = "history"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class WorkerStatus:
    """The JSON value a worker reports; thread-safe, read by the agent's REST API."""

    def __init__(self, value: Any = None):
        self._lock = threading.Lock()
        self._value = value

    def update(self, value: Any) -> None:
        with self._lock:
            self._value = value

    def get(self) -> Any:
        with self._lock:
            return self._value


class DoneFuture:
    """Completed once by a worker (or the agent) with an error text ("" = success)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._error: str | None = None
        self._callbacks: list = []

    def complete(self, error: str = "") -> bool:
        """Record the outcome; False if it was already complete (the first one wins)."""
        with self._lock:
            if self._error is not None:
                return False
            self._error = error or ""
            callbacks, self._callbacks = self._callbacks, []
        self._event.set()
        for callback in callbacks:
            callback(self._error)
        return True

    def done(self) -> bool:
        return self._event.is_set()

    @property
    def error(self) -> str | None:
        """None while running, "" on success, the error text on failure."""
        return self._error

    def wait(self, timeout: float | None = None) -> bool:
        return self._event.wait(timeout)

    def add_callback(self, callback: Any) -> None:
        """Call ``callback(error)`` on completion (at once if already complete)."""
        with self._lock:
            if self._error is None:
                self._callbacks.append(callback)
                return
        callback(self._error)


class Platform:
    """What a worker may use on its node: its name, a state directory, ``run``, the
    hostnames of the config's nodes (``hostname(name)``, as Trogdor resolves node names)
    and operation histories (``history``)."""

    def __init__(self, node_name: str, state_dir: str, hostnames: dict[str, str] | None = None):
        self.node_name = node_name
        self.state_dir = state_dir
        self.hostnames = dict(hostnames or {})

    def hostname(self, node_name: str) -> str:
        """The node's hostname from the config; the name itself for a node not in it."""
        return self.hostnames.get(node_name) or node_name

    def run(self, command: str, timeout: float | None = COMMAND_TIMEOUT) -> tuple[int, str, str]:
        """Run a shell command on this node; returns (exit status, stdout, stderr)."""
        return run_local(command, timeout)

    def history_dir(self, worker: TaskWorker) -> str:
        """``<state dir>/history/<task id>-<worker id>``, created: where *worker*'s histories go
        (TrogdorService copies every ``*.jsonl`` under ``<state dir>/history`` to the test)."""
        name = _UNSAFE.sub("_", f"{worker.task_id or 'task'}-{worker.worker_id}")
        path = os.path.join(self.state_dir, HISTORY_DIR, name)
        os.makedirs(path, exist_ok=True)
        return path

    def history_process(self, worker: TaskWorker, process: int | str) -> str:
        """The process id *worker*'s client *process* records under, ``<task id>/<node>/<process>``:
        unique across the test's clients, so histories from several nodes and tasks merge."""
        return f"{worker.task_id or worker.worker_id}/{self.node_name}/{process}"

    def history(self, worker: TaskWorker, process: int | str) -> HistoryRecorder:
        """A recorder for one client process of *worker*, writing ``history_dir(worker)/<process>.jsonl``."""
        path = os.path.join(self.history_dir(worker), _UNSAFE.sub("_", f"{process}") + ".jsonl")
        return HistoryRecorder(path, self.history_process(worker, process))


class TaskWorker:
    """Base class of every worker; ``spec`` is the task's immutable spec."""

    def __init__(self, worker_id: int, spec: Any):
        self.worker_id = worker_id
        self.spec = spec
        self.task_id = ""  # set by the agent before ``start``

    def start(self, platform: Platform, status: WorkerStatus, done: DoneFuture) -> None:
        """Begin the work; return at once (start a thread for anything long)."""
        raise NotImplementedError

    def stop(self, platform: Platform) -> None:
        """Release everything the worker holds; may block; safe to call twice."""

    @classmethod
    def recover(cls, platform: Platform, worker_id: int, spec: Any) -> None:
        """Undo what a worker left on the node when its agent died (default: nothing)."""


class ThreadedWorker(TaskWorker):
    """A worker whose work runs on threads that end once ``self.stopping`` is set: ``stop``
    sets it, joins each thread for up to ``join_seconds()``, then calls ``stopped()``."""

    stopping: threading.Event | None = None  # made by run_threads; None: never started
    threads: tuple = ()

    def run_threads(self, threads: list) -> None:
        """Start *threads*; they share ``self.stopping`` (already made when they run)."""
        self.threads = tuple(threads)
        for thread in self.threads:
            thread.start()

    def join_seconds(self) -> float:
        return self.spec.timeout_ms / 1000.0 + 1

    def stop(self, platform: Platform) -> None:
        if self.stopping is None:
            return
        self.stopping.set()
        for thread in self.threads:
            thread.join(self.join_seconds())
        self.stopped()

    def stopped(self) -> None:
        """After the threads ended (or their joins timed out): e.g. publish a final status."""
