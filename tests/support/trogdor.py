"""Real Trogdor agents and coordinators on loopback, for tests: start, call, stop by PID.

    agents = trogdor_cluster.agents(["n1", "n2"])        # processes on 127.0.0.1, free ports
    coord = trogdor_cluster.coordinator(agents)           # knows them through its config file
    coord.client.post("/coordinator/task/create", {...})
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ducktape.trogdor.rest import RestClient

TROGDOR = [sys.executable, "-m", "ducktape.trogdor"]
TOKEN = "test-token-0123456789"


@dataclass
class Daemon:
    """One agent or coordinator process."""

    role: str
    name: str
    proc: subprocess.Popen
    port: int
    log: Path
    args: list[str] = field(default_factory=list)
    token: str | None = TOKEN  # None: started with --allow-unauthenticated

    @property
    def client(self) -> RestClient:
        return RestClient("127.0.0.1", self.port, self.token, timeout=10)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class TrogdorCluster:
    """Starts daemons under ``root`` and stops every one of them at the end of the test."""

    def __init__(self, root: Path):
        self.root = root
        self.token_file = root / "token"
        self.token_file.write_text(TOKEN + "\n")
        self.daemons: list[Daemon] = []

    def start(self, role: str, name: str, *args: str, port: int = 0, auth: bool = True) -> Daemon:
        """Start a daemon; ``auth=False`` starts it with ``--allow-unauthenticated``, as Trogdor runs."""
        log = self.root / f"{role}-{name}.log"
        access = ["--token-file", str(self.token_file)] if auth else ["--allow-unauthenticated"]
        argv = [*TROGDOR, role, "--node-name", name, "--bind", "127.0.0.1", "--port", str(port), *access, *args]
        with open(log, "ab") as err:
            proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL, text=True)
        line = proc.stdout.readline()
        if "listening on" not in line:
            proc.kill()
            raise AssertionError(f"{role} {name} did not start: {line!r}\n{log.read_text()}")
        daemon = Daemon(role, name, proc, int(line.rsplit(":", 1)[1]), log, argv, TOKEN if auth else None)
        self.daemons.append(daemon)
        return daemon

    def agent(self, name: str, port: int = 0, auth: bool = True) -> Daemon:
        return self.start("agent", name, "--state-dir", str(self.root / f"state-{name}"), port=port, auth=auth)

    def agents(self, names: list[str], auth: bool = True) -> list[Daemon]:
        return [self.agent(n, auth=auth) for n in names]

    def coordinator(self, agents: list[Daemon], heartbeat_ms: int = 200, agent_timeout_ms: int = 1500,
                    auth: bool = True) -> Daemon:
        config = {"nodes": {a.name: {"hostname": "127.0.0.1", "trogdor.agent.port": a.port} for a in agents},
                  "trogdor.coordinator.heartbeat.ms": heartbeat_ms,
                  "trogdor.coordinator.agent.timeout.ms": agent_timeout_ms}
        config["nodes"]["coord"] = {"hostname": "127.0.0.1", "trogdor.coordinator.port": 0}
        path = self.root / "trogdor.conf"
        path.write_text(json.dumps(config))
        return self.start("coordinator", "coord", "--config", str(path), auth=auth)

    def stop_all(self) -> None:
        for daemon in self.daemons:
            if daemon.proc.poll() is None:
                daemon.proc.kill()
                daemon.proc.wait()
            if daemon.proc.stdout:
                daemon.proc.stdout.close()


@pytest.fixture
def trogdor_cluster(tmp_path: Path):
    cluster = TrogdorCluster(tmp_path)
    yield cluster
    cluster.stop_all()


def wait_for(condition: Any, timeout: float = 30, interval: float = 0.05, what: str = "condition") -> Any:
    """Poll until ``condition()`` is truthy and return it; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def task_state(coordinator: Daemon, task_id: str) -> dict:
    return coordinator.client.get(f"/coordinator/tasks/{task_id}")


def wait_task(coordinator: Daemon, task_id: str, state: str, timeout: float = 30) -> dict:
    return wait_for(lambda: (s := task_state(coordinator, task_id))["state"] == state and s,
                    timeout, what=f"task {task_id} to be {state}")

