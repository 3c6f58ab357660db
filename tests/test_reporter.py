"""Session reporters: report.txt/json/xml, rerun-failed.yml, session.json, console output."""
from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from ducktape.tests.reporter import (
    FailedTestSymbolReporter,
    JUnitReporter,
    make_reporters,
    notify,
)
from ducktape.tests.reporters.console import ConsoleReporter
from ducktape.tests.reporters.files import (
    RerunFailedReporter,
    SessionRecordReporter,
    TextFileReporter,
)
from ducktape.tests.reporters.text import format_time
from tests.support import result_contexts as rc

SESSION_KEYS = {
    "ducktape_version", "session_context", "run_time_seconds", "start_time", "stop_time", "run_time_statistics",
    "cluster_nodes_used", "cluster_nodes_allocated", "cluster_utilization", "cluster_num_nodes", "num_passed",
    "num_failed", "num_ignored", "parallelism", "client_status", "results", "num_flaky",
    "failure_groups",
}


def run_session(tmp_path, echo=None):
    """Drive every reporter through a whole session; return (session, results, reporters, echoed)."""
    session = rc.session(tmp_path)
    results = rc.finished_results(session)
    echoed: list[str] = []
    reporters = make_reporters(session, str(Path(session.results_dir).parent))
    for r in reporters:
        if isinstance(r, ConsoleReporter):
            r.echo, r.width = echoed.append, 120
    assert notify(reporters, "session_started", session, 5, cluster_size=4) == []
    for res in results:
        assert notify(reporters, "test_finished", res) == []
    assert notify(reporters, "session_finished", results, False) == []
    return session, results, reporters, echoed


def test_format_time():
    assert format_time(2.3456) == "2.346 seconds"
    assert format_time(62.345) == "1 minute 2.345 seconds"
    assert format_time(3725) == "62 minutes 5.000 seconds"


def test_report_txt_layout(tmp_path):
    session, _, _, _ = run_session(tmp_path)
    lines = (Path(session.results_dir) / "report.txt").read_text().splitlines()
    assert lines[:11] == [
        "=" * 100,
        "SESSION REPORT (ALL TESTS)",
        "ducktape version: 0.17.0+own.1.0.0",
        "session_id:       2026-11-21--001",
        "run time:         1 minute 2.345 seconds",
        "tests run:        5",
        "passed:           2",
        "flaky:            1",
        "failed:           1",
        "ignored:          1",
        "=" * 100,
    ]
    assert lines[11] == "test_id:    tests.support.result_contexts.SampleTest.test_one"
    assert lines[12:15] == ["status:     PASS", "run time:   1.500 seconds", "-" * 100]
    fail_at = lines.index("status:     FAIL")
    assert lines[fail_at + 1:fail_at + 5] == ["run time:   1.500 seconds", "", "", "    AssertionError('boom')"]
    assert '{"throughput": 12.5}' in lines
    assert lines.count("-" * 100) == 5


def test_report_txt_grows_one_block_per_test_while_running(tmp_path):
    session = rc.session(tmp_path)
    reporter = TextFileReporter(session)
    reporter.session_started(session, 5)
    path = Path(session.results_dir) / "report.txt"
    assert "SESSION REPORT (IN PROGRESS)" in path.read_text()
    for n, res in enumerate(rc.mixed_results(session)[:3], 1):
        reporter.test_finished(res)
        assert path.read_text().count("-" * 100) == n
    assert "tests expected:   5" in path.read_text()


def test_report_json_matches_the_session_schema(tmp_path):
    session, results, _, _ = run_session(tmp_path)
    d = json.loads((Path(session.results_dir) / "report.json").read_text())
    assert set(d) == SESSION_KEYS
    assert d["num_passed"] == 2 and d["num_failed"] == 1 and d["num_ignored"] == 1 and d["num_flaky"] == 1
    assert [r["test_index"] for r in d["results"]] == [1, 2, 3, 4, 5]
    assert d["results"][1]["nodes"] == ["worker1", "worker2"]
    assert d == json.loads(json.dumps(results.to_json()))


def test_html_report_and_results_index_are_written(tmp_path):
    session, _, _, _ = run_session(tmp_path)
    assert "2026-11-21--001" in (Path(session.results_dir) / "report.html").read_text()
    assert (Path(session.results_dir).parent / "index.html").is_file()


def test_report_xml_is_junit(tmp_path):
    session, _, _, _ = run_session(tmp_path)
    root = ET.parse(Path(session.results_dir) / "report.xml").getroot()
    assert root.tag == "testsuites"
    assert {k: root.get(k) for k in ("name", "tests", "failures", "errors", "disabled")} == {
        "name": "ducktape", "tests": "5", "failures": "1", "errors": "0", "disabled": "0"}
    assert float(root.get("time")) == pytest.approx(62.345)
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "tests.support.result_contexts"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped"), suite.get("errors")) == ("5", "1", "1", "0")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["test_one", "test_two.x=1.y=ab", "test_other", "test_two.x=2",
                                              "test_one.x=3"]
    assert [c.get("classname") for c in cases] == ["SampleTest", "SampleTest", "OtherTest", "SampleTest",
                                                   "SampleTest"]
    assert [c.get("status") for c in cases] == ["pass", "fail", "ignore", "flaky", "pass"]
    assert all(c.get("assertions") == "" and float(c.get("time")) >= 0 for c in cases)
    failure = cases[1].find("failure")
    assert failure.get("message") == "AssertionError('boom')"
    assert failure.text == "AssertionError('boom')\nTraceback line 1\nline 2"
    assert cases[2].find("skipped") is not None
    assert len(cases[0]) == 0
    (flaky,) = cases[3]  # FLAKY: one <flakyFailure> per failed attempt, as Surefire writes it
    assert flaky.tag == "flakyFailure" and flaky.get("type") == "AssertionError"
    assert flaky.find("stackTrace").text == "    AssertionError('flaky')"


def test_report_xml_survives_control_characters(tmp_path):
    session = rc.session(tmp_path)
    results = rc.finished_results(session)
    list(results)[1].summary = "\x1b[31mred\x1b[0m failure\x00"
    JUnitReporter(results).report()
    failure = ET.parse(Path(session.results_dir) / "report.xml").getroot().find(".//failure")
    assert failure.text == "?[31mred?[0m failure?"


def test_rerun_failed_yml_names_the_failed_test_by_absolute_path(tmp_path):
    session, _, _, _ = run_session(tmp_path)
    suite = yaml.safe_load((Path(session.results_dir) / "rerun-failed.yml").read_text())
    assert suite == {"2026-11-21--001": [f'{rc.THIS_FILE}::SampleTest.test_two@{{"x":1,"y":"a b"}}']}


def test_no_rerun_file_without_failures(tmp_path):
    session = rc.session(tmp_path)
    results = rc.finished_results(session)
    results._results = [r for r in results if str(r.test_status) != "fail"]
    reporters = make_reporters(session)
    echoed: list[str] = []
    reporters[-1].echo = echoed.append
    notify(reporters, "session_started", session, 4)
    assert notify(reporters, "session_finished", results, False) == []
    assert not (Path(session.results_dir) / "rerun-failed.yml").exists()
    assert not any("FAILED TEST" in block for block in echoed)


def test_session_json_is_written_at_start_and_completed_at_end(tmp_path):
    session = rc.session(tmp_path)
    recorder = SessionRecordReporter(session)
    recorder.session_started(session, 5, cluster_size=4)
    path = Path(session.results_dir) / "session.json"
    started = json.loads(path.read_text())
    assert started["expected_test_count"] == 5 and started["cluster_num_nodes"] == 4
    assert started["session_context"]["session_id"] == "2026-11-21--001" and started["stop_time"] == -1
    recorder.session_finished(rc.finished_results(session), interrupted=True)
    finished = json.loads(path.read_text())
    assert finished["interrupted"] is True and finished["stop_time"] > finished["start_time"]


def test_console_prints_summary_tables_and_rerun_blocks(tmp_path):
    _, _, _, echoed = run_session(tmp_path)
    out = "\n".join(echoed)
    assert out.startswith("=" * 120 + "\nSESSION REPORT (ALL TESTS)\n")
    status_rows = [line.split()[:2] for line in echoed[1].splitlines()[3:]]
    assert status_rows == [["FAIL", "1"], ["FLAKY", "1"], ["IGNORE", "1"], ["PASS", "2"], ["TOTAL", "5"]]
    failing_rows = echoed[2].splitlines()[3:]
    assert failing_rows[0].split()[0] == "FAIL" and failing_rows[0].endswith("AssertionError('boom')")
    assert failing_rows[1].split()[0] == "FLAKY" and failing_rows[1].endswith("AssertionError('flaky')")
    assert len(failing_rows) == 2
    assert "FAILED TEST SUITE" in out and "FAILED TEST SYMBOLS" in out
    symbol = os.path.relpath(rc.THIS_FILE) + '::SampleTest.test_two@{"x":1,"y":"a b"}'
    assert out.splitlines()[-1] == f"'{symbol}'"


def test_failed_symbol_reporter_handles_files_outside_cwd(tmp_path, monkeypatch, capsys):
    session = rc.session(tmp_path)
    results = rc.finished_results(session)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    FailedTestSymbolReporter(results).report()
    out = capsys.readouterr().out
    assert "'../../" in out and "FAILED TEST SYMBOLS" in out
    assert (Path(session.results_dir) / "rerun-failed.yml").exists()


def test_notify_contains_a_broken_reporter(tmp_path):
    class Broken:
        def session_finished(self, results, interrupted):
            raise OSError("disk full")

    session = rc.session(tmp_path)
    results = rc.finished_results(session)
    reporters = [Broken(), *make_reporters(session)[1:4]]
    errors = notify(reporters, "session_finished", results, False)
    assert [str(e) for e in errors] == ["disk full"]
    assert (Path(session.results_dir) / "report.xml").exists()


def test_rerun_failed_yml_is_found_through_results_latest(tmp_path, monkeypatch):
    """The upstream bug: cwd-relative paths in a suite that resolves paths relative to itself."""
    import logging
    import shutil

    from ducktape.tests.loader import TestLoader
    from ducktape.tests.result import TestResult, TestResults
    from ducktape.tests.status import FAIL, PASS

    suite_dir = tmp_path / "project" / "tests"
    shutil.copytree(Path(__file__).parent / "data" / "results" / "tiny_suite" / "pkg", suite_dir / "rerun_e2e_pkg")
    monkeypatch.chdir(tmp_path / "project")
    session = rc.session(tmp_path / "project")
    loader = TestLoader(session, logging.getLogger("rerun-e2e"))
    contexts = loader.load(["tests/rerun_e2e_pkg/test_tiny.py"])
    failing = next(c for c in contexts if c.function_name == "test_fail")
    results = TestResults(session, rc.subcluster("w1"))
    for index, ctx in enumerate(contexts, 1):
        ctx.cluster = rc.subcluster("w1")
        results.append(TestResult(ctx, index, session, FAIL if ctx is failing else PASS, "x", None, 1.0, 2.0))
    RerunFailedReporter(session).session_finished(results)
    latest = tmp_path / "project" / "results" / "latest"
    latest.symlink_to(session.results_dir)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    rerun = TestLoader(session, logging.getLogger("rerun-e2e")).load([str(latest / "rerun-failed.yml")])
    assert [c.test_id for c in rerun] == [failing.test_id]
