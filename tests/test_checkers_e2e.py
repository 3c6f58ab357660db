"""Checkers through the real runner: a suite records histories of a register, returns checker
results, and the report shows the verdicts, the lanes, the fault and the anomaly in Chromium."""
from __future__ import annotations

import json

import pytest

from ducktape.checkers import load_history
from tests.support.suites import run_ducktape, write_suite

SUITE = '''
import os
import threading
import time

from ducktape.checkers import HistoryRecorder, check_linearizable, history_dir, load_history
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test
from ducktape.trogdor.faults import journal


class Replicated:
    """A primary and a replica; reads are served by the replica. Cut off, the replica stops
    receiving writes (and serves stale reads) until healed."""

    def __init__(self):
        self.lock = threading.Lock()
        self.primary = self.replica = None
        self.cut = False
        self.missed = 0  # writes the replica did not receive

    def write(self, value):
        with self.lock:
            self.primary = value
            if self.cut:
                self.missed += 1
            else:
                self.replica = value

    def read(self):
        with self.lock:
            return self.replica

    def partition(self):
        with self.lock:
            self.cut = True

    def heal(self):
        with self.lock:
            self.cut = False
            self.replica = self.primary


def clients(store, directory, stop, processes=4):
    def client(p):
        with HistoryRecorder(os.path.join(directory, f"{p}.jsonl"), p) as rec:
            i = 0
            while not stop.is_set() or i % 2:
                i += 1
                if i % 2:
                    rec.invoke("read", "x")
                    rec.ok(store.read())
                else:
                    rec.invoke("write", "x", p * 1000 + i)
                    store.write(p * 1000 + i)
                    rec.ok()
                time.sleep(0.002)

    threads = [threading.Thread(target=client, args=(p,)) for p in range(processes)]
    for t in threads:
        t.start()
    return threads


def wait_until(condition):
    deadline = time.monotonic() + 30
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.001)


class RegisterTest(Test):
    def workload(self, during):
        """Clients run before, during and after *during(store)*; returns the checker's verdict."""
        store, stop = Replicated(), threading.Event()
        threads = clients(store, history_dir(self.test_context), stop)
        time.sleep(0.03)
        during(store)
        time.sleep(0.03)
        stop.set()
        for t in threads:
            t.join()
        return {"checker": check_linearizable(load_history(history_dir(self.test_context))).to_json()}

    @cluster(num_nodes=1)
    def test_healthy(self):
        return self.workload(lambda store: time.sleep(0.02))

    @cluster(num_nodes=1)
    def test_partitioned_replica(self):
        def cut(store):
            store.partition()
            journal.started("cut-replica", "partition", ["replica"], store)
            wait_until(lambda: store.missed >= 8)  # a slow machine still sees writes during the cut
            store.heal()
            journal.ended("cut-replica")

        return self.workload(cut)

    @cluster(num_nodes=1)
    def test_undecided(self):
        with HistoryRecorder(os.path.join(history_dir(self.test_context), "0.jsonl"), 0) as rec:
            rec.invoke("write", "x", 1)
            rec.info()
        events = [{"process": p, "type": t, "f": "write", "key": "x", "value": p, "time": 0.0}
                  for p in range(20) for t in ("invoke", "info")]
        events += [{"process": 99, "type": t, "f": "read", "key": "x", "value": v, "time": 1.0 + (t == "ok")}
                   for t, v in (("invoke", None), ("ok", 999))]
        return {"checker": check_linearizable(events, time_limit=0.0).to_json()}
'''


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    root = tmp_path_factory.mktemp("checkers-e2e")
    write_suite(root, {"reg/test_register.py": SUITE})
    proc = run_ducktape(["reg"], cwd=root)
    session = root / "results" / "latest"
    assert (session / "report.json").exists(), proc.stdout + proc.stderr
    report = json.loads((session / "report.json").read_text())
    return session, {r["function_name"]: r for r in report["results"]}, proc


def test_verdicts_become_test_statuses(session):
    _, results, proc = session
    healthy, cut, undecided = results["test_healthy"], results["test_partitioned_replica"], results["test_undecided"]
    assert healthy["test_status"] == "PASS" and healthy["data"]["checker"]["valid"] is True
    assert cut["test_status"] == "FAIL" and cut["data"]["checker"]["valid"] is False
    assert cut["summary"].startswith("not linearizable: key 'x': read x -> ")
    assert undecided["test_status"] == "PASS" and undecided["data"]["checker"]["valid"] is None
    assert undecided["summary"].startswith("checker undecided: unknown: out of time")
    assert proc.returncode == 1


def test_the_history_reaches_report_json_with_the_anomaly_marked(session):
    session_dir, results, _ = session
    cut = results["test_partitioned_replica"]
    history = cut["history"]
    recorded = load_history(session_dir / cut["relative_results_dir"] / "history")
    assert history["lanes"] == ["0", "1", "2", "3"] and history["aligned"] is True
    assert history["n"] == len(recorded) // 2 == len(history["ops"])
    marks = [op[7] for op in history["ops"]]
    # a writer for each state the register could hold before the stale read (two when writes overlapped)
    states = [json.dumps(state) for state in history["check"]["states"]]
    writers = [op for op in history["ops"] if op[7] == 3]
    assert marks.count(2) == 1 and len(writers) == len(history["check"]["writers"]) >= 1
    assert all(w[1] == "write" and w[3] in states for w in writers)
    culprit = next(op for op in history["ops"] if op[7] == 2)
    fault = results["test_partitioned_replica"]["faults"][0]
    # the stale read happened while the replica was cut off
    assert culprit[1] == "read" and fault["start"] <= culprit[4] <= fault["end"]
    assert results["test_healthy"]["history"]["check"]["valid"] is True


def test_the_report_draws_lanes_fault_and_anomaly(page, session):
    session_dir, results, _ = session
    page.goto((session_dir / "report.html").resolve().as_uri())
    page.eval("document.querySelector('tr.test-row[data-status=FAIL]').click()")
    page.wait_for("!!document.querySelector('tr.details .history-chart')")
    charts = page.eval("document.querySelectorAll('tr.details svg.history-chart').length")
    assert charts == 2  # the whole history, then zoomed on the anomaly
    first = "document.querySelector('tr.details svg.history-chart')"
    assert page.eval(f"Array.from({first}.querySelectorAll('.lane-name')).map(t => t.textContent)") == [
        "p 0", "p 1", "p 2", "p 3"]
    drawn = len(results["test_partitioned_replica"]["history"]["ops"])
    assert page.eval(f"{first}.querySelectorAll('rect.hist-op').length") == drawn
    assert page.eval(f"{first}.querySelectorAll('rect.op-anomaly').length") == 1
    assert page.eval(f"{first}.querySelectorAll('rect.hist-fault').length") == 1
    writers = [op for op in results["test_partitioned_replica"]["history"]["ops"] if op[7] == 3]
    assert page.eval(f"{first}.querySelectorAll('rect.op-writer').length") == len(writers) >= 1
    summary = page.eval("document.querySelector('tr.details .anomaly-summary').textContent")
    assert summary.startswith("not linearizable")
    culprit = page.eval("document.querySelector('tr.details .anomaly-ops .culprit').textContent")
    assert "read" in culprit and "cannot be linearized" in culprit
