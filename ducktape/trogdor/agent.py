"""The Trogdor agent: runs workers on its node and answers Trogdor's agent REST API.

Paths and bodies as Trogdor's: ``GET /agent/status``, ``GET /agent/uptime``,
``POST /agent/worker/create``, ``PUT /agent/worker/stop``, ``DELETE /agent/worker``,
``PUT /agent/shutdown``, plus ``GET /openapi.json``.
"""
from __future__ import annotations

import logging
import threading

from ducktape.trogdor import openapi
from ducktape.trogdor.rest import Request, RestServer, Router
from ducktape.trogdor.worker import Platform
from ducktape.trogdor.worker_manager import WorkerManager, now_ms

log = logging.getLogger("trogdor.agent")


class Agent:
    """An agent bound to ``bind:port``; ``start`` recovers on-disk workers, then serves."""

    def __init__(self, platform: Platform, token: str | None, bind: str, port: int):
        self.platform = platform
        self.workers = WorkerManager(platform)
        self.server_start_ms = now_ms()
        self.stopped = threading.Event()
        router = Router()
        router.add("GET", "/agent/status", self._status)
        router.add("GET", "/agent/uptime", self._uptime)
        router.add("POST", "/agent/worker/create", self._create)
        router.add("PUT", "/agent/worker/stop", self._stop)
        router.add("DELETE", "/agent/worker", self._destroy)
        router.add("PUT", "/agent/shutdown", self._shutdown)
        router.add("GET", "/openapi.json", lambda request: openapi.agent_document())
        self.server = RestServer(router, token, bind, port, "agent")

    def start(self) -> None:
        self.workers.recover()
        self.server.start()

    def wait(self) -> None:
        """Block until a shutdown request (or ``shutdown``), then release everything."""
        self.stopped.wait()
        self.workers.stop_all()
        self.server.close()

    def shutdown(self) -> None:
        self.stopped.set()

    def _status(self, request: Request) -> dict:
        return {"serverStartMs": self.server_start_ms, "workers": self.workers.states()}

    def _uptime(self, request: Request) -> dict:
        return {"serverStartMs": self.server_start_ms, "nowMs": now_ms()}

    def _create(self, request: Request) -> dict:
        worker_id = request.field("workerId", int)
        task_id = request.field("taskId", str)
        self.workers.create(worker_id, task_id, request.field("spec", dict))
        return {}

    def _stop(self, request: Request) -> dict:
        self.workers.stop(request.field("workerId", int))
        return {}

    def _destroy(self, request: Request) -> dict:
        self.workers.destroy(request.query_one("workerId", int) or 0)  # Trogdor's default id is 0
        return {}

    def _shutdown(self, request: Request) -> dict:
        log.info("shutdown requested over REST")
        threading.Timer(0.2, self.shutdown).start()
        return {}

