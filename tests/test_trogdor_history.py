"""Operation histories recorded by Trogdor workers: the Platform's recorder, the zip file that
carries it, ExternalCommand's history directory, and TrogdorService collecting them from real
agents on namespace nodes into the test's results, where the checker and the report find them."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from ducktape.checkers import check_linearizable, load_history
from ducktape.trogdor import RegisterWorkloadSpec
from ducktape.trogdor.pack import build_zipapp
from ducktape.trogdor.spec import SpecError
from ducktape.trogdor.worker import DoneFuture, Platform, TaskWorker, WorkerStatus
from tests.support.suites import DATA_DIR, OURS_DUCKTAPE, copy_data


def test_a_worker_records_under_the_agent_state_dir(tmp_path):
    platform = Platform("node1", str(tmp_path))
    worker = TaskWorker(7, spec=None)
    worker.task_id = "load/1"
    with platform.history(worker, 0) as rec:
        rec.invoke("write", "x", 1)
        rec.ok()
    path = tmp_path / "history" / "load_1-7" / "0.jsonl"
    assert rec.path == str(path)
    events = load_history(tmp_path / "history")
    assert [(e["process"], e["type"], e["value"]) for e in events] == [
        ("load/1/node1/0", "invoke", 1), ("load/1/node1/0", "ok", 1)]


RECORDING_SCRIPT = """
import json, os, sys
task = json.loads(sys.stdin.readline())
sys.path.insert(0, task["workload"]["pyz"])   # the recorder, from the agent's zip file
from ducktape.checkers.recorder import HistoryRecorder
process = os.environ["TROGDOR_HISTORY_PROCESS"] + "0"
with HistoryRecorder(os.path.join(os.environ["TROGDOR_HISTORY_DIR"], "0.jsonl"), process) as rec:
    rec.invoke("read", "x")
    rec.ok(None)
"""


def test_an_external_command_run_from_the_zipapp_records_into_its_history_dir(tmp_path):
    pyz = build_zipapp(str(tmp_path / "trogdor.pyz"))
    spec = {"class": "ducktape.trogdor.ExternalCommandSpec", "startMs": 0, "durationMs": 30000,
            "commandNode": "n1", "command": [sys.executable, "-S", "-c", RECORDING_SCRIPT], "workload": {"pyz": pyz}}
    result = subprocess.run([sys.executable, "-S", pyz, "agent", "--node-name", "n1", "--state-dir",
                             str(tmp_path / "state"), "--exec", json.dumps(spec)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    files = sorted((tmp_path / "state" / "history").rglob("*.jsonl"))
    assert [f.relative_to(tmp_path / "state" / "history").as_posix() for f in files] == ["exec-0/0.jsonl"]
    events = load_history(tmp_path / "state" / "history")
    assert [(e["process"], e["type"], e["f"]) for e in events] == [("exec/n1/0", "invoke", "read"),
                                                                    ("exec/n1/0", "ok", "read")]


@pytest.fixture
def register_server():
    """The suite's register server on loopback; yields its URL."""
    proc = subprocess.Popen([sys.executable, str(DATA_DIR / "trogdor" / "history" / "register_server.py"),
                             "127.0.0.1", "0"], stdout=subprocess.PIPE, text=True)
    try:
        yield f"http://127.0.0.1:{proc.stdout.readline().split()[1]}"
    finally:
        proc.terminate()
        proc.wait(10)


def _run_register_worker(tmp_path, target, **fields):
    spec = RegisterWorkloadSpec(0, 60000, "node1", target, keys=("a", "b"), **fields)
    worker, status, done = spec.new_worker(5), WorkerStatus(), DoneFuture()
    worker.task_id = "reg"
    worker.start(Platform("node1", str(tmp_path)), status, done)
    return worker, status, done


def test_the_register_workload_records_what_it_did(tmp_path, register_server):
    _, status, done = _run_register_worker(tmp_path, register_server, clients=3, ops_per_client=40)
    assert done.wait(60) and done.error == ""
    history = load_history(tmp_path / "history")
    assert {e["process"] for e in history} == {f"reg/node1/{n}" for n in range(3)}
    assert len(history) == 3 * 40 * 2 and {e["f"] for e in history} == {"read", "write", "cas"}
    assert status.get()["ops"] == 120 and status.get()["info"] == 0
    assert check_linearizable(history, "cas-register").valid is True


def test_the_register_workload_runs_until_stopped_and_records_refusals_as_failures(tmp_path):
    with socket.socket() as s:  # a port nobody listens on: every connection is refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    worker, status, done = _run_register_worker(tmp_path, f"http://127.0.0.1:{port}", clients=1)
    wait_for = time.monotonic() + 30
    while (status.get() or {}).get("ops", 0) < 20 and time.monotonic() < wait_for:
        time.sleep(0.01)
    worker.stop(Platform("node1", str(tmp_path)))
    assert not done.done()  # without opsPerClient it runs until the agent stops it
    history = load_history(tmp_path / "history")
    assert len(history) >= 40 and {e["type"] for e in history} == {"invoke", "fail"}
    assert len(history) == 2 * status.get()["ops"]  # nothing in flight left behind


def test_a_register_spec_names_its_bad_field():
    with pytest.raises(SpecError, match="^target: must be an http:// URL"):
        RegisterWorkloadSpec(0, 1000, "n", "localhost:80")
    with pytest.raises(SpecError, match="^keys: must be non-empty names without '/'"):
        RegisterWorkloadSpec(0, 1000, "n", "http://h:1", keys=("a/b",))


@pytest.fixture(scope="module")
def session(tmp_path_factory, netns_cluster):
    root = tmp_path_factory.mktemp("trogdor-history")
    copy_data("trogdor/history", root / "trogdor_history")
    proc = subprocess.run([*OURS_DUCKTAPE, "trogdor_history", "--cluster-file", str(netns_cluster.cluster_file)],
                          cwd=root, env=dict(os.environ, HOME=str(root)), capture_output=True, text=True,
                          timeout=300, check=False)
    session_dir = root / "results" / "latest"
    assert (session_dir / "report.json").exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads((session_dir / "report.json").read_text())
    results = {r["test_id"].rsplit("stale=", 1)[-1] if "stale=" in r["test_id"] else r["function_name"]: r
               for r in report["results"]}
    return session_dir, results, proc


def test_agents_histories_are_collected_and_judged(session):
    session_dir, results, proc = session
    correct, stale = results["False"], results["True"]
    assert correct["test_status"] == "PASS", (correct["summary"], proc.stdout[-3000:])
    assert correct["data"]["checker"]["valid"] is True
    # two clients on each of two agent nodes, named by task and node, every operation kept
    processes = correct["data"]["processes"]
    assert len(processes) == 4 and {p.split("/")[0] for p in processes} == {"reg-0", "reg-1"}
    assert len({p.split("/")[1] for p in processes}) == 2
    assert correct["data"]["events"] == 4 * 150 * 2
    assert stale["test_status"] == "FAIL" and stale["data"]["checker"]["valid"] is False
    assert stale["summary"].startswith("not linearizable: key ")
    assert " read " in stale["summary"]
    assert proc.returncode == 1
    # the files sit in the test's history directory: <agent hostname>/<task id>-<worker id>/<client>.jsonl
    history = session_dir / correct["relative_results_dir"] / "history"
    files = sorted(p.relative_to(history).parts for p in history.rglob("*.jsonl"))
    assert len(files) == 4 and len({node for node, _, _ in files}) == 2, files
    assert sorted(task.rsplit("-", 1)[0] for _, task, _ in files) == ["reg-0", "reg-0", "reg-1", "reg-1"]
    assert not list(history.rglob("*.partial"))
    assert len(load_history(history)) == correct["data"]["events"]


def test_histories_are_collected_when_the_agents_stop(session):
    session_dir, results, _ = session
    late = results["test_histories_collected_when_the_agents_stop"]
    assert late["test_status"] == "PASS", late["summary"]
    history = load_history(session_dir / late["relative_results_dir"] / "history")
    assert len(history) == 2 * 20 and {e["process"].split("/")[0] for e in history} == {"late"}
    assert late["history"]["lanes"] == [history[0]["process"]]


def test_the_report_draws_the_agents_lanes_and_the_stale_read(page, session):
    session_dir, results, _ = session
    stale = results["True"]
    assert sorted(stale["history"]["lanes"]) == sorted(stale["data"]["processes"])
    page.goto((session_dir / "report.html").resolve().as_uri())
    page.eval("document.querySelector('tr.test-row[data-status=FAIL]').click()")
    page.wait_for("!!document.querySelector('tr.details .history-chart')")
    first = "document.querySelector('tr.details svg.history-chart')"
    lanes = page.eval(f"Array.from({first}.querySelectorAll('.lane-name')).map(t => t.textContent)")
    assert sorted(lanes) == sorted(f"p {p}" for p in stale["data"]["processes"])
    # long Trogdor process ids (task/node/client) are drawn whole, not cut off at the chart's left edge
    left = page.eval(f"Math.min(...Array.from({first}.querySelectorAll('.lane-name')).map(t => t.getBBox().x))")
    assert left >= 0
    assert page.eval(f"{first}.querySelectorAll('rect.hist-op').length") == len(stale["history"]["ops"])
    assert page.eval(f"{first}.querySelectorAll('rect.op-anomaly').length") == 1
    culprit = page.eval("document.querySelector('tr.details .anomaly-ops .culprit').textContent")
    assert "read" in culprit and "cannot be linearized" in culprit
