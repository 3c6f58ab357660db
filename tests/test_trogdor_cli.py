"""The ducktape-trogdor command: exec mode, client and agent-client verbs, usage errors."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ducktape.trogdor.pack import build_zipapp
from tests.support.trogdor import TROGDOR, task_state, wait_for

NOOP = {"class": "org.apache.kafka.trogdor.task.NoOpTaskSpec", "durationMs": 300}


def trogdor(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([*TROGDOR, *args], capture_output=True, text=True, timeout=timeout, check=False)


def test_exec_mode_success_prints_final_state(tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"class": "org.apache.kafka.trogdor.workload.ExternalCommandSpec",
                                "durationMs": 30000, "commandNode": "here",
                                "command": ["sh", "-c", "read l; echo '{\"status\": {\"ok\": 1}}'"]}))
    result = trogdor("agent", "--node-name", "here", "--exec", str(spec))
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout)
    assert state["state"] == "DONE" and "error" not in state and state["status"] == {"ok": 1}
    assert "Running task" in result.stderr


def test_exec_mode_failure_exits_1():
    spec = {"class": "ducktape.trogdor.ExternalCommandSpec", "durationMs": 30000, "commandNode": "here",
            "command": ["sh", "-c", "read l; echo '{\"error\": \"broken\"}'"]}
    result = trogdor("agent", "--node-name", "here", "--exec", json.dumps(spec))
    assert result.returncode == 1
    assert json.loads(result.stdout)["error"] == "broken"


def test_exec_mode_noop_runs_for_its_duration():
    result = trogdor("agent", "--node-name", "here", "--exec", json.dumps(NOOP))
    state = json.loads(result.stdout)
    # exec moves a past startMs to now, as Trogdor's does; the worker runs until startMs + durationMs
    assert result.returncode == 0 and state["spec"]["startMs"] >= state["startedMs"] - 1000
    assert state["doneMs"] - state["spec"]["startMs"] >= 300


@pytest.mark.parametrize(("args", "needle"), [
    (["agent", "--node-name", "x", "--exec", '{"class": "org.apache.kafka.trogdor.task.NoOpTaskSpec", "durationMs": "x"}'],
     "durationMs: must be an integer"),
    (["agent", "--node-name", "x", "--exec", "/nonexistent/spec.json"], "cannot read spec file"),
    (["agent", "--node-name", "x"], "hint: pass --token-file"),
    (["coordinator", "--node-name", "x", "--config", "/nonexistent.conf", "--token-file", "/dev/null"],
     "cannot read config file"),
    (["client", "--target", "nohost", "--token-file", "/dev/null", "status"], "--target must be HOST:PORT"),
    (["client", "status"], "--target HOST:PORT is required"),
    (["agent-client", "status", "-t", "nohost"], "--target must be HOST:PORT"),
    (["agent"], "required: --node-name"),
    (["client", "--target", "h:1", "--token-file", "/dev/null", "bogus"], "invalid choice: 'bogus'"),
])
def test_usage_errors_are_one_line_exit_2(args, needle):
    result = trogdor(*args)
    assert result.returncode == 2, result
    assert needle in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_client_verbs_print_like_trogdor(trogdor_cluster, tmp_path):
    agent = trogdor_cluster.agent("n1")
    coord = trogdor_cluster.coordinator([agent])
    token = str(trogdor_cluster.token_file)
    client = ["client", "--target", coord.target, "--token-file", token]
    spec = tmp_path / "noop.json"
    spec.write_text(json.dumps(NOOP))

    uptime = trogdor(*client, "uptime")
    assert uptime.stdout.startswith(f"Coordinator is running at {coord.target}.") and "Uptime:" in uptime.stdout
    created = trogdor(*client, "createTask", "-i", "t1", "--spec", str(spec))
    assert created.returncode == 0 and created.stdout == "Sent CreateTaskRequest for task t1.\n"
    wait_for(lambda: task_state(coord, "t1")["state"] == "DONE", what="t1 done")
    shown = trogdor(*client, "showTask", "-i", "t1", "--show-status")
    assert re.match(r"Task t1 of type org\.apache\.kafka\.trogdor\.task\.NoOpTaskSpec is DONE\. "
                    r"FINISHED at \S+ after \d+ms\.\nStatus: \"done\"\n$", shown.stdout), shown.stdout
    table = trogdor(*client, "showTasks").stdout.splitlines()
    assert table[0].split() == ["ID", "TYPE", "STATE", "INFO"] and table[1].split()[:3] == [
        "t1", "org.apache.kafka.trogdor.task.NoOpTaskSpec", "DONE"]
    conflict = trogdor(*client, "createTask", "-i", "t1", "--spec", json.dumps(dict(NOOP, durationMs=5)))
    assert conflict.returncode == 1 and conflict.stdout.startswith("error: 409: task t1 already exists")
    missing = trogdor(*client, "showTask", "-i", "nope")
    assert missing.returncode == 1 and "404" in missing.stdout
    assert trogdor(*client, "destroyTask", "-i", "t1").stdout == "Sent DestroyTaskRequest for task t1.\n"

    agent_client = ["agent-client", "--target", agent.target, "--token-file", token]
    made = trogdor(*agent_client, "createWorker", "--worker-id", "5", "--task-id", "w", "--spec", json.dumps(NOOP))
    assert made.stdout == "Sent CreateWorkerRequest for worker 5.\n"
    status = trogdor(*agent_client, "status").stdout
    assert re.search(r"^5\s+w\s+(RUNNING|DONE)\s+org\.apache\.kafka\.trogdor\.task\.NoOpTaskSpec$", status, re.MULTILINE), status
    assert trogdor(*client, "shutdown").stdout == "Sent ShutdownRequest.\n"
    assert coord.proc.wait(20) == 0


def test_trogdors_own_spellings_against_an_unauthenticated_daemon(trogdor_cluster):
    """Command lines as written for Trogdor's trogdor.sh client: the target after the verb,
    camelCase ids, --json, -S, --id-pattern; no token file."""
    agent = trogdor_cluster.agent("n1", auth=False)
    coord = trogdor_cluster.coordinator([agent], auth=False)
    later = dict(NOOP, startMs=int(time.time() * 1000) + 3_600_000)
    created = trogdor("client", "createTask", "-t", coord.target, "-i", "kafka1", "-s", json.dumps(later))
    assert created.returncode == 0 and created.stdout == "Sent CreateTaskRequest for task kafka1.\n", created
    shown = trogdor("client", "showTask", "-t", coord.target, "-i", "kafka1", "-S")
    assert shown.stdout.startswith("Task kafka1 of type org.apache.kafka.trogdor.task.NoOpTaskSpec is PENDING.")
    assert shown.stdout.endswith("Status: null\n"), shown.stdout
    assert json.loads(trogdor("client", "showTask", "-t", coord.target, "-i", "kafka1", "--json").stdout)["spec"] == later
    matched = trogdor("client", "showTasks", "-t", coord.target, "--id-pattern", "kafka[0-9]", "--json")
    assert matched.returncode == 0 and list(json.loads(matched.stdout)["tasks"]) == ["kafka1"]
    unmatched = trogdor("client", "showTasks", "-t", coord.target, "--id-pattern", "kafka")  # whole id only
    assert unmatched.returncode == 1
    uptime = json.loads(trogdor("client", "uptime", "-t", coord.target, "--json").stdout)
    assert set(uptime) == {"serverStartMs", "nowMs"}

    spec = json.dumps(dict(NOOP, startMs=int(time.time() * 1000), durationMs=60000))
    made = trogdor("agent-client", "createWorker", "-t", agent.target, "--workerId", "5", "--taskId", "w", "-s", spec)
    assert made.stdout == "Sent CreateWorkerRequest for worker 5.\n", made
    status = json.loads(trogdor("agent-client", "status", "-t", agent.target, "--json").stdout)
    assert status["workers"]["5"]["taskId"] == "w"
    assert trogdor("agent-client", "stopWorker", "-t", agent.target, "--workerId", "5").returncode == 0


@pytest.mark.parametrize(("verb", "commands"), [
    ("client", ["uptime", "status", "showTask", "showTasks", "createTask", "stopTask", "destroyTask", "shutdown"]),
    ("agent-client", ["uptime", "status", "createWorker", "stopWorker", "destroyWorker", "shutdown"]),
])
def test_client_help_lists_its_commands(verb, commands):
    result = trogdor(verb, "--help")
    listed = re.findall(r"^    (\w+)\s{2,}\S", result.stdout, re.MULTILINE)
    assert result.returncode == 0 and listed == commands, result.stdout


def test_unreachable_target_is_one_line(tmp_path):
    token = tmp_path / "t"
    token.write_text("x")
    result = trogdor("client", "--target", "127.0.0.1:9", "--token-file", str(token), "status")
    assert result.returncode == 1 and result.stdout.startswith("error: cannot reach 127.0.0.1:9")


def test_zipapp_runs_with_only_the_standard_library(tmp_path):
    """The single file shipped to nodes: no site-packages (-S), no checkout on the path."""
    pyz = build_zipapp(str(tmp_path / "trogdor.pyz"))
    result = subprocess.run([sys.executable, "-S", pyz, "agent", "--node-name", "n", "--exec", json.dumps(NOOP)],
                            capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path,
                            env={"PATH": os.environ["PATH"]})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["state"] == "DONE"


EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "trogdor"


@pytest.mark.parametrize(("workload", "code", "status"), [
    ({"count": 3, "intervalMs": 10}, 0, {"counted": 3, "of": 3}),
    ({"count": 2, "intervalMs": 10, "failAtEnd": True}, 1, {"counted": 2, "of": 2}),
])
def test_python_example_worker(workload, code, status):
    spec = {"class": "org.apache.kafka.trogdor.workload.ExternalCommandSpec", "durationMs": 30000,
            "commandNode": "n", "command": [sys.executable, str(EXAMPLES / "count_worker.py")], "workload": workload}
    result = trogdor("agent", "--node-name", "n", "--exec", json.dumps(spec))
    state = json.loads(result.stdout)
    assert result.returncode == code and state["status"] == status, state


def test_shell_example_worker():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    spec = {"class": "org.apache.kafka.trogdor.workload.ExternalCommandSpec", "durationMs": 30000,
            "commandNode": "n", "command": ["sh", str(EXAMPLES / "ping_worker.sh")],
            "workload": {"host": "127.0.0.1", "port": port, "checks": 2}}
    try:
        result = trogdor("agent", "--node-name", "n", "--exec", json.dumps(spec))
    finally:
        listener.close()
    state = json.loads(result.stdout)
    assert result.returncode == 0 and state["status"] == {"checks": 2, "ok": 2}, state
    closed = trogdor("agent", "--node-name", "n", "--exec", json.dumps(spec))
    assert closed.returncode == 1 and json.loads(closed.stdout)["error"] == f"127.0.0.1:{port} failed 2 of 2 checks"


def test_external_command_that_ignores_sigterm_gets_sigkill(tmp_path):
    pid_file = tmp_path / "pid"
    program = ("import os, signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); sys.stdin.readline(); "
               f"open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(600)")
    spec = {"class": "ducktape.trogdor.ExternalCommandSpec", "durationMs": 500, "commandNode": "n",
            "command": [sys.executable, "-c", program], "shutdownGracePeriodMs": 200}
    result = trogdor("agent", "--node-name", "n", "--exec", json.dumps(spec))
    assert result.returncode == 0 and "error" not in json.loads(result.stdout)
    assert "ignored SIGTERM for 0.2s; sending SIGKILL" in result.stderr, result.stderr
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)
