"""--quarantine: reading entries, matching tests, and the real CLI on the seeded suite."""
from __future__ import annotations

import datetime
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ducktape.errors import UsageError
from ducktape.tests.quarantine import QuarantineEntry, read_quarantine
from ducktape.tests.report_cli import main as report_cli_main
from tests.support.seeded_suite import TEST_IDS, write_seeded_suite
from tests.support.suites import run_ducktape

TODAY = datetime.date.today()
FILE = "/work/suite/tests/kafka_test.py"


def _entry(test: str, until: datetime.date | None = None) -> QuarantineEntry:
    return QuarantineEntry(test, "known", until)


@pytest.mark.parametrize("pattern, matches", [
    ("tests.kafka_test.KafkaTest.test_produce", True),
    ("tests.kafka_test.KafkaTest", True),  # a prefix ending at a dot: the whole class
    ("tests.kafka_test.KafkaTest.test_prod", False),  # not at a dot
    ("*.test_produce*", True),
    ("*.test_consume*", False),
    (FILE, True),
    (FILE + "::KafkaTest", True),
    (FILE + "::KafkaTest.test_produce", True),
    (FILE + "::KafkaTest.test_produce@{\"acks\": 1}", True),  # parameters: every parametrization
    (FILE + "::KafkaTest.test_consume", False),
    ("/work/suite/tests/*_test.py::*.test_prod*", True),
    ("/work/suite/other/kafka_test.py", False),
])
def test_an_entry_names_tests_by_id_glob_or_symbol(pattern, matches):
    test_id = "tests.kafka_test.KafkaTest.test_produce.acks=1"
    assert _entry(pattern).matches(test_id, FILE, "KafkaTest", "test_produce") is matches


def test_until_is_the_last_day_in_force():
    assert not _entry("x", TODAY).expired(TODAY)
    assert _entry("x", TODAY - datetime.timedelta(days=1)).expired(TODAY)
    assert not _entry("x").expired(TODAY)


def test_read_quarantine_keeps_order_and_dates(tmp_path):
    path = tmp_path / "q.yml"
    path.write_text("- {test: a.b, reason: JIRA-1}\n- {test: c.d, reason: flaky broker, until: 2030-01-31}\n")
    assert read_quarantine(str(path)) == [QuarantineEntry("a.b", "JIRA-1", None, 1),
                                         QuarantineEntry("c.d", "flaky broker", datetime.date(2030, 1, 31), 2)]
    path.write_text("")
    assert read_quarantine(str(path)) == []


@pytest.mark.parametrize("text, says", [
    ("- {test: a.b}", 'entry 1 ({\'test\': \'a.b\'}): "reason" must say why'),
    ("- {test: a.b, reason: x}\n- {test: '', reason: y}", 'entry 2 ('),
    ("- {test: a.b, reason: x, until: next week}", "\"until\" must be a date YYYY-MM-DD, got 'next week'"),
    ("- {test: a.b, reason: x, owner: me}", "unknown key owner"),
    ("- just a string", "entry 1 ('just a string'): not a mapping"),
    ("test: a.b", "must be a YAML list of entries, not a dict"),
])
def test_bad_entries_are_named(tmp_path, text, says):
    path = tmp_path / "q.yml"
    path.write_text(text)
    with pytest.raises(UsageError) as info:
        read_quarantine(str(path))
    assert says in info.value.message and "\n" not in info.value.message


@pytest.fixture
def seeded(tmp_path):
    return write_seeded_suite(tmp_path / "suite")


def _quarantine(root: Path, entries: list[dict]) -> Path:
    path = root / "quarantine.yml"
    path.write_text(json.dumps(entries))  # JSON is YAML
    return path


def test_bad_quarantine_file_is_one_line_and_exit_2_before_anything_runs(seeded):
    _quarantine(seeded, [{"test": "seeded_test.py", "reason": "x"}, {"test": "a.b", "reason": "y", "until": "soon"}])
    done = run_ducktape(["seeded_test.py", "--results-root", "results", "--quarantine", "quarantine.yml"], seeded)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        ("ducktape: quarantine file quarantine.yml, entry 2 ({'test': 'a.b', 'reason': 'y', 'until': 'soon'}): "
        "\"until\" must be a date YYYY-MM-DD, got 'soon'; expected entries like "
        "{test: tests/x_test.py::XTest.test_y, reason: ..., until: 2026-12-31}")]
    assert not (seeded / "results").exists()
    missing = run_ducktape(["seeded_test.py", "--quarantine", "nowhere.yml"], seeded)
    assert missing.returncode == 2
    assert missing.stderr.splitlines() == ["ducktape: cannot read quarantine file nowhere.yml: No such file or directory"]


def test_quarantined_tests_run_as_ok_to_fail_and_expired_entries_no_longer_apply(seeded):
    yesterday = (TODAY - datetime.timedelta(days=1)).isoformat()
    _quarantine(seeded, [
        {"test": "seeded_test.py::SeededTest.test_always_fails", "reason": "JIRA-7 disk fills up"},
        {"test": "*.test_varying*", "reason": "waits too little", "until": TODAY.isoformat()},
        {"test": TEST_IDS["by_session"], "reason": "old ticket", "until": yesterday},
    ])
    args = ["seeded_test.py::SeededTest.test_always_fails", "seeded_test.py::SeededTest.test_varying",
            "seeded_test.py::SeededTest.test_flaky_by_session", "--results-root", "results", "--quarantine",
            "quarantine.yml"]
    env = {"SEEDED_STATE": str(seeded / "state"), "SEEDED_SESSION_FAILS": "1"}
    done = run_ducktape(args, seeded, env=env)
    assert done.returncode == 1  # the expired entry no longer covers test_flaky_by_session, which failed
    report = json.loads((seeded / "results" / "latest" / "report.json").read_text())
    statuses = {r["test_id"]: r["test_status"] for r in report["results"]}
    assert statuses == {TEST_IDS["always"]: "OFAIL", TEST_IDS["varying_a"]: "OFAIL", TEST_IDS["varying_b"]: "OFAIL",
                        TEST_IDS["by_session"]: "FAIL"}
    reasons = {r["test_id"]: r.get("quarantine", {}).get("reason") for r in report["results"]}
    assert reasons[TEST_IDS["always"]] == "JIRA-7 disk fills up" and reasons[TEST_IDS["by_session"]] is None
    assert report["quarantine"]["expired"] == [{"test": TEST_IDS["by_session"], "reason": "old ticket",
                                                "until": yesterday}]
    summary = (seeded / "results" / "latest" / "report.txt").read_text()
    assert f"quarantine expired: {TEST_IDS['by_session']} (until {yesterday}: old ticket); no longer applied" in summary
    assert "quarantine expired" in done.stdout and "quarantined:      3" in done.stdout
    skipped = {c.get("name"): c.find("skipped") for c in
               ET.parse(seeded / "results" / "latest" / "report.xml").getroot().iter("testcase")}
    assert skipped["test_always_fails"].get("message") == "quarantined: JIRA-7 disk fills up"
    session = (seeded / "results" / "latest").resolve()
    (session / "report.json").unlink()
    assert report_cli_main(["rebuild", str(session)]) == 0  # the quarantine report comes back from session.json
    assert json.loads((session / "report.json").read_text())["quarantine"] == report["quarantine"]
    env["SEEDED_SESSION_FAILS"] = "0"  # with the failing test fixed, quarantined failures never fail the session
    assert run_ducktape(args, seeded, env=env).returncode == 0


def test_report_html_shows_the_quarantine(page, seeded):
    _quarantine(seeded, [{"test": "*.test_always_fails", "reason": "JIRA-7 disk fills up"},
                         {"test": "*.test_stable", "reason": "old", "until": "2020-02-02"}])
    done = run_ducktape(["seeded_test.py::SeededTest.test_always_fails", "--results-root", "results",
                         "--quarantine", "quarantine.yml"], seeded, env={"SEEDED_STATE": str(seeded / "state")})
    assert done.returncode == 0, done.stderr
    page.goto((seeded / "results" / "latest" / "report.html").as_uri())
    assert page.eval("Array.from(document.querySelectorAll('header .notes li')).map(li => li.textContent)") == [
        "quarantined:      1", "quarantine expired: *.test_stable (until 2020-02-02: old); no longer applied"]
    assert page.eval("document.querySelector('tr.test-row .tquar').textContent") == "quarantined: JIRA-7 disk fills up"
    assert page.eval("document.querySelector('tr.test-row').dataset.status") == "OFAIL"
    assert page.console_errors() == []


def test_a_quarantined_test_that_passed_its_last_runs_is_ready_to_release(seeded):
    _quarantine(seeded, [{"test": "*.test_stable", "reason": "was broken"},
                         {"test": "*.test_flaky_by_session", "reason": "flaky"}])
    args = ["seeded_test.py::SeededTest.test_stable", "seeded_test.py::SeededTest.test_flaky_by_session",
            "--results-root", "results", "--quarantine", "quarantine.yml", "--quarantine-release-after", "2"]
    env = {"SEEDED_STATE": str(seeded / "state")}
    outcomes = []
    for fails in ("1", "0", "0"):
        run_ducktape(args, seeded, env={**env, "SEEDED_SESSION_FAILS": fails})
        outcomes.append(json.loads((seeded / "results" / "latest" / "report.json").read_text())["quarantine"])
    assert [o["ready_to_release"] for o in outcomes] == [
        [],  # one run is not two
        [TEST_IDS["stable"]],  # passed twice; test_flaky_by_session failed last time
        [TEST_IDS["by_session"], TEST_IDS["stable"]],
    ]
    summary = (seeded / "results" / "latest" / "report.txt").read_text()
    assert (f"quarantine release: {TEST_IDS['stable']} passed its last 2 runs; ready to remove from the quarantine "
            "file") in summary
