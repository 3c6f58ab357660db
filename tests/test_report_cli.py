"""``ducktape-report rebuild``: rebuilding session reports from per-test reports, and its errors."""
from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from ducktape.tests.report_cli import main
from ducktape.tests.reporter import make_reporters, notify
from ducktape.tests.reporters.console import ConsoleReporter
from tests.support import result_contexts as rc

SESSION_REPORTS = ("report.txt", "report.json", "report.xml", "report.html", "rerun-failed.yml")


def finished_session(tmp_path, finish=True):
    """A session dir as a run leaves it: per-test reports, session.json, and (if finished) session reports."""
    session = rc.session(tmp_path)
    results = rc.finished_results(session)
    reporters = make_reporters(session)
    reporters = [r for r in reporters if not isinstance(r, ConsoleReporter)]
    notify(reporters, "session_started", session, 6, cluster_size=4)
    for res in results:
        res.report()
        notify(reporters, "test_finished", res)
    if finish:
        assert notify(reporters, "session_finished", results, False) == []
    return Path(session.results_dir), results


def test_rebuild_restores_deleted_session_reports(tmp_path, capsys):
    session_dir, _ = finished_session(tmp_path)
    before = json.loads((session_dir / "report.json").read_text())
    for name in SESSION_REPORTS:
        (session_dir / name).unlink()
    assert main(["rebuild", str(session_dir)]) == 0
    out = capsys.readouterr().out
    assert "5 tests of 6 expected (2 passed, 1 failed, 1 ignored, 1 flaky)" in out
    assert all((session_dir / name).is_file() for name in SESSION_REPORTS)
    after = json.loads((session_dir / "report.json").read_text())
    for key in ("num_passed", "num_failed", "num_ignored", "num_flaky", "cluster_num_nodes", "start_time",
                "stop_time", "run_time_statistics", "cluster_utilization", "session_context", "client_status"):
        assert after[key] == before[key], key
    assert after["results"] == before["results"]
    root = ET.parse(session_dir / "report.xml").getroot()
    assert (root.get("tests"), root.get("failures")) == ("5", "1")
    txt = (session_dir / "report.txt").read_text()
    assert "SESSION REPORT (ALL TESTS)" in txt and "tests run:        5" in txt and "failed:           1" in txt


def test_rebuild_after_sigkill_uses_session_json(tmp_path, capsys):
    session_dir, _ = finished_session(tmp_path, finish=False)
    assert "IN PROGRESS" in (session_dir / "report.txt").read_text()
    assert not (session_dir / "report.json").exists()
    assert main(["rebuild", str(session_dir)]) == 0
    report = json.loads((session_dir / "report.json").read_text())
    assert (report["num_passed"], report["num_failed"], report["cluster_num_nodes"]) == (2, 1, 4)
    assert report["start_time"] > 0 and report["stop_time"] >= max(r["stop_time"] for r in report["results"])
    assert "SESSION REPORT (ALL TESTS)" in (session_dir / "report.txt").read_text()
    assert json.loads((session_dir / "session.json").read_text())["interrupted"] is None


def test_rebuild_follows_a_moved_session_dir(tmp_path):
    session_dir, _ = finished_session(tmp_path)
    moved = tmp_path / "moved" / session_dir.name
    moved.parent.mkdir()
    session_dir.rename(moved)
    assert main(["rebuild", str(moved)]) == 0
    report = json.loads((moved / "report.json").read_text())
    assert all(r["results_dir"].startswith(str(moved) + "/") for r in report["results"])


def test_rebuild_of_a_session_without_session_json(tmp_path):
    """Sessions written by upstream ducktape have only report.json at the top."""
    session_dir, _ = finished_session(tmp_path)
    (session_dir / "session.json").unlink()
    (session_dir / "report.txt").unlink()
    assert main(["rebuild", str(session_dir)]) == 0
    assert "tests run:        5" in (session_dir / "report.txt").read_text()


def test_rebuild_skips_an_unreadable_test_report(tmp_path, capsys):
    session_dir, _ = finished_session(tmp_path)
    broken = next(session_dir.glob("OtherTest/*/*/report.json"))
    broken.write_text("{not json")
    assert main(["rebuild", str(session_dir)]) == 0
    captured = capsys.readouterr()
    assert "skipped unreadable test report" in captured.err and str(broken) in captured.err
    assert json.loads((session_dir / "report.json").read_text())["num_ignored"] == 0


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ducktape.tests.report_cli", *args],
                          capture_output=True, text=True, check=False)


def test_error_missing_dir(tmp_path):
    proc = run_cli("rebuild", str(tmp_path / "nope"))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and f"session directory not found: {tmp_path / 'nope'}" in proc.stderr


def test_error_not_a_session_dir(tmp_path, capsys):
    (tmp_path / "some_dir").mkdir()
    assert main(["rebuild", str(tmp_path / "some_dir")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a ducktape session directory" in err and "some_dir" in err


def test_error_a_file_not_a_dir(tmp_path, capsys):
    path = tmp_path / "report.json"
    path.write_text("{}")
    assert main(["rebuild", str(path)]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_error_a_corrupt_session_record(tmp_path, capsys):
    (tmp_path / "session.json").write_text("[1, 2]")
    assert main(["rebuild", str(tmp_path)]) == 2
    assert "is not a ducktape session record" in capsys.readouterr().err


def test_error_missing_argument_is_a_usage_error(capsys):
    assert main(["rebuild"]) == 2
    assert "Missing argument" in capsys.readouterr().err
