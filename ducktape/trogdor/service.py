"""TrogdorService: agents on the given nodes and a coordinator on its own node, from a test.

The names and signatures follow kafkatest's Python trogdor module, so a kafkatest
trogdor test ports by changing its imports. Nothing is installed on the nodes: the
agent and coordinator are one zip file (see ``pack.py``) run by the node's python3,
and a fresh bearer token is generated for each service. REST calls go through
``requests`` with retries, as kafkatest's do, so a refused call raises
``requests.HTTPError``. Operation histories the workers record on the agents' nodes are
copied into the test's history directory when the agents stop (or by ``collect_histories``).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
from typing import Any, ClassVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ducktape.checkers.storage import history_dir
from ducktape.errors import TimeoutError as DucktapeTimeout
from ducktape.services.service import Service
from ducktape.trogdor.faults import journal
from ducktape.trogdor.faults.specs import FaultSpec
from ducktape.trogdor.pack import build_zipapp
from ducktape.trogdor.rest import RestClient
from ducktape.trogdor.spec import SpecError, TaskSpec
from ducktape.utils.util import wait_until


class TrogdorService(Service):
    """A coordinator (on the node this service allocates) and agents (on nodes given to it)."""

    PERSISTENT_ROOT = "/mnt/trogdor"
    COORDINATOR_DIR = os.path.join(PERSISTENT_ROOT, "coordinator")
    AGENT_DIR = os.path.join(PERSISTENT_ROOT, "agent")
    COORDINATOR_LOG = os.path.join(COORDINATOR_DIR, "trogdor-coordinator.log")
    AGENT_LOG = os.path.join(AGENT_DIR, "trogdor-agent.log")
    AGENT_HISTORY = os.path.join(AGENT_DIR, "state", "history")  # Platform.history_dir's parent
    DEFAULT_AGENT_PORT = 8888
    DEFAULT_COORDINATOR_PORT = 8889
    REQUEST_TIMEOUT = 5
    REQUEST_HEADERS: ClassVar[dict[str, str]] = {"Content-type": "application/json"}

    logs: ClassVar[dict[str, dict[str, Any]]] = {
        "trogdor_coordinator_log": {"path": COORDINATOR_LOG, "collect_default": True},
        "trogdor_agent_log": {"path": AGENT_LOG, "collect_default": True},
    }

    def __init__(self, context: Any, agent_nodes: list | None = None, client_services: list | None = None,
                 agent_port: int = DEFAULT_AGENT_PORT, coordinator_port: int = DEFAULT_COORDINATOR_PORT):
        Service.__init__(self, context, num_nodes=1)
        self.coordinator_node = self.nodes[0]
        for service in client_services or []:
            self.nodes.extend(service.nodes)
        self.nodes.extend(agent_nodes or [])
        if len(self.nodes) == 1:
            raise RuntimeError("TrogdorService needs at least one agent node; "
                               "hint: pass agent_nodes=[...] or client_services=[...]")
        self.agent_port = agent_port
        self.coordinator_port = coordinator_port
        self.token = secrets.token_hex(24)
        self._zipapp: str | None = None
        self._recorded: set[str] = set()
        self._histories_final: set[int] = set()  # agents stopped and their histories copied (not twice)

    # --- deployment ---------------------------------------------------------------------
    def node_name(self, node: Any) -> str:
        """The node's name in the Trogdor config (its name, made unique by its index)."""
        names = [n.name for n in self.nodes]
        return node.name if names.count(node.name) == 1 else f"{node.name}-{self.idx(node)}"

    def is_coordinator(self, node: Any) -> bool:
        return node is self.coordinator_node

    def _config(self) -> dict:
        nodes = {}
        for node in self.nodes:
            entry: dict[str, Any] = {"hostname": node.account.ssh_hostname}
            key, port = (("trogdor.coordinator.port", self.coordinator_port) if self.is_coordinator(node)
                         else ("trogdor.agent.port", self.agent_port))
            entry[key] = port
            nodes[self.node_name(node)] = entry
        return {"nodes": nodes, "trogdor.coordinator.heartbeat.ms": 1000,
                "trogdor.coordinator.agent.timeout.ms": 10000}

    def _role(self, node: Any) -> tuple[str, str, str]:
        if self.is_coordinator(node):
            return "coordinator", self.COORDINATOR_DIR, self.COORDINATOR_LOG
        return "agent", self.AGENT_DIR, self.AGENT_LOG

    def start_node(self, node: Any, **kwargs: Any) -> None:
        role, home, log = self._role(node)
        self._histories_final.discard(id(node))
        if self._zipapp is None:
            self._zipapp = build_zipapp(os.path.join(self.local_scratch_dir, "trogdor.pyz"))
        node.account.mkdirs(home)
        node.account.copy_to(self._zipapp, f"{home}/trogdor.pyz")
        node.account.create_file(f"{home}/trogdor.conf", json.dumps(self._config(), indent=2))
        node.account.create_file(f"{home}/token", self.token + "\n")
        node.account.ssh(f"chmod 600 {home}/token")
        state = f" --state-dir {home}/state" if role == "agent" else ""
        command = (f"cd {home} || exit 1; nohup python3 trogdor.pyz {role} --node-name {self.node_name(node)} "
                   f"--config trogdor.conf --token-file token{state} "
                   f">> {log} 2>&1 < /dev/null & echo $! > {home}/pid")
        with node.account.monitor_log(log) as monitor:
            node.account.ssh(command)
            wait_until(lambda: monitor.found(f"Trogdor {role} on node .* listening on") or not self.alive(node),
                       timeout_sec=60, backoff_sec=0.1,
                       err_msg=f"trogdor {role} on {node.account.hostname} did not start in 60s; see {log}")
        if not self.alive(node):
            tail = node.account.ssh_output(f"tail -5 {log}", allow_fail=True).decode(errors="replace")
            raise RuntimeError(f"trogdor {role} on {node.account.hostname} exited at start:\n{tail}")
        self.logger.info("started trogdor %s on %s", role, self.node_name(node))

    def _pid(self, node: Any) -> str | None:
        _, home, _ = self._role(node)
        out = node.account.ssh_output(f"cat {home}/pid 2>/dev/null || true", allow_fail=True)
        pid = out.decode().strip()
        return pid if pid.isdigit() else None

    def alive(self, node: Any) -> bool:
        pid = self._pid(node)
        return pid is not None and node.account.alive(pid)

    def wait_node(self, node: Any, timeout_sec: float | None = None) -> bool:
        return not self.alive(node)

    def stop_node(self, node: Any, **kwargs: Any) -> None:
        """SIGTERM the daemon (agents stop and release their workers), SIGKILL after 20s;
        then copy an agent's histories (its workers have written their last events)."""
        pid = self._pid(node)
        if pid is not None and node.account.alive(pid):
            if self.is_coordinator(node):
                self._record_fault_tasks()
            node.account.signal(pid, 15, allow_fail=True)
            try:
                wait_until(lambda: not node.account.alive(pid), timeout_sec=20, backoff_sec=0.2)
            except DucktapeTimeout:
                node.account.signal(pid, 9, allow_fail=True)
        if not self.is_coordinator(node) and id(node) not in self._histories_final:
            try:
                self._collect_history(node)
                self._histories_final.add(id(node))
            except OSError as err:  # the test's own outcome stands; only these histories are lost
                self.logger.warning("cannot copy the histories of %s: %s", self.node_name(node), err)

    def clean_node(self, node: Any, **kwargs: Any) -> None:
        self.stop_node(node)
        _, home, _ = self._role(node)
        node.account.ssh(f"rm -rf -- {home}", allow_fail=True)

    def free(self) -> None:
        """Free only the coordinator's node: the agents' nodes belong to whoever gave them."""
        if self.coordinator_node is not None:
            self.nodes = [self.coordinator_node]
            self.coordinator_node = None
            Service.free(self)

    def collect_histories(self) -> list[str]:
        """Copy the histories every agent's workers recorded (``*.jsonl`` in
        ``AGENT_HISTORY/<task id>-<worker id>/``) to ``<agent hostname>/<task id>-<worker id>/``
        under ``history_dir(test_context)``, replacing earlier copies; returns those directories.
        Called again when the agents stop."""
        return [path for node in self.nodes if not self.is_coordinator(node) for path in self._collect_history(node)]

    def _collect_history(self, node: Any) -> list[str]:
        listing = node.account.ssh_output(f"cd {self.AGENT_HISTORY} 2>/dev/null && "
                                          "find . -mindepth 2 -maxdepth 2 -name '*.jsonl'", allow_fail=True)
        workers = sorted({line.split("/")[1] for line in listing.decode(errors="replace").splitlines()
                          if line.startswith("./")})
        copied = []
        for worker in workers:
            local = os.path.join(history_dir(self.context), node.account.hostname, worker)
            staging = f"{local}.partial"  # copy_from makes the tree; swap it in whole
            shutil.rmtree(staging, ignore_errors=True)
            os.makedirs(os.path.dirname(local), exist_ok=True)
            try:
                node.account.copy_from(f"{self.AGENT_HISTORY}/{worker}", staging)
                shutil.rmtree(local, ignore_errors=True)
                os.replace(staging, local)
            finally:
                shutil.rmtree(staging, ignore_errors=True)  # a half copy must not be drawn twice
            copied.append(local)
        return copied

    def _record_fault_tasks(self) -> None:
        """Put the fault tasks the coordinator ran into the test's results, beside the faults
        a test applies itself, so the report draws them on the nodes' timeline lanes."""
        try:
            tasks = self.tasks().get("tasks", {})
        except (OSError, requests.RequestException) as err:  # the test's own outcome stands; only the drawing is lost
            self.logger.warning("cannot read the coordinator's tasks for the report: %s", err)
            return
        hosts = {self.node_name(n): n.account.hostname for n in self.nodes if not self.is_coordinator(n)}
        for task_id, state in tasks.items():
            try:
                spec = TaskSpec.from_json(state.get("spec") or {})
            except SpecError:
                continue
            if isinstance(spec, FaultSpec) and state.get("startedMs") and task_id not in self._recorded:
                self._recorded.add(task_id)
                end_ms = state.get("doneMs") or None
                nodes = [hosts.get(name, name) for name in spec.target_nodes(list(hosts))]
                journal.add_finished(task_id, type(spec).__name__, nodes,
                                     start=state["startedMs"] / 1000, end=end_ms / 1000 if end_ms else None,
                                     detail={"via": "trogdor coordinator", "error": state.get("error") or ""})

    # --- REST -------------------------------------------------------------------------
    def client(self) -> RestClient:
        """The stdlib client (``RestError`` on refusals), for callers that want no retries."""
        return RestClient(self.coordinator_node.account.ssh_hostname, self.coordinator_port, self.token,
                          timeout=self.REQUEST_TIMEOUT)

    def _coordinator_url(self, path: str) -> str:
        host = self.coordinator_node.account.ssh_hostname
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.coordinator_port}/coordinator/{path}"

    def request_session(self) -> requests.Session:
        """A session that retries refused connections for a while (kafkatest's)."""
        session = requests.Session()
        session.mount("http://", HTTPAdapter(max_retries=Retry(total=5, backoff_factor=0.3)))
        session.headers.update({**self.REQUEST_HEADERS, "Authorization": f"Bearer {self.token}"})
        return session

    def _coordinator_call(self, method: str, path: str, message: Any) -> Any:
        url = self._coordinator_url(path)
        self.logger.info("%s %s %s", method, url, json.dumps(message))
        with self.request_session() as session:
            response = session.request(method, url, json=message, timeout=self.REQUEST_TIMEOUT)
        response.raise_for_status()
        return response.json()

    # kafkatest's helpers, for tests that call the coordinator directly
    def _coordinator_post(self, path: str, message: Any) -> Any:
        return self._coordinator_call("POST", path, message)

    def _coordinator_put(self, path: str, message: Any) -> Any:
        return self._coordinator_call("PUT", path, message)

    def _coordinator_get(self, path: str, message: Any) -> Any:
        return self._coordinator_call("GET", path, message)

    def create_task(self, id: str, spec: Any) -> TrogdorTask:
        """Create a task from a spec object (ours or kafkatest's: its ``.message``) or a dict."""
        message = getattr(spec, "message", spec)
        self._coordinator_post("task/create", {"id": id, "spec": message})
        return TrogdorTask(id, self)

    def stop_task(self, id: str) -> None:
        self._coordinator_put("task/stop", {"id": id})

    def tasks(self) -> dict:
        """``{"tasks": {id: TaskState}}`` as the coordinator reports it."""
        return self._coordinator_get("tasks", {})


class TrogdorTask:
    """A task created through a TrogdorService; errors surface as RuntimeError."""

    PENDING_STATE = "PENDING"
    RUNNING_STATE = "RUNNING"
    STOPPING_STATE = "STOPPING"
    DONE_STATE = "DONE"

    def __init__(self, id: str, trogdor: TrogdorService):
        self.id = id
        self.trogdor = trogdor

    def task_state(self) -> str:
        """The task's state name (PENDING, RUNNING, STOPPING or DONE), error or not."""
        state = self.trogdor.tasks()["tasks"].get(self.id)
        if state is None:
            raise RuntimeError(f"Coordinator did not know about {self.id}.")
        return state["state"]

    def task_state_or_error(self) -> tuple[str | None, str | None]:
        """(state, None), or (None, error) once the task has failed."""
        state = self.trogdor.tasks()["tasks"].get(self.id)
        if state is None:
            raise RuntimeError(f"Coordinator did not know about {self.id}.")
        error = state.get("error")
        return (state["state"], None) if not error else (None, error)

    def done(self) -> bool:
        state, error = self.task_state_or_error()
        if state is None:
            raise RuntimeError(f"Failed to gracefully stop {self.id}: got task error: {error}")
        return state == self.DONE_STATE

    def running(self) -> bool:
        state, error = self.task_state_or_error()
        if state is None:
            raise RuntimeError(f"Failed to start {self.id}: got task error: {error}")
        return state == self.RUNNING_STATE

    def stop(self) -> None:
        if self.done():
            return
        self.trogdor.stop_task(self.id)

    def wait_for_done(self, timeout_sec: float = 360) -> None:
        wait_until(self.done, timeout_sec=timeout_sec,
                   err_msg=f"{self.id} failed to finish in the expected amount of time.")
