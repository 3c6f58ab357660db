"""Trogdor's REST API as Trogdor's own Java clients see it: one test per row of the
"REST conformance" table in docs/trogdor.md.

Every request goes out as Trogdor's CoordinatorClient/AgentClient send it: no
Authorization header (the daemons run with ``--allow-unauthenticated``), only
``User-Agent: kafka`` and ``Accept: application/json`` (plus ``Content-Type`` when
there is a body), to real daemons on loopback.
"""
from __future__ import annotations

import http.client
import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.trogdor import TROGDOR, TrogdorCluster, wait_for

NOOP = "org.apache.kafka.trogdor.task.NoOpTaskSpec"
PROCESS_STOP = "org.apache.kafka.trogdor.fault.ProcessStopFaultSpec"
EXTERNAL = "org.apache.kafka.trogdor.workload.ExternalCommandSpec"
DOCS = Path(__file__).resolve().parents[1] / "docs"
HOUR_MS = 3_600_000


def java_call(port: int, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """One request with exactly the headers Trogdor's JsonRestServer.httpRequest sets."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        conn.putheader("User-Agent", "kafka")
        conn.putheader("Accept", "application/json")
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            conn.putheader("Content-Type", "application/json")
            conn.putheader("Content-Length", str(len(data)))
        conn.endheaders(data)
        response = conn.getresponse()
        text = response.read().decode()
    finally:
        conn.close()
    try:
        return response.status, json.loads(text)
    except ValueError:
        return response.status, text


def now_ms() -> int:
    return int(time.time() * 1000)


@pytest.fixture(scope="module")
def daemons(tmp_path_factory):
    """One agent and a coordinator, both as Trogdor runs them: no token."""
    cluster = TrogdorCluster(tmp_path_factory.mktemp("conformance"))
    agent = cluster.agent("n1", auth=False)
    coord = cluster.coordinator([agent], auth=False, agent_timeout_ms=60_000)  # a busy machine is no dead agent
    yield agent, coord
    cluster.stop_all()


def task(coord, task_id: str) -> dict:
    code, body = java_call(coord.port, "GET", f"/coordinator/tasks/{task_id}")
    assert code == 200, body
    return body


def worker(agent, worker_id: int) -> dict | None:
    code, body = java_call(agent.port, "GET", "/agent/status")
    assert code == 200 and set(body) == {"serverStartMs", "workers"}, body
    return body["workers"].get(str(worker_id))


# --- coordinator ---------------------------------------------------------------------

def test_coordinator_status_and_uptime(daemons):
    _, coord = daemons
    code, status = java_call(coord.port, "GET", "/coordinator/status")
    assert code == 200 and list(status) == ["serverStartMs"] and status["serverStartMs"] > 0
    code, uptime = java_call(coord.port, "GET", "/coordinator/uptime")
    assert code == 200 and set(uptime) == {"serverStartMs", "nowMs"} and uptime["nowMs"] >= uptime["serverStartMs"]


def test_create_echoes_the_spec_as_created(daemons):
    _, coord = daemons
    start = now_ms() + HOUR_MS
    spec = {"class": NOOP, "startMs": start, "durationMs": 1000}
    assert java_call(coord.port, "POST", "/coordinator/task/create", {"id": "echo", "spec": spec}) == (200, {})
    # PENDING: exactly Trogdor's fields; the spec has Kafka's class name and nothing Trogdor's reader rejects
    assert task(coord, "echo") == {"state": "PENDING", "spec": spec, "status": None}


def test_kafka_fault_spec_echo_has_only_kafka_fields(daemons):
    _, coord = daemons
    spec = {"class": PROCESS_STOP, "startMs": now_ms() + HOUR_MS, "durationMs": 1000,
            "nodeNames": ["n1"], "javaProcessName": "kafka.Kafka"}
    assert java_call(coord.port, "POST", "/coordinator/task/create", {"id": "stop-echo", "spec": spec}) == (200, {})
    assert task(coord, "stop-echo")["spec"] == spec


def test_start_in_the_past_becomes_the_creation_time(daemons):
    _, coord = daemons
    before = now_ms()
    spec = {"class": NOOP, "startMs": 5, "durationMs": HOUR_MS}
    assert java_call(coord.port, "POST", "/coordinator/task/create", {"id": "past", "spec": spec}) == (200, {})
    echoed = task(coord, "past")["spec"]
    assert echoed["startMs"] >= before and echoed == dict(spec, startMs=echoed["startMs"])
    # creating it again with the spec as first sent is the same task, not a conflict
    assert java_call(coord.port, "POST", "/coordinator/task/create", {"id": "past", "spec": spec}) == (200, {})


def test_unknown_spec_class_is_501(daemons):
    _, coord = daemons
    code, body = java_call(coord.port, "POST", "/coordinator/task/create",
                           {"id": "x", "spec": {"class": "org.apache.kafka.trogdor.task.NoSuchSpec"}})
    assert code == 501 and body["code"] == 501 and "NoSuchSpec" in body["message"], body


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/coordinator/task/create", {"id": "", "spec": {"class": NOOP}}),
    ("PUT", "/coordinator/task/stop", {"id": ""}),
    ("DELETE", "/coordinator/tasks?taskId=", None),
    ("DELETE", "/coordinator/tasks", None),
])
def test_empty_task_id_is_400(daemons, method, path, body):
    _, coord = daemons
    code, answer = java_call(coord.port, method, path, body)
    assert code == 400 and answer["code"] == 400 and "empty ID" in answer["message"], answer


def test_same_id_other_spec_is_409(daemons):
    _, coord = daemons
    spec = {"class": NOOP, "startMs": now_ms() + HOUR_MS, "durationMs": 10}
    assert java_call(coord.port, "POST", "/coordinator/task/create", {"id": "twice", "spec": spec}) == (200, {})
    code, body = java_call(coord.port, "POST", "/coordinator/task/create",
                           {"id": "twice", "spec": dict(spec, durationMs=11)})
    assert code == 409 and body["code"] == 409, body


def test_stop_and_destroy_of_unknown_task_are_200_empty(daemons):
    _, coord = daemons
    assert java_call(coord.port, "PUT", "/coordinator/task/stop", {"id": "nobody"}) == (200, {})
    assert java_call(coord.port, "DELETE", "/coordinator/tasks?taskId=nobody") == (200, {})


def test_unknown_task_is_404(daemons):
    _, coord = daemons
    code, body = java_call(coord.port, "GET", "/coordinator/tasks/nobody")
    assert code == 404 and body["code"] == 404 and "nobody" in body["message"], body


def test_tasks_with_the_trailing_slash(daemons):
    _, coord = daemons
    spec = {"class": NOOP, "startMs": now_ms() + HOUR_MS, "durationMs": 10}
    java_call(coord.port, "POST", "/coordinator/task/create", {"id": "slash", "spec": spec})
    code, body = java_call(coord.port, "GET", "/coordinator/tasks/?taskId=slash&firstStartMs=0&lastStartMs=0"
                                              "&firstEndMs=0&lastEndMs=0")
    assert code == 200 and body == {"tasks": {"slash": {"state": "PENDING", "spec": spec, "status": None}}}


def test_time_filters_leave_out_tasks_not_started_or_not_ended(daemons):
    _, coord = daemons
    spec = {"class": NOOP, "startMs": now_ms() + HOUR_MS, "durationMs": 10}
    java_call(coord.port, "POST", "/coordinator/task/create", {"id": "unstarted", "spec": spec})
    far = now_ms() + 10 * HOUR_MS
    for name in ("lastStartMs", "lastEndMs"):
        code, body = java_call(coord.port, "GET", f"/coordinator/tasks/?{name}={far}")
        assert code == 200 and "unstarted" not in body["tasks"], (name, body)
    code, body = java_call(coord.port, "GET", "/coordinator/tasks/?taskId=unstarted")
    assert code == 200 and list(body["tasks"]) == ["unstarted"]


def test_bad_state_filter_is_400_in_plain_text(daemons):
    _, coord = daemons
    code, body = java_call(coord.port, "GET", "/coordinator/tasks/?state=SLEEPING")
    assert (code, body) == (400, "State SLEEPING is invalid. Must be one of [PENDING, RUNNING, STOPPING, DONE]")


def test_task_status_as_trogdor_reports_it(daemons):
    _, coord = daemons
    spec = {"class": NOOP, "startMs": now_ms(), "durationMs": 3000}
    java_call(coord.port, "POST", "/coordinator/task/create", {"id": "life", "spec": spec})
    seen = set()

    def done() -> dict | None:
        state = task(coord, "life")
        if state["state"] == "RUNNING":
            seen.add(state["status"])
        return state if state["state"] == "DONE" else None

    final = wait_for(done, what="task life DONE")
    # a worker not yet heard from is "receiving", then the agent says "starting"/"active"
    assert seen and seen <= {"receiving", "starting", "active"} and "active" in seen, seen
    assert set(final) == {"state", "spec", "startedMs", "doneMs", "cancelled", "status"}, final
    assert final["status"] == "done" and final["cancelled"] is False  # no "error" key: it is empty


def test_stopped_pending_task(daemons):
    _, coord = daemons
    spec = {"class": NOOP, "startMs": now_ms() + HOUR_MS, "durationMs": 10}
    java_call(coord.port, "POST", "/coordinator/task/create", {"id": "cancelled", "spec": spec})
    assert java_call(coord.port, "PUT", "/coordinator/task/stop", {"id": "cancelled"}) == (200, {})
    state = task(coord, "cancelled")
    assert {k: v for k, v in state.items() if k != "doneMs"} == {
        "state": "DONE", "spec": spec, "startedMs": -1, "cancelled": True}, state


# --- agent ---------------------------------------------------------------------------

def test_agent_status_and_uptime(daemons):
    agent, _ = daemons
    code, uptime = java_call(agent.port, "GET", "/agent/uptime")
    assert code == 200 and set(uptime) == {"serverStartMs", "nowMs"}
    worker(agent, 0)  # checks the status answer's fields


def test_running_worker_state(daemons):
    agent, _ = daemons
    spec = {"class": NOOP, "startMs": now_ms(), "durationMs": HOUR_MS}
    body = {"workerId": 901, "taskId": "w901", "spec": spec}
    assert java_call(agent.port, "POST", "/agent/worker/create", body) == (200, {})
    state = wait_for(lambda: (w := worker(agent, 901)) and w["state"] == "RUNNING" and w, what="worker 901 RUNNING")
    assert set(state) == {"state", "taskId", "spec", "startedMs", "status"}
    assert state["spec"] == spec and state["status"] == "active" and state["taskId"] == "w901"
    assert java_call(agent.port, "PUT", "/agent/worker/stop", {"workerId": 901}) == (200, {})
    state = wait_for(lambda: (w := worker(agent, 901))["state"] == "DONE" and w, what="worker 901 DONE")
    assert state["status"] == "done" and "error" not in state


def test_empty_status_is_left_out(daemons):
    agent, coord = daemons
    spec = {"class": EXTERNAL, "startMs": now_ms(), "durationMs": HOUR_MS, "commandNode": "n1",
            "command": ["sh", "-c", "read line; echo '{\"status\": {}}'; exec sleep 600"]}
    java_call(coord.port, "POST", "/coordinator/task/create", {"id": "empty-status", "spec": spec})
    running = wait_for(lambda: (w := _worker_of(agent, "empty-status")) and w["state"] == "RUNNING"
                       and "status" not in w and w, what="worker without a status key")
    assert set(running) == {"state", "taskId", "spec", "startedMs"}
    # the coordinator reads the missing status as null
    wait_for(lambda: task(coord, "empty-status").get("status", "absent") is None, what="task status null")
    assert java_call(coord.port, "PUT", "/coordinator/task/stop", {"id": "empty-status"}) == (200, {})


def _worker_of(agent, task_id: str) -> dict | None:
    code, body = java_call(agent.port, "GET", "/agent/status")
    assert code == 200, body
    return next((w for w in body["workers"].values() if w["taskId"] == task_id), None)


def test_expired_worker_is_done_with_trogdors_error(daemons):
    agent, _ = daemons
    spec = {"class": NOOP, "startMs": 1000, "durationMs": 1000}
    assert java_call(agent.port, "POST", "/agent/worker/create",
                     {"workerId": 902, "taskId": "old", "spec": spec}) == (200, {})
    state = worker(agent, 902)
    assert state["state"] == "DONE" and state["error"] == "worker expired" and state["status"] is None
    assert state["startedMs"] == state["doneMs"] > 0


def test_stop_of_unknown_worker_is_200_empty(daemons):
    agent, _ = daemons
    assert java_call(agent.port, "PUT", "/agent/worker/stop", {"workerId": 123456}) == (200, {})


def test_destroy_worker_as_trogdor(daemons):
    agent, _ = daemons
    spec = {"class": NOOP, "startMs": now_ms(), "durationMs": HOUR_MS}
    java_call(agent.port, "POST", "/agent/worker/create", {"workerId": 903, "taskId": "d", "spec": spec})
    wait_for(lambda: (w := worker(agent, 903)) and w["state"] == "RUNNING", what="worker 903 RUNNING")
    assert java_call(agent.port, "DELETE", "/agent/worker?workerId=903") == (200, {})
    wait_for(lambda: worker(agent, 903) is None, what="worker 903 forgotten")
    # no id is Trogdor's default id 0; unknown ids are not an error
    assert java_call(agent.port, "DELETE", "/agent/worker") == (200, {})
    assert java_call(agent.port, "DELETE", "/agent/worker?workerId=903") == (200, {})


def test_agent_unknown_spec_class_is_501(daemons):
    agent, _ = daemons
    code, body = java_call(agent.port, "POST", "/agent/worker/create",
                           {"workerId": 904, "taskId": "t", "spec": {"class": "com.example.Nothing"}})
    assert code == 501 and body["code"] == 501, body


# --- shutdown and auth -----------------------------------------------------------------

def test_shutdown_with_no_body(tmp_path):
    cluster = TrogdorCluster(tmp_path)
    try:
        agent = cluster.agent("n1", auth=False)
        coord = cluster.coordinator([agent], auth=False)
        assert java_call(coord.port, "PUT", "/coordinator/shutdown") == (200, {})
        assert java_call(agent.port, "PUT", "/agent/shutdown") == (200, {})
        assert coord.proc.wait(20) == 0 and agent.proc.wait(20) == 0
    finally:
        cluster.stop_all()


def test_unauthenticated_daemon_warns_once_naming_its_address(daemons):
    agent, coord = daemons
    for daemon in (agent, coord):
        lines = [line for line in daemon.log_text().splitlines() if "authentication" in line]
        assert len(lines) == 1 and " WARNING " in lines[0], lines
        assert f"http://127.0.0.1:{daemon.port}" in lines[0] and "--allow-unauthenticated" in lines[0]


def test_token_daemon_refuses_trogdors_clients(trogdor_cluster):
    agent = trogdor_cluster.agent("n1")
    code, body = java_call(agent.port, "GET", "/agent/status")
    assert code == 401 and body["code"] == 401
    assert agent.client.get("/agent/status")["workers"] == {}  # with the bearer token it answers


@pytest.mark.parametrize("both", [False, True])
def test_daemon_with_neither_option_refuses_to_start(tmp_path, both):
    access = []
    if both:  # both at once is refused the same way
        (tmp_path / "token").write_text("secret\n")
        access = ["--token-file", str(tmp_path / "token"), "--allow-unauthenticated"]
    result = subprocess.run([*TROGDOR, "agent", "--node-name", "n1", *access], capture_output=True, text=True, check=False,
                            timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "--token-file" in result.stderr and "--allow-unauthenticated" in result.stderr


def test_table_rows_name_these_tests():
    """Every row of the conformance table in docs/trogdor.md names a test here, and every test is in it."""
    text = (DOCS / "trogdor.md").read_text()
    section = text.split("## REST conformance", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(test_\w+)`", section))
    here = {name for name in globals() if name.startswith("test_") and name != "test_table_rows_name_these_tests"}
    assert named == here, (sorted(named - here), sorted(here - named))
