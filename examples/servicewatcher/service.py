"""ServiceWatcherService: the orchestrator's monitor on each of its nodes, for ducktape.

Copies the ``watcher`` package to every node, writes the one YAML config they share, and
runs ``python -m watcher monitor`` there. Units are run by the supervisor backend (the
local namespace cluster has no systemd); their processes are named ``sw:<unit>`` so a
test can see from outside what each node really runs.
"""
from __future__ import annotations

import json
import os
import signal
import sys
from typing import ClassVar

import yaml

from ducktape.services.service import Service
from ducktape.utils.util import wait_until

PACKAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "watcher")

# Short timings so a fault and the recovery from it take seconds (ZooKeeper ticks at 500 ms,
# so session timeouts between 1 and 10 s are accepted).
FAST = {"loop_tick": 0.2, "failed_loop_tick": 0.5, "partitioner_boundary": 0.5, "partitioner_reaction": 4.0}
SESSION_TIMEOUT = 4.0


class ServiceWatcherService(Service):
    """One monitor per node; ``services`` is the ``services:`` mapping of the config."""

    ROOT = "/mnt/servicewatcher"
    CONFIG_FILE = f"{ROOT}/servicewatcher.yaml"
    LOG_FILE = f"{ROOT}/monitor.log"
    PID_FILE = f"{ROOT}/monitor.pid"
    STATE_DIR = f"{ROOT}/units"
    MONITOR_PATTERN = "-m watcher monitor"
    logs: ClassVar[dict] = {"servicewatcher_log": {"path": LOG_FILE, "collect_default": True},
                            "servicewatcher_units": {"path": STATE_DIR, "collect_default": True}}

    def __init__(self, context, zookeeper, services: dict, num_nodes: int = 4, python: str = sys.executable):
        super().__init__(context, num_nodes=num_nodes)
        self.zookeeper = zookeeper
        self.services = services
        # The namespace cluster shares the driver's virtualenv (kazoo, PyYAML) with every node.
        self.python = python

    def config(self) -> dict:
        return {"zookeeper": self.zookeeper.connect_string(), "root": "/servicewatcher",
                "session_timeout": SESSION_TIMEOUT, "timings": FAST, "units": "supervisor",
                "state_dir": self.STATE_DIR, "services": self.services}

    def hosts(self) -> list[str]:
        return [node.account.hostname for node in self.nodes]

    def node_named(self, host: str):
        return next(node for node in self.nodes if node.account.hostname == host)

    # -- life cycle -----------------------------------------------------------------------

    def start_cmd(self, node) -> str:
        """The shell command that starts the monitor in the background and records its pid
        (only the monitor itself runs in the background, so $! is its pid)."""
        return (f"cd {self.ROOT} && {{ nohup {self.python} -m watcher monitor --config {self.CONFIG_FILE} "
                f"--host {node.account.hostname} >>{self.LOG_FILE} 2>&1 </dev/null & echo $! >{self.PID_FILE}; }}")

    def start_node(self, node, **kwargs):
        self.check_python(node)
        node.account.mkdirs(self.ROOT)
        node.account.copy_to(PACKAGE, f"{self.ROOT}/watcher")
        self.write_config(node)
        node.account.ssh(self.start_cmd(node))
        wait_until(lambda: self.alive(node), timeout_sec=10, backoff_sec=0.1,
                   err_msg=f"the monitor on {node.account.hostname} did not start")

    def check_python(self, node) -> None:
        """The monitor needs kazoo and PyYAML in the node's Python: say so at once, by package."""
        missing = node.account.ssh_output(
            f"for m in kazoo yaml; do {self.python} -c \"import $m\" 2>/dev/null || echo $m; done",
            allow_fail=True, combine_stderr=False).decode().split()
        if missing:
            packages = " ".join("PyYAML" if m == "yaml" else m for m in missing)
            raise RuntimeError(f"the servicewatcher monitor needs {packages} in {self.python} on "
                               f"{node.account.hostname}: pip install {packages}")

    def write_config(self, node) -> None:
        node.account.create_file(self.CONFIG_FILE, yaml.safe_dump(self.config(), sort_keys=True))

    def set_services(self, services: dict) -> None:
        """Write a new config on every node (identical everywhere); ``reload`` applies it."""
        self.services = services
        for node in self.nodes:
            self.write_config(node)

    def pids(self, node) -> list[int]:
        out = node.account.ssh_output(f"cat {self.PID_FILE} 2>/dev/null", allow_fail=True).decode().split()
        return [int(pid) for pid in out if node.account.alive(int(pid))]

    def alive(self, node) -> bool:
        return bool(self.pids(node))

    def stop_node(self, node, **kwargs):
        """Stop the monitor (SIGTERM: its units keep running, as with a real orchestrator)."""
        for pid in self.pids(node):
            node.account.signal(pid, signal.SIGTERM, allow_fail=True)
        wait_until(lambda: not self.alive(node), timeout_sec=15, backoff_sec=0.1,
                   err_msg=f"the monitor on {node.account.hostname} did not stop")

    def clean_node(self, node, **kwargs):
        """Kill a monitor left behind, stop every unit through the supervisor, remove the files."""
        for pid in self.pids(node):
            node.account.signal(pid, signal.SIGKILL, allow_fail=True)
        node.account.ssh(f"cd {self.ROOT} 2>/dev/null && {self.python} -m watcher stop-units "
                         f"--config {self.CONFIG_FILE}", allow_fail=True)
        node.account.remove(self.ROOT, allow_fail=True)

    # -- what a test asks ---------------------------------------------------------------------

    def running(self, node) -> dict[str, list[int]]:
        """Unit -> pids of its processes on *node*, read from the process table (``sw:<unit>``)."""
        out = node.account.ssh_output("pgrep -a -f '^sw:' || true", combine_stderr=False).decode()
        units: dict[str, list[int]] = {}
        for line in out.splitlines():
            pid, name = line.split()[:2]
            units.setdefault(name[len("sw:"):], []).append(int(pid))
        return units

    def command(self, node, *args: str) -> str:
        """Run ``python -m watcher <args>`` on *node*; its stdout."""
        return node.account.ssh_output(f"cd {self.ROOT} && {self.python} -m watcher {' '.join(args)} "
                                       f"--config {self.CONFIG_FILE}", combine_stderr=False).decode()

    def status(self, node=None) -> dict:
        return json.loads(self.command(node or self.nodes[0], "status", "--json"))

    def reload(self, node=None) -> None:
        self.command(node or self.nodes[0], "reload")

    def zk_server(self, node) -> str:
        """The ZooKeeper server (ip:port) the monitor on *node* reports talking to."""
        return self.status(node)["members"].get(node.account.hostname, {}).get("server", "")
