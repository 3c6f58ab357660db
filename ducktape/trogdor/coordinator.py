"""The Trogdor coordinator: schedules tasks onto agents and answers Trogdor's REST API.

One thread per agent node does all talking to that agent: it sends pending worker
creates and stops, then reads ``/agent/status`` (the heartbeat) and folds the workers'
states into their tasks. An agent silent for longer than ``unreachable_s`` ends its
tasks' workers with an error naming the node; when it answers again, its workers of
ended or unknown tasks are stopped (reconciliation).
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

from ducktape.trogdor import openapi
from ducktape.trogdor.rest import Request, RestClient, RestError, RestServer, Router
from ducktape.trogdor.spec import TaskSpec
from ducktape.trogdor.task_state import TASK_STATES, ManagedTask, WorkerRef
from ducktape.trogdor.worker_manager import now_ms

log = logging.getLogger("trogdor.coordinator")


class AgentLink:
    """The coordinator's view of one agent."""

    def __init__(self, name: str, client: RestClient):
        self.name = name
        self.client = client
        self.last_contact = time.monotonic()
        self.error = ""
        self.wake = threading.Event()
        self.destroy_queue: list[int] = []


class Coordinator:
    """Tasks by id, agents by node name; ``start`` launches the scheduler and heartbeats."""

    def __init__(self, agents: dict[str, tuple[str, int]], token: str | None, bind: str, port: int,
                 heartbeat_s: float = 1.0, unreachable_s: float = 10.0):
        self.server_start_ms = now_ms()
        self.heartbeat_s = heartbeat_s
        self.unreachable_s = unreachable_s
        self.links = {name: AgentLink(name, RestClient(host, agent_port, token, timeout=max(2.0, heartbeat_s * 3)))
                      for name, (host, agent_port) in agents.items()}
        self.tasks: dict[str, ManagedTask] = {}
        self._lock = threading.RLock()
        self._next_worker_id = self.server_start_ms * 1000
        self.stopped = threading.Event()
        self._wake = threading.Event()
        router = Router()
        router.add("GET", "/coordinator/status", lambda r: {"serverStartMs": self.server_start_ms})
        router.add("GET", "/coordinator/uptime", lambda r: {"serverStartMs": self.server_start_ms, "nowMs": now_ms()})
        router.add("POST", "/coordinator/task/create", self._create)
        router.add("PUT", "/coordinator/task/stop", self._stop)
        router.add("DELETE", "/coordinator/tasks", self._destroy)
        router.add("GET", "/coordinator/tasks", self._tasks)
        router.add("GET", "/coordinator/tasks/", self._tasks)  # Trogdor's own spelling of the path
        router.add("GET", "/coordinator/tasks/{taskId}", self._task)
        router.add("PUT", "/coordinator/shutdown", self._shutdown)
        router.add("GET", "/openapi.json", lambda r: openapi.coordinator_document())
        self.server = RestServer(router, token, bind, port, "coordinator")

    def start(self) -> None:
        self.server.start()
        threads = [threading.Thread(target=self._schedule_loop, name="scheduler", daemon=True)]
        threads += [threading.Thread(target=self._agent_loop, args=(link,), name=f"agent-{name}", daemon=True)
                    for name, link in self.links.items()]
        for thread in threads:
            thread.start()

    def wait(self) -> None:
        self.stopped.wait()
        self.server.close()

    # --- REST ------------------------------------------------------------------------
    def _create(self, request: Request) -> dict:
        task_id = _task_id(request.field("id", str), "createTask")
        original = TaskSpec.from_json(request.field("spec", dict))
        # as Trogdor: a start in the past becomes now; a repeated create compares the spec as sent
        spec = original.with_start_ms(max(now_ms(), original.start_ms))
        with self._lock:
            existing = self.tasks.get(task_id)
            if existing is not None:
                if existing.original == original.to_json():
                    return {}
                raise RestError(409, f"task {task_id} already exists with another spec: {existing.original}")
            self.tasks[task_id] = ManagedTask(task_id, spec, original.to_json())
        log.info("created task %s: %s", task_id, spec)
        self._wake.set()
        return {}

    def _stop(self, request: Request) -> dict:
        task_id = _task_id(request.field("id", str), "stopTask")
        with self._lock:
            task = self.tasks.get(task_id)
            if task is None:  # Trogdor: stopping an unknown task is not an error
                log.info("stop of unknown task %s ignored", task_id)
                return {}
            if task.state == "PENDING":
                task.cancelled = True
                task.finish(now_ms())
            elif task.state == "RUNNING":
                task.cancelled, task.state = True, "STOPPING"
                self._wake_nodes(task)
        return {}

    def _destroy(self, request: Request) -> dict:
        task_id = _task_id(request.query_one("taskId") or "", "destroyTask")
        with self._lock:
            task = self.tasks.pop(task_id, None)
            if task is None:
                return {}
            for node, ref in task.workers.items():
                if ref.created:
                    self.links[node].destroy_queue.append(ref.worker_id)
            self._wake_nodes(task)
        return {}

    def _tasks(self, request: Request) -> dict:
        state = request.query_one("state") or None  # Trogdor: an empty state is no filter
        if state is not None and state not in TASK_STATES:  # Trogdor answers this one in plain text
            raise RestError(400, f"State {state} is invalid. Must be one of [{', '.join(TASK_STATES)}]", plain=True)
        ids = request.query.get("taskId", [])
        bounds = [request.query_one(name, int) or 0
                  for name in ("firstStartMs", "lastStartMs", "firstEndMs", "lastEndMs")]
        with self._lock:
            return {"tasks": {tid: t.to_json() for tid, t in sorted(self.tasks.items())
                              if t.matches(ids, *bounds, state)}}

    def _task(self, request: Request) -> dict:
        with self._lock:
            task = self.tasks.get(request.params["taskId"])
            if task is None:
                raise RestError(404, f"No task with ID \"{request.params['taskId']}\" exists.")
            return task.to_json()

    def _shutdown(self, request: Request) -> dict:
        stop_agents = isinstance(request.body, dict) and request.body.get("stopAgents") is True
        log.info("shutdown requested over REST%s", " (stopping agents)" if stop_agents else "")
        if stop_agents:
            for link in self.links.values():
                try:
                    link.client.put("/agent/shutdown", {})
                except (OSError, RestError) as e:
                    log.warning("could not shut down agent %s: %s", link.name, e)
        threading.Timer(0.2, self.stopped.set).start()
        return {}

    # --- scheduling ---------------------------------------------------------------------
    def _wake_nodes(self, task: ManagedTask) -> None:
        for node in task.workers:
            self.links[node].wake.set()

    def _settle(self, task: ManagedTask, now: int) -> None:
        """Let the task move on from its workers' states; wake agents if it must stop."""
        if task.settle(now):
            self._wake_nodes(task)

    def _schedule_loop(self) -> None:
        while not self.stopped.is_set():
            self._wake.wait(0.2)
            self._wake.clear()
            with self._lock:
                for task in list(self.tasks.values()):
                    if task.state == "PENDING" and task.spec.start_ms <= now_ms():
                        self._launch(task)

    def _launch(self, task: ManagedTask) -> None:
        """PENDING -> RUNNING: choose the nodes, give each a worker id, wake their threads."""
        now = now_ms()
        task.state, task.started_ms = "RUNNING", now
        try:
            targets = task.spec.target_nodes(sorted(self.links))
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            task.finish(now, f"could not choose nodes: {type(e).__name__}: {e}")
            return
        unknown = [n for n in targets if n not in self.links]
        if unknown:
            task.finish(now, f"unknown node(s): {', '.join(unknown)}; known: {', '.join(sorted(self.links))}")
            return
        for node in dict.fromkeys(targets):
            self._next_worker_id += 1
            task.workers[node] = WorkerRef(node, self._next_worker_id)
            self.links[node].wake.set()
        log.info("task %s is RUNNING on %s", task.task_id, ", ".join(task.workers) or "no node")
        self._settle(task, now)

    # --- one agent ----------------------------------------------------------------------
    def _agent_loop(self, link: AgentLink) -> None:
        while not self.stopped.is_set():
            link.wake.wait(self.heartbeat_s)
            link.wake.clear()
            try:
                self._send_actions(link)
                status = link.client.get("/agent/status")
                link.last_contact, link.error = time.monotonic(), ""
                self._reconcile(link, status.get("workers", {}))
            except Exception as e:  # this thread must outlive any error, or its node's tasks never end
                if not isinstance(e, (OSError, RestError, ValueError, AttributeError)):
                    log.exception("unexpected error talking to agent %s", link.name)
                link.error = str(e) or type(e).__name__
                silent = time.monotonic() - link.last_contact
                if silent > self.unreachable_s:
                    self._node_unreachable(link, silent)

    def _send_actions(self, link: AgentLink) -> None:
        with self._lock:
            creates, stops = [], []
            for task in self.tasks.values():
                ref = task.workers.get(link.name)
                if ref is None or ref.done:
                    continue
                if task.state == "RUNNING" and not ref.created:
                    creates.append((task, ref))
                elif task.state == "STOPPING" and ref.created and not ref.stop_sent:
                    stops.append(ref)
                elif task.state == "STOPPING" and not ref.created:
                    ref.done = True
                    self._settle(task, now_ms())
            destroys, link.destroy_queue = link.destroy_queue, []
        for task, ref in creates:
            body = {"workerId": ref.worker_id, "taskId": task.task_id, "spec": task.spec.to_json()}
            try:
                link.client.post("/agent/worker/create", body)
                ref.created = True
            except RestError as e:  # the agent refused it: the worker can never run
                with self._lock:
                    ref.done, ref.error = True, f"node {link.name} refused the worker: {e.message}"
                    self._settle(task, now_ms())
        for ref in stops:
            link.client.put("/agent/worker/stop", {"workerId": ref.worker_id})
            ref.stop_sent = True
        for worker_id in destroys:
            link.client.delete("/agent/worker", workerId=worker_id)

    def _reconcile(self, link: AgentLink, workers: dict[str, Any]) -> None:
        """Fold the agent's worker states into tasks; stop workers of ended or unknown tasks."""
        now = now_ms()
        leftovers: list[int] = []
        with self._lock:
            known: dict[int, tuple[ManagedTask, WorkerRef]] = {}
            for task in self.tasks.values():
                ref = task.workers.get(link.name)
                if ref is not None:
                    known[ref.worker_id] = (task, ref)
            for key, state in workers.items():
                worker_id = int(key)
                entry = known.get(worker_id)
                if entry is None:  # not ours (an older coordinator's, or made by hand): stop it
                    if state.get("state") != "DONE":
                        leftovers.append(worker_id)
                    continue
                task, ref = entry
                if ref.done:
                    if state.get("state") != "DONE":
                        leftovers.append(worker_id)
                    continue
                ref.state = state.get("state", ref.state)
                # Trogdor's coordinator reads a STARTING worker's status as "starting", a missing one as null
                ref.status = state.get("status", "starting" if ref.state == "STARTING" else None)
                if ref.state == "DONE":
                    ref.done, ref.error = True, state.get("error") or ""
            for worker_id, (task, ref) in known.items():
                if ref.created and not ref.done and str(worker_id) not in workers:
                    ref.done = True
                    ref.error = f"worker {worker_id} is gone from node {link.name} (the agent lost its state)"
            for task in self.tasks.values():
                self._settle(task, now)
        for worker_id in leftovers:
            log.info("reconciling node %s: stop worker %d", link.name, worker_id)
            link.client.put("/agent/worker/stop", {"workerId": worker_id})

    def _node_unreachable(self, link: AgentLink, silent: float) -> None:
        now = now_ms()
        with self._lock:
            for task in self.tasks.values():
                ref = task.workers.get(link.name)
                if ref is not None and not ref.done and task.state in ("RUNNING", "STOPPING"):
                    ref.done = True
                    ref.error = (f"node {link.name}: agent unreachable for {silent:.0f}s "
                                 f"(last error: {link.error})")
                    log.warning("task %s: %s", task.task_id, ref.error)
                    self._settle(task, now)


def _task_id(task_id: str, request: str) -> str:
    if not task_id:
        raise RestError(400, f"Invalid empty ID in {request} request; hint: give the task's id")
    return task_id
