"""A real coordinator with real agents on loopback: scheduling, life cycle, stop,
idempotency, filters, an agent that dies and one that comes back."""
from __future__ import annotations

import json
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from ducktape.trogdor import openapi
from ducktape.trogdor.rest import RestError
from tests.support.trogdor import task_state, wait_for, wait_task

NOOP = "org.apache.kafka.trogdor.task.NoOpTaskSpec"
EXTERNAL = "org.apache.kafka.trogdor.workload.ExternalCommandSpec"
DOCS = Path(__file__).resolve().parents[1] / "docs"


def create(coord, task_id: str, spec: dict) -> dict:
    return coord.client.post("/coordinator/task/create", {"id": task_id, "spec": spec})


def test_noop_runs_on_every_agent_then_is_done(trogdor_cluster):
    agents = trogdor_cluster.agents(["n1", "n2"])
    coord = trogdor_cluster.coordinator(agents)
    assert coord.client.get("/coordinator/status")["serverStartMs"] > 0
    create(coord, "noop", {"class": NOOP, "durationMs": 800})
    wait_for(lambda: task_state(coord, "noop")["status"] == {"n1": "active", "n2": "active"},
             what="both workers' status in the task")
    done = wait_task(coord, "noop", "DONE")
    assert "error" not in done and done["cancelled"] is False  # an empty error is left out, as Trogdor does
    assert done["doneMs"] - done["startedMs"] >= 800
    for agent in agents:
        workers = agent.client.get("/agent/status")["workers"]
        assert [w["taskId"] for w in workers.values()] == ["noop"]


def test_pending_until_start_ms_and_stopped_while_pending(trogdor_cluster):
    coord = trogdor_cluster.coordinator(trogdor_cluster.agents(["n1"]))
    later = int(time.time() * 1000) + 60_000
    create(coord, "later", {"class": NOOP, "startMs": later, "durationMs": 1000})
    state = task_state(coord, "later")
    assert state["state"] == "PENDING" and "startedMs" not in state
    coord.client.put("/coordinator/task/stop", {"id": "later"})
    done = task_state(coord, "later")
    assert done["state"] == "DONE" and done["cancelled"] is True and "error" not in done


def test_external_command_life_cycle_and_stop(trogdor_cluster, tmp_path):
    coord = trogdor_cluster.coordinator(trogdor_cluster.agents(["n1", "n2"]))
    script = tmp_path / "count.py"
    script.write_text(
        "import json, sys, time\n"
        "first = json.loads(sys.stdin.readline())\n"
        "print(json.dumps({'log': 'task ' + first['id']}), flush=True)\n"
        "for i in range(10**6):\n"
        "    print(json.dumps({'status': {'i': i, 'step': first['workload']['step']}}), flush=True)\n"
        "    time.sleep(0.05)\n")
    create(coord, "ext", {"class": EXTERNAL, "durationMs": 60000, "commandNode": "n2",
                          "command": [sys.executable, str(script)], "workload": {"step": 2}})
    status = wait_for(lambda: (s := task_state(coord, "ext"))["state"] == "RUNNING"
                      and isinstance(s["status"], dict) and s["status"]["i"] >= 3 and s["status"],
                      what="external command status")
    assert status["step"] == 2
    coord.client.put("/coordinator/task/stop", {"id": "ext"})
    done = wait_task(coord, "ext", "DONE")
    assert done["cancelled"] is True and "error" not in done
    assert "task ext" in trogdor_cluster.daemons[1].log_text()  # the "log" line went to n2's agent log


def test_external_command_error_fails_the_task(trogdor_cluster):
    coord = trogdor_cluster.coordinator(trogdor_cluster.agents(["n1"]))
    create(coord, "bad", {"class": EXTERNAL, "durationMs": 60000, "commandNode": "n1",
                          "command": ["sh", "-c", "read l; echo '{\"error\": \"disk on fire\"}'; sleep 60"]})
    done = wait_task(coord, "bad", "DONE")
    assert done["error"] == "disk on fire"
    create(coord, "exit3", {"class": EXTERNAL, "durationMs": 60000, "commandNode": "n1",
                            "command": ["sh", "-c", "exit 3"]})
    assert "exited with status 3" in wait_task(coord, "exit3", "DONE")["error"]


def test_create_idempotent_409_and_400(trogdor_cluster):
    coord = trogdor_cluster.coordinator(trogdor_cluster.agents(["n1"]))
    spec = {"class": NOOP, "durationMs": 60000}
    assert create(coord, "t", spec) == {}
    for other in (dict(spec, durationMs=1), dict(spec, **{"class": "ducktape.trogdor.NoOpTaskSpec"})):
        with pytest.raises(RestError) as info:  # another class name is another spec, as in Trogdor
            create(coord, "t", other)
        assert info.value.code == 409
    with pytest.raises(RestError) as info:
        create(coord, "u", {"class": EXTERNAL, "commandNode": "n1", "command": "not a list"})
    assert info.value.code == 400 and info.value.message.startswith("command:")
    with pytest.raises(RestError) as info:
        coord.client.get("/coordinator/tasks/nope")
    assert info.value.code == 404
    assert coord.client.put("/coordinator/task/stop", {"id": "nope"}) == {}  # as Trogdor


def test_unknown_node_ends_the_task_with_an_error(trogdor_cluster):
    coord = trogdor_cluster.coordinator(trogdor_cluster.agents(["n1"]))
    create(coord, "far", {"class": EXTERNAL, "commandNode": "n9", "command": ["true"], "durationMs": 1000})
    assert "unknown node(s): n9" in wait_task(coord, "far", "DONE")["error"]


def test_task_filters_and_destroy(trogdor_cluster):
    agent = trogdor_cluster.agent("n1")
    coord = trogdor_cluster.coordinator([agent])
    create(coord, "short", {"class": NOOP, "durationMs": 10})
    create(coord, "long", {"class": NOOP, "durationMs": 60000})
    wait_task(coord, "short", "DONE")
    wait_task(coord, "long", "RUNNING")
    tasks = lambda **q: sorted(coord.client.get("/coordinator/tasks", **q)["tasks"])
    assert tasks() == ["long", "short"]
    assert tasks(state="DONE") == ["short"]
    assert tasks(taskId=["long"]) == ["long"]
    assert tasks(firstEndMs=1) == ["short"]
    assert tasks(lastStartMs=1) == []
    with pytest.raises(RestError) as info:
        coord.client.get("/coordinator/tasks", state="SLEEPING")
    assert info.value.code == 400
    coord.client.delete("/coordinator/tasks", taskId="long")
    coord.client.delete("/coordinator/tasks", taskId="long")
    assert tasks() == ["short"]
    wait_for(lambda: "long" not in [w["taskId"] for w in agent.client.get("/agent/status")["workers"].values()],
             what="the destroyed task's worker gone from the agent")


def test_killed_agent_is_reported_with_its_node(trogdor_cluster):
    agents = trogdor_cluster.agents(["n1", "n2"])
    coord = trogdor_cluster.coordinator(agents, agent_timeout_ms=1000)
    create(coord, "t", {"class": NOOP, "durationMs": 60000})
    wait_task(coord, "t", "RUNNING")
    agents[1].proc.send_signal(signal.SIGKILL)
    done = wait_task(coord, "t", "DONE", timeout=30)
    assert done["error"].startswith("node n2: agent unreachable"), done["error"]


def test_returning_agent_is_reconciled(trogdor_cluster):
    """An agent frozen past the timeout fails its task; when it thaws, the coordinator
    stops the worker it still runs for that ended task."""
    agent = trogdor_cluster.agent("n1")
    coord = trogdor_cluster.coordinator([agent], agent_timeout_ms=1000)
    create(coord, "t", {"class": NOOP, "durationMs": 60000})
    wait_task(coord, "t", "RUNNING")
    agent.proc.send_signal(signal.SIGSTOP)
    try:
        assert "node n1: agent unreachable" in wait_task(coord, "t", "DONE")["error"]
    finally:
        agent.proc.send_signal(signal.SIGCONT)
    wait_for(lambda: all(w["state"] == "DONE" for w in agent.client.get("/agent/status")["workers"].values()),
             what="the thawed agent's worker stopped by reconciliation")
    assert "reconciling node n1: stop worker" in trogdor_cluster.daemons[1].log_text()


def test_shutdown_with_stop_agents(trogdor_cluster):
    agent = trogdor_cluster.agent("n1")
    coord = trogdor_cluster.coordinator([agent])
    coord.client.put("/coordinator/shutdown", {"stopAgents": True})
    assert coord.proc.wait(20) == 0 and agent.proc.wait(20) == 0


def test_openapi_document_is_served_and_in_docs(trogdor_cluster):
    coord = trogdor_cluster.coordinator(trogdor_cluster.agents(["n1"]))
    served = coord.client.get("/openapi.json")
    assert served == openapi.coordinator_document()
    assert json.loads((DOCS / "trogdor-coordinator.openapi.json").read_text()) == served
    assert {"/coordinator/tasks/{taskId}", "/coordinator/task/create", "/coordinator/shutdown"} <= set(served["paths"])


def test_an_agent_dying_in_the_middle_of_an_answer_is_unreachable(trogdor_cluster):
    """An agent killed between the headers and the body of its answer (IncompleteRead) is
    one that cannot be reached: the coordinator gives up on it as on a refused connection."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def cut_answers():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")

    thread = threading.Thread(target=cut_answers, daemon=True)
    thread.start()
    try:
        dying = SimpleNamespace(name="n2", port=server.getsockname()[1])
        coord = trogdor_cluster.coordinator([trogdor_cluster.agent("n1"), dying], agent_timeout_ms=1000)
        create(coord, "t", {"class": NOOP, "durationMs": 60000})
        done = wait_task(coord, "t", "DONE", timeout=30)
        assert done["error"].startswith("node n2: agent unreachable"), done["error"]
        assert "IncompleteRead" in done["error"], done["error"]
    finally:
        stop.set()
        thread.join()
        server.close()
