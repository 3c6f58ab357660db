"""Fault tasks run by a real Trogdor agent on a namespace node: healed at the end of their
duration, on agent shutdown, when the agent starts again after SIGKILL, and by
``ducktape-trogdor heal`` on the node."""
from __future__ import annotations

import json
import re
import shlex
import sys
import time

import pytest

from ducktape.trogdor.faults.context import partition_fault
from ducktape.trogdor.rest import RestClient
from tests.support.fault_nodes import allocated

TOKEN = "faults-agent-token-0123456789"
TAG = "dt-fault:"


@pytest.fixture
def nodes(netns_cluster):
    with allocated(netns_cluster, 2) as nodes:
        yield nodes


class NodeAgent:
    """A Trogdor agent process on a node, started and stopped over SSH by its PID."""

    def __init__(self, node, state_dir: str = "/tmp/faults-agent-state"):
        self.node, self.state_dir = node, state_dir
        self.ip = node.account.ssh_hostname
        node.account.ssh(f"echo {TOKEN} > /tmp/faults-agent.token")
        self.pid = self.port = 0

    def start(self) -> NodeAgent:
        log = f"/tmp/faults-agent-{time.monotonic_ns()}.log"
        self.pid = int(self.node.account.ssh_output(  # the log exists before the background shell opens it
            f": > {log}; nohup {sys.executable} -m ducktape.trogdor agent --node-name {self.node.account.hostname} "
            f"--bind {self.ip} --port 0 --token-file /tmp/faults-agent.token --state-dir {self.state_dir} "
            f"> {log} 2>&1 < /dev/null & echo $!"))
        deadline = time.monotonic() + 30
        while not self.port:
            text = self.node.account.ssh_output(f"cat {log}").decode()
            found = re.search(r"listening on http://[^:]+:(\d+)", text)
            self.port = int(found.group(1)) if found else 0
            assert time.monotonic() < deadline, text
            time.sleep(0.05)
        return self

    @property
    def client(self) -> RestClient:
        return RestClient(self.ip, self.port, TOKEN, timeout=10)

    def worker(self, worker_id: int) -> dict:
        return self.client.get("/agent/status")["workers"].get(str(worker_id), {})

    def wait_worker(self, worker_id: int, check, what: str) -> dict:
        deadline = time.monotonic() + 30
        while not check(state := self.worker(worker_id)):
            assert time.monotonic() < deadline, f"worker {worker_id} never {what}: {state}"
            time.sleep(0.05)
        return state

    def signal(self, sig: str) -> None:
        self.node.account.ssh(f"kill -{sig} {self.pid}; while kill -0 {self.pid} 2>/dev/null; do sleep 0.02; done")
        self.port = 0


def partition_spec(n1, n2, duration_ms: int) -> dict:
    return {"class": "org.apache.kafka.trogdor.fault.NetworkPartitionFaultSpec",
            "startMs": int(time.time() * 1000),  # an agent never runs a worker whose end has passed
            "durationMs": duration_ms,
            "partitions": [[n1.account.hostname], [n2.account.hostname]],
            "addresses": {n.account.hostname: n.account.ssh_hostname for n in (n1, n2)}}


def our_rules(node) -> list[str]:
    return [r for r in node.account.ssh_output("iptables -w -S INPUT").decode().splitlines() if TAG in r]


def reaches(src, dst) -> bool:
    return src.account.ssh(f"timeout 1 bash -c 'true </dev/tcp/{dst.account.ssh_hostname}/22'", allow_fail=True) == 0


def test_agent_heals_at_duration_end_and_after_sigkill_restart(nodes):
    n1, n2 = nodes
    agent = NodeAgent(n1).start()
    try:
        agent.client.post("/agent/worker/create", {"workerId": 1, "taskId": "short", "spec": partition_spec(n1, n2, 1500)})
        agent.wait_worker(1, lambda s: s.get("status", {}).get("state") == "applied", "applied")
        assert our_rules(n1) and not reaches(n1, n2)
        done = agent.wait_worker(1, lambda s: s.get("state") == "DONE", "done")
        assert done["status"]["state"] == "healed" and not done.get("error")
        assert our_rules(n1) == [] and reaches(n1, n2)

        agent.client.post("/agent/worker/create", {"workerId": 2, "taskId": "long", "spec": partition_spec(n1, n2, 600000)})
        agent.wait_worker(2, lambda s: s.get("status", {}).get("state") == "applied", "applied")
        agent.signal("KILL")
        assert our_rules(n1) and not reaches(n1, n2)  # the fault outlives its agent...
        agent.start()
        assert our_rules(n1) == [] and reaches(n1, n2)  # ...until the agent is back
        recovered = agent.worker(2)
        assert recovered["state"] == "DONE" and "restarted" in recovered["error"]

        agent.client.post("/agent/worker/create", {"workerId": 3, "taskId": "cut", "spec": partition_spec(n1, n2, 600000)})
        agent.wait_worker(3, lambda s: s.get("status", {}).get("state") == "applied", "applied")
        agent.signal("TERM")  # shutdown stops (and heals) every worker
        assert our_rules(n1) == [] and reaches(n1, n2)
    finally:
        if agent.port:
            agent.signal("TERM")
        n1.account.ssh(f"rm -rf {agent.state_dir} /tmp/faults-agent*", allow_fail=True)


def test_heal_command_on_the_node(nodes):
    n1, n2 = nodes
    fault = partition_fault([n1], [n2]).apply()  # as if left by a process that died
    heal = f"{sys.executable} -m ducktape.trogdor heal"
    for node in (n1, n2):
        assert node.account.ssh_output(f"{heal} --list").decode().split() == [fault.task_id]
        out = json.loads(node.account.ssh_output(heal))
        assert out == {"healed": [fault.task_id], "not_healed": {}}
        assert our_rules(node) == [] and node.account.ssh_output(f"{heal} --list") == b""
    assert reaches(n1, n2) and reaches(n2, n1)


def test_exec_mode_applies_and_heals_a_fault_spec(nodes):
    n1, n2 = nodes
    spec = json.dumps(partition_spec(n1, n2, 1000))
    out = n1.account.ssh_output(f"{sys.executable} -m ducktape.trogdor agent --node-name {n1.account.hostname} "
                                f"--exec {shlex.quote(spec)} 2>/dev/null")
    state = json.loads(out)
    assert state["state"] == "DONE" and not state.get("error"), state
    assert state["status"]["state"] == "healed"
    assert our_rules(n1) == [] and reaches(n1, n2)


def test_exec_mode_process_stop_never_stops_the_agent_naming_the_pattern(nodes):
    n1 = nodes[0]
    pid = int(n1.account.ssh_output("cd /tmp; nohup sleep 31338 >/dev/null 2>&1 </dev/null & echo $!"))
    spec = json.dumps({"class": "org.apache.kafka.trogdor.fault.ProcessStopFaultSpec", "durationMs": 500,
                       "nodeNames": [n1.account.hostname], "javaProcessName": "sleep 31338"})
    try:  # the agent's own command line holds the pattern: it must not stop itself
        out = n1.account.ssh_output(f"timeout 60 {sys.executable} -m ducktape.trogdor agent "
                                    f"--node-name {n1.account.hostname} --exec {shlex.quote(spec)} 2>/dev/null")
        state = json.loads(out)
        assert state["state"] == "DONE" and not state.get("error"), state
        assert state["status"]["state"] == "healed"
        assert n1.account.ssh_output(f"ps -o stat= -p {pid}").decode().strip()[0] != "T"
    finally:
        n1.account.ssh(f"kill -CONT {pid}; kill {pid}", allow_fail=True)
