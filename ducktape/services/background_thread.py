"""BackgroundThreadService: a service whose work on each node is one blocking call.

Each node's ``_worker(idx, node)`` runs in a daemon thread. A failure in a worker
is recorded (``worker_errors``, ``errors``) and raised from ``wait()``/``stop()``;
the registry also sees it through ``error`` so it reaches the test's summary even
when the test never waits.
"""
from __future__ import annotations

import threading
import traceback

from ducktape.services.service import Service


class BackgroundThreadService(Service):
    """Runs ``_worker(idx, node)`` for each node in its own thread."""

    def __init__(self, context, num_nodes: int | None = None, cluster_spec=None, *args, **kwargs):
        super().__init__(context, num_nodes, cluster_spec, *args, **kwargs)
        self.worker_threads: dict[int, threading.Thread] = {}
        self.worker_errors: dict[str, str] = {}
        self.errors = ""
        self.lock = threading.RLock()

    @property
    def error(self) -> str:
        """Worker failures so far (what ServiceRegistry.errors() reports)."""
        return self.errors

    def _worker(self, idx: int, node) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _worker(idx, node)")

    def _protected_worker(self, idx: int, node) -> None:
        """Run the worker; record any exception for the main thread, then re-raise it here."""
        try:
            self._worker(idx, node)
        except BaseException:
            name = threading.current_thread().name
            tb = traceback.format_exc()
            with self.lock:
                self.logger.info("BackgroundThreadService threw exception: ")
                self.logger.info(tb)
                self.worker_errors[name] = tb
                if self.errors:
                    self.errors += "\n"
                self.errors += f"{name}: {tb}"
            raise

    def start_node(self, node, **kwargs) -> None:
        """Start the node's worker thread; refuse while its previous thread still runs."""
        idx = self.idx(node)
        previous = self.worker_threads.get(idx)
        if previous is not None and previous.is_alive():
            raise RuntimeError("Cannot restart node since previous thread is still alive")
        self.logger.info("Running %s node %d on %s", self.service_id, idx, node.account.hostname)
        worker = threading.Thread(
            name=f"{self.service_id}-worker-{idx}",
            target=self._protected_worker,
            args=(idx, node),
            daemon=True,
        )
        worker.start()
        self.worker_threads[idx] = worker

    def wait_node(self, node, timeout_sec: float | None = 600) -> bool:
        """Join the node's thread; True when it has ended or never started."""
        worker = self.worker_threads.get(self.idx(node))
        if worker is None:
            self.logger.debug("Worker thread not found for %s", self.who_am_i(node))
            return True
        worker.join(timeout_sec)
        return not worker.is_alive()

    def wait(self, timeout_sec: float = 600) -> None:
        super().wait(timeout_sec)
        self._propagate_exceptions()

    def stop(self, **kwargs) -> None:
        alive = [w for w in self.worker_threads.values() if w.is_alive()]
        if alive:
            self.logger.debug("Called stop while worker threads are still running: %s", alive)
        super().stop(**kwargs)
        self._propagate_exceptions()

    def _propagate_exceptions(self) -> None:
        with self.lock:
            if self.worker_errors:
                raise Exception(self.errors)  # noqa: TRY002 - contract: a plain Exception
