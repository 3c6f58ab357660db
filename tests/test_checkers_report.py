"""Histories on their way to the report: copied back from a node over SSH, then turned into the
compact form report.json carries (lanes, marks, the cap)."""
from __future__ import annotations

import json
import shlex

import pytest

from ducktape.checkers import (
    check_linearizable,
    collect_history,
    load_history,
    recorder,
)
from ducktape.cluster.cluster_node import ClusterNode
from ducktape.cluster.linux_remoteaccount import LinuxRemoteAccount
from ducktape.cluster.remoteaccount import RemoteAccountSSHConfig
from ducktape.tests import history_view as view_module
from ducktape.tests.history_view import history_view
from tests.support.histories import history, op


class Context:
    def __init__(self, results_dir):
        self._dir = str(results_dir)

    def results_dir(self, context, index):  # the shape of TestContext.results_dir: a helper, not a path
        return self._dir

    test_index = 1


@pytest.fixture
def node(loopback_sshd):
    account = LinuxRemoteAccount(RemoteAccountSSHConfig(**loopback_sshd.ssh_config("worker1")),
                                 externally_routable_ip="127.0.0.1")
    yield ClusterNode(account)
    account.close()


def test_a_client_on_a_node_records_with_the_recorder_file_alone(node, tmp_path):
    """recorder.py needs only the standard library: copied to the node, a client imports it there."""
    remote = f"/tmp/ducktape-history-{tmp_path.name}"
    node.account.ssh(f"mkdir -p {remote}/lib {remote}/out")
    try:
        node.account.copy_to(recorder.__file__, f"{remote}/lib/recorder.py")
        script = ("from recorder import HistoryRecorder\n"
                  f"rec = HistoryRecorder('{remote}/out/5.jsonl', 5)\n"
                  "for i in range(10):\n"
                  "    rec.invoke('write', 'x', i); rec.ok()\n"
                  "    rec.invoke('read', 'x'); rec.ok(i)\n")
        node.account.ssh(f"cd {remote}/lib && PYTHONPATH=. /usr/bin/python3 -c {shlex.quote(script)}")
        local = collect_history(node, f"{remote}/out/5.jsonl", Context(tmp_path / "test"))
        assert local == str(tmp_path / "test" / "history" / "worker1" / "5.jsonl")
        events = load_history(tmp_path / "test" / "history")
        assert len(events) == 40 and {e["process"] for e in events} == {5}
        assert check_linearizable(events).valid is True
        # a whole directory of them lands under the node's name too
        assert collect_history(node, f"{remote}/out", Context(tmp_path / "again")).endswith("/worker1/out")
        assert load_history(tmp_path / "again" / "history") == events
        with pytest.raises(FileNotFoundError, match=f"no history at worker1:{remote}/nothing"):
            collect_history(node, f"{remote}/nothing", Context(tmp_path / "test"))
    finally:
        node.account.ssh(f"rm -rf {remote}", allow_fail=True)


def _write(directory, events):
    directory.mkdir(parents=True, exist_ok=True)
    for process in {e["process"] for e in events}:
        lines = [json.dumps(e) for e in events if e["process"] == process]
        (directory / f"{process}.jsonl").write_text("\n".join(lines) + "\n")


def test_no_history_directory_no_view(tmp_path):
    assert history_view(str(tmp_path), None) is None


def test_without_wall_times_the_history_starts_with_the_test(tmp_path):
    _write(tmp_path / "history", history(op(0, "write", "x", 1, 10.0, 11.0), op(1, "read", "x", None, 10.5, 12.0,
                                                                                 result=1)))
    view = history_view(str(tmp_path), {"checker": {"valid": True}}, test_start=1000.0)
    assert view["aligned"] is False and view["lanes"] == ["0", "1"] and view["n"] == 2
    assert view["ops"] == [[0, "write", "x", "1", 1000.0, 1001.0, "ok", 0],
                           [1, "read", "x", "1", 1000.5, 1002.0, "ok", 0]]


def test_wall_times_align_each_process(tmp_path):
    events = history(op(0, "write", "x", 1, 10.0, 11.0), op(1, "write", "x", 2, 50.0, None, kind=None))
    for e in events:
        e["wall"] = e["time"] + (100.0 if e["process"] == 0 else 200.0)
    _write(tmp_path / "history", events)
    view = history_view(str(tmp_path), None)
    assert view["aligned"] is True
    assert [(row[4], row[5], row[6]) for row in view["ops"]] == [(110.0, 111.0, "ok"), (250.0, None, "info")]


def test_a_long_history_keeps_the_operations_nearest_the_anomaly(tmp_path, monkeypatch):
    monkeypatch.setattr(view_module, "MAX_OPS", 50)
    ops = [op(i % 3, "write", "x", i, i, i + 0.5) for i in range(200)]
    ops.append(op(3, "read", "x", None, 150.6, 150.7, result=7))  # stale: 150 was written just before
    events = history(*ops)
    _write(tmp_path / "history", events)
    result = check_linearizable(events)
    assert result.valid is False
    view = history_view(str(tmp_path), {"checker": result.to_json()})
    assert view["n"] == 201 and len(view["ops"]) == 50 and view["cap"] == 50
    starts = [row[4] for row in view["ops"]]
    assert min(starts) >= 150.6 - 50 and max(starts) <= 150.6 + 50
    assert [row[7] for row in view["ops"]].count(2) == 1
    writer = next(row for row in view["ops"] if row[7] == 3)
    assert writer[1] == "write" and writer[3] == "150"
    assert view["check"]["states"] == [150]


def test_a_bad_history_file_is_reported_not_raised(tmp_path):
    (tmp_path / "history").mkdir()
    (tmp_path / "history" / "0.jsonl").write_text("{oops\n")
    view = history_view(str(tmp_path), None)
    assert view["error"].startswith(str(tmp_path / "history" / "0.jsonl") + ":1: not JSON")


def test_a_counters_reads_out_of_bounds_are_marked(tmp_path):
    from ducktape.checkers import check_counter

    events = history(op(0, "add", None, 1, 0, 1), op(1, "read", None, None, 2, 3, result=1),
                     op(1, "read", None, None, 4, 5, result=5))
    _write(tmp_path / "history", events)
    result = check_counter(events)
    assert result.valid is False
    view = history_view(str(tmp_path), {"checker": result.to_json()})
    assert [(row[1], row[3], row[7]) for row in view["ops"]] == [("add", "1", 0), ("read", "1", 0), ("read", "5", 2)]


def test_the_history_travels_with_the_result(tmp_path):
    from ducktape.tests.reporters.html_report import _tests_view
    from ducktape.tests.result import TestResult
    from tests.support import result_contexts as rc

    original = rc.result(rc.session(tmp_path), 1)
    _write(tmp_path / "h" / "history", history(op(0, "write", "x", 1, 0, 1)))
    original.history = history_view(str(tmp_path / "h"), None, test_start=5.0)
    wire = json.loads(json.dumps(original.to_json()))
    assert TestResult.from_json(wire).history == original.history == wire["history"]
    assert _tests_view(tmp_path, {"results": [wire]})[0]["hi"] == original.history
    original.history = None
    assert "history" not in original.to_json()
