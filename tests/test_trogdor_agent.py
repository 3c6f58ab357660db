"""A real agent process on loopback: token, worker life cycle, idempotency, errors,
state on disk and the recover hook after a crash."""
from __future__ import annotations

import json
import os
import signal
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ducktape.trogdor import openapi
from ducktape.trogdor.rest import RestClient, RestError
from tests.support.trogdor import wait_for

NOOP = {"class": "org.apache.kafka.trogdor.task.NoOpTaskSpec", "startMs": 0, "durationMs": 600}


def now_ms() -> int:
    return int(time.time() * 1000)


def noop(**fields) -> dict:
    """A NoOp spec starting now: an agent, like Trogdor's, never runs a worker whose end has passed."""
    return dict(NOOP, startMs=now_ms(), **fields)
DOCS = Path(__file__).resolve().parents[1] / "docs"


def raw(port: int, path: str, headers: dict | None = None, method: str = "GET", body: bytes | None = None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method,
                                     headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def worker(agent, worker_id: int) -> dict:
    return agent.client.get("/agent/status")["workers"].get(str(worker_id), {})


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}])
def test_every_request_needs_the_token(trogdor_cluster, headers):
    agent = trogdor_cluster.agent("n1")
    for path in ("/agent/status", "/agent/uptime", "/openapi.json", "/nope"):
        code, body = raw(agent.port, path, headers)
        assert code == 401 and body["code"] == 401, (path, body)
    code, _ = raw(agent.port, "/agent/shutdown", headers, method="PUT")
    assert code == 401 and agent.proc.poll() is None


def test_noop_worker_life_cycle(trogdor_cluster):
    agent = trogdor_cluster.agent("n1")
    before = agent.client.get("/agent/uptime")
    assert before["nowMs"] >= before["serverStartMs"]
    agent.client.post("/agent/worker/create", {"workerId": 7, "taskId": "t", "spec": noop()})
    state = worker(agent, 7)
    assert state["state"] == "RUNNING" and state["taskId"] == "t" and state["startedMs"] > 0
    assert state["status"] == "active"
    done = wait_for(lambda: (w := worker(agent, 7))["state"] == "DONE" and w, what="worker 7 DONE")
    assert "error" not in done and done["doneMs"] - done["startedMs"] >= 500 and done["status"] == "done"
    assert done["spec"]["class"] == "org.apache.kafka.trogdor.task.NoOpTaskSpec"  # echoed as created
    agent.client.delete("/agent/worker", workerId=7)
    assert worker(agent, 7) == {}
    agent.client.delete("/agent/worker", workerId=7)  # idempotent


def test_create_is_idempotent_and_conflicts_are_409(trogdor_cluster):
    agent = trogdor_cluster.agent("n1")
    spec = noop(durationMs=60000)
    body = {"workerId": 1, "taskId": "t", "spec": spec}
    assert agent.client.post("/agent/worker/create", body) == {}
    java_alias = dict(spec, **{"class": "ducktape.trogdor.NoOpTaskSpec"})
    assert agent.client.post("/agent/worker/create", dict(body, spec=java_alias)) == {}
    with pytest.raises(RestError) as info:
        agent.client.post("/agent/worker/create", dict(body, spec=dict(spec, durationMs=5)))
    assert info.value.code == 409
    agent.client.put("/agent/worker/stop", {"workerId": 1})
    wait_for(lambda: worker(agent, 1)["state"] == "DONE", what="stopped worker")
    agent.client.put("/agent/worker/stop", {"workerId": 1})  # stopping a done worker is a no-op


@pytest.mark.parametrize(("body", "needle"), [
    ({"workerId": 1, "taskId": "t", "spec": dict(NOOP, durationMs="long")}, "durationMs"),
    ({"workerId": 1, "taskId": "t", "spec": dict(NOOP, surprise=1)}, "surprise"),
    ({"workerId": 1, "taskId": "t", "spec": {"startMs": 0}}, "class"),
    ({"workerId": "one", "taskId": "t", "spec": NOOP}, "workerId"),
    ({"workerId": 1, "spec": NOOP}, "taskId"),
])
def test_malformed_requests_are_400_naming_the_field(trogdor_cluster, body, needle):
    agent = trogdor_cluster.agent("n1")
    with pytest.raises(RestError) as info:
        agent.client.post("/agent/worker/create", body)
    assert info.value.code == 400 and info.value.message.startswith(needle), info.value.message


def test_other_errors(trogdor_cluster):
    agent = trogdor_cluster.agent("n1")
    auth = {"Authorization": "Bearer " + agent.client.token}
    assert raw(agent.port, "/agent/worker/stop", auth, "PUT", b'{"workerId": 99}') == (200, {})
    assert raw(agent.port, "/agent/nothing", auth)[0] == 404
    assert raw(agent.port, "/agent/status", auth, "POST", b"{}")[0] == 405
    code, body = raw(agent.port, "/agent/worker/create", auth, "POST", b"{not json")
    assert code == 400 and "not JSON" in body["message"]
    assert raw(agent.port, "/agent/worker?workerId=x", auth, "DELETE")[0] == 400


def test_openapi_document_is_served_and_in_docs(trogdor_cluster):
    agent = trogdor_cluster.agent("n1")
    served = agent.client.get("/openapi.json")
    assert served == openapi.agent_document()
    assert json.loads((DOCS / "trogdor-agent.openapi.json").read_text()) == served
    assert set(served["paths"]) >= {"/agent/status", "/agent/uptime", "/agent/worker/create",
                                    "/agent/worker/stop", "/agent/worker", "/agent/shutdown"}


def test_shutdown_stops_running_workers(trogdor_cluster, tmp_path):
    agent = trogdor_cluster.agent("n1")
    marker = tmp_path / "stopped"
    script = f"trap 'echo term > {marker}; exit 0' TERM; read line; while :; do sleep 0.05; done"
    spec = {"class": "ducktape.trogdor.ExternalCommandSpec", "startMs": now_ms(), "durationMs": 60000, "commandNode": "n1",
            "command": ["sh", "-c", script]}
    agent.client.post("/agent/worker/create", {"workerId": 1, "taskId": "t", "spec": spec})
    agent.client.put("/agent/shutdown", {})
    assert agent.proc.wait(20) == 0
    assert marker.read_text().strip() == "term"
    record = json.loads((tmp_path / "state-n1" / "workers" / "1.json").read_text())
    assert record["state"] == "DONE" and record["taskId"] == "t"


def test_state_on_disk_and_recover_after_a_crash(trogdor_cluster, tmp_path):
    """SIGKILL the agent under a running external command; the restarted agent finds the
    worker on disk, its recover hook kills the orphaned program, and it reports DONE + error."""
    agent = trogdor_cluster.agent("n1")
    pid_file = tmp_path / "child.pid"
    spec = {"class": "ducktape.trogdor.ExternalCommandSpec", "startMs": now_ms(), "durationMs": 60000, "commandNode": "n1",
            "command": [sys.executable, "-c",
                        f"import os,time; open({str(pid_file)!r},'w').write(str(os.getpid())); time.sleep(600)"]}
    agent.client.post("/agent/worker/create", {"workerId": 3, "taskId": "t", "spec": spec})
    child = int(wait_for(lambda: pid_file.exists() and pid_file.read_text(), what="child pid"))
    agent.proc.send_signal(signal.SIGKILL)
    agent.proc.wait()
    os.kill(child, 0)  # the orphan is still alive
    again = trogdor_cluster.agent("n1")
    state = worker(again, 3)
    assert state["state"] == "DONE" and "agent restarted" in state["error"], state
    wait_for(lambda: not _alive(child), what="orphaned program killed by recover")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie waiting for its parent counts as gone
        return f.read().split(")")[-1].split()[0] != "Z"


def test_rest_client_brackets_an_ipv6_host():
    assert RestClient("::1", 1, "t").base == "http://[::1]:1"
