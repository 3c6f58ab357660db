"""TestResult / TestResults: fields, JSON round trip, per-test files, counts and figures."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ducktape.tests.result import FAIL, FLAKY, IGNORE, PASS, TestResult, TestResults
from ducktape.tests.status import OPASS
from tests.support import result_contexts as rc

UPSTREAM_TEST_KEYS = {
    "test_id", "module_name", "cls_name", "function_name", "injected_args", "description", "results_dir",
    "relative_results_dir", "base_results_dir", "test_status", "summary", "data", "start_time", "stop_time",
    "run_time_seconds", "nodes_allocated", "nodes_used", "services",
}
OUR_TEST_KEYS = {"nodes", "test_index", "file_name"}


def test_result_fields_follow_the_context(tmp_path):
    session = rc.session(tmp_path)
    res = rc.result(session, 7, FAIL, "boom", method="test_two", args={"x": 1}, hosts=("w1", "w2"))
    d = res.to_json()
    assert set(d) == UPSTREAM_TEST_KEYS | OUR_TEST_KEYS | {"failure"}  # "failure": failed tests only
    assert d["failure"] == {"signature": "boom", "example": "boom"}
    assert d["test_id"] == "tests.support.result_contexts.SampleTest.test_two.x=1"
    assert d["test_status"] == "FAIL"
    assert d["results_dir"] == session.results_dir + "/SampleTest/test_two/x=1/7/"
    assert d["relative_results_dir"] == "SampleTest/test_two/x=1/7/"
    assert d["base_results_dir"] == session.results_dir + "/"
    assert d["nodes_allocated"] == 2 and d["nodes_used"] == 2
    assert d["nodes"] == ["w1", "w2"]
    assert d["run_time_seconds"] == pytest.approx(1.5)
    assert d["description"] == "Docstring of the sample test class."
    assert d["file_name"] == rc.THIS_FILE and d["test_index"] == 7
    assert "node_type" not in d


def test_node_type_only_when_the_cluster_mark_named_one(tmp_path):
    session = rc.session(tmp_path)
    res = rc.result(session, 1, cluster_use_metadata={"num_nodes": 1, "node_type": "large"})
    assert res.to_json()["node_type"] == "large"


def test_round_trip_through_json_text(tmp_path):
    session = rc.session(tmp_path)
    for original in rc.mixed_results(session):
        wire = json.loads(json.dumps(original.to_json()))
        back = TestResult.from_json(wire)
        assert back.to_json() == original.to_json()
        assert back.test_status == original.test_status
        assert back.test_status is not None and str(back.test_status) == str(original.test_status)


def test_from_json_rejects_an_unknown_status(tmp_path):
    d = rc.result(rc.session(tmp_path), 1).to_json()
    d["test_status"] = "EXPLODED"
    with pytest.raises(ValueError, match="EXPLODED"):
        TestResult.from_json(d)


def test_report_writes_the_per_test_files(tmp_path):
    session = rc.session(tmp_path)
    res = rc.result(session, 3, FAIL, "AssertionError('x')\nmore", data={"n": [1, 2]})
    res.report()
    test_dir = Path(res.results_dir)
    on_disk = json.loads((test_dir / "report.json").read_text())
    assert on_disk == json.loads(json.dumps(res.to_json()))
    assert list(on_disk) == sorted(on_disk)
    text = (test_dir / "report.txt").read_text()
    assert text.splitlines()[0] == "=" * 100
    assert text.splitlines()[1] == "test_id:    tests.support.result_contexts.SampleTest.test_one"
    assert "status:     FAIL" in text and "run time:   1.500 seconds" in text
    assert "\n    AssertionError('x')\nmore\n" in text
    assert text.endswith('{"n": [1, 2]}')
    assert json.loads((test_dir / "data.json").read_text()) == {"n": [1, 2]}


def test_no_data_json_without_data(tmp_path):
    res = rc.result(rc.session(tmp_path), 1)
    res.report()
    assert not (Path(res.results_dir) / "data.json").exists()


def test_unserialisable_data_is_kept_as_repr_and_noted(tmp_path):
    session = rc.session(tmp_path)
    res = rc.result(session, 1, PASS, "Test Passed", data={"ids": {3}})
    assert res.data == repr({"ids": {3}})
    assert "not JSON-serialisable" in res.summary and res.summary.startswith("Test Passed\n")
    res.report()
    assert json.loads((Path(res.results_dir) / "data.json").read_text()) == "{'ids': {3}}"
    assert json.loads((Path(res.results_dir) / "report.json").read_text())["test_status"] == "PASS"


def test_data_with_to_json_is_stored_as_its_json(tmp_path):
    class Point:
        def to_json(self):
            return {"x": 1}

    res = rc.result(rc.session(tmp_path), 1, data=[Point()])
    assert res.data == [{"x": 1}]


def test_run_time_of_unstarted_test_is_minus_one(tmp_path):
    res = rc.result(rc.session(tmp_path), 1)
    res.start_time = -1
    assert res.run_time_seconds == -1


def test_results_counts_and_statistics(tmp_path):
    session = rc.session(tmp_path)
    results = rc.finished_results(session, cluster_size=4)
    assert (results.num_passed, results.num_failed, results.num_ignored, results.num_flaky) == (2, 1, 1, 1)
    assert len(results) == 5 and not results.get_aggregate_success()
    d = results.to_json()
    assert d["num_flaky"] == 1 and "num_opassed" not in d
    assert d["cluster_num_nodes"] == 4
    assert d["run_time_seconds"] == pytest.approx(62.345)
    assert d["run_time_statistics"] == {"mean": pytest.approx(1.2), "min": 0.0, "max": 1.5}
    assert d["cluster_nodes_used"] == {"mean": pytest.approx(1.2), "min": 1, "max": 2}
    busy = 1.5 * (1 + 2 + 1 + 1) + 0
    assert d["cluster_utilization"] == pytest.approx(busy / (4 * 62.345))
    assert d["parallelism"] == pytest.approx(6.0 / 62.345)
    assert d["client_status"] == {"TestKey(test_id='x', test_index=1)": {"status": "FINISHED"}}
    assert d["session_context"]["session_id"] == "2026-11-21--001" and "_globals" in d["session_context"]
    assert [r["test_status"] for r in d["results"]] == ["PASS", "FAIL", "IGNORE", "FLAKY", "PASS"]
    json.dumps(d)  # plain data all the way down


def test_empty_results_have_null_statistics_and_no_division(tmp_path):
    results = TestResults(rc.session(tmp_path), rc.subcluster())
    d = results.to_json()
    assert d["run_time_statistics"] == {"mean": None, "min": None, "max": None}
    assert d["cluster_utilization"] == 0 and d["parallelism"] == 0 and d["run_time_seconds"] == -1
    assert results.get_aggregate_success()


def test_ok_to_fail_statuses_are_counted_only_when_present(tmp_path):
    session = rc.session(tmp_path)
    results = TestResults(session, rc.subcluster("w1"))
    results.append(rc.result(session, 1, OPASS))
    d = results.to_json()
    assert d["num_opassed"] == 1 and "num_ofailed" not in d and results.get_aggregate_success()


def test_result_reexports_statuses():
    assert str(PASS) == "pass" and FAIL.to_json() == "FAIL" and IGNORE == "ignore" and FLAKY == "FLAKY"
