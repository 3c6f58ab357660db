"""A seeded suite run through the real runner into one results root, twice on one git commit:
failure signatures in report.json and the HTML, --deflake attempt directories, Surefire's rerun
elements in report.xml, and the results index counting signatures and tagging flaky tests."""
from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ducktape.tests.report_cli import main as report_cli_main
from tests.support.seeded_suite import TEST_IDS, write_seeded_suite
from tests.support.suites import run_ducktape

VARYING = ("ducktape.errors.TimeoutError: timed out after <duration> waiting for <host> "
           "@ seeded_test.py:wait_for_worker")
ALWAYS = "RuntimeError: log dir <tmp> is full @ seeded_test.py:test_always_fails"
BY_SESSION = "AssertionError: lost <n> of <n> messages @ seeded_test.py:test_flaky_by_session"

# Surefire's report format (surefire-test-report 3.0 XSD), written down as data: each rerun element
# has a required type and an optional message attribute, and only these text children, in this order.
RERUN_ELEMENTS = ("flakyFailure", "flakyError", "rerunFailure", "rerunError")
RERUN_ATTRIBUTES = {"message": False, "type": True}  # name -> required
RERUN_CHILDREN = ("stackTrace", "system-out", "system-err")


def _check_rerun_element(element: ET.Element) -> None:
    assert element.tag in RERUN_ELEMENTS
    assert set(element.attrib) <= set(RERUN_ATTRIBUTES)
    assert all(element.get(name) for name, required in RERUN_ATTRIBUTES.items() if required)
    tags = [child.tag for child in element]
    assert tags == [t for t in RERUN_CHILDREN if t in tags], f"children out of order: {tags}"
    assert all(len(child) == 0 for child in element), "children carry text only"


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """Session 1 with --deflake 3 (the session-flaky test passes), session 2 without (it fails)."""
    root = write_seeded_suite(tmp_path_factory.mktemp("seeded"), git=True)
    env = {"SEEDED_STATE": str(root / "state")}
    first = run_ducktape(["seeded_test.py", "--results-root", "results", "--deflake", "3"], root,
                         env={**env, "SEEDED_SESSION_FAILS": "0"})
    assert first.returncode == 1, first.stdout + first.stderr
    session_1 = (root / "results" / "latest").resolve()
    second = run_ducktape(["seeded_test.py", "--results-root", "results"], root, env={**env, "SEEDED_SESSION_FAILS": "1"})
    assert second.returncode == 1, second.stdout + second.stderr
    session_2 = (root / "results" / "latest").resolve()
    return root, session_1, session_2


def _report(session: Path) -> dict:
    return json.loads((session / "report.json").read_text())


def test_failures_with_varying_numbers_form_one_group_largest_first(history):
    _, session_1, _ = history
    report = _report(session_1)
    assert report["failure_groups"] == [
        {"signature": VARYING, "example": "ducktape.errors.TimeoutError: timed out after 12.3 s waiting for worker3",
         "test_ids": [TEST_IDS["varying_a"], TEST_IDS["varying_b"]]},
        {"signature": ALWAYS, "example": report["failure_groups"][1]["example"], "test_ids": [TEST_IDS["always"]]},
    ]
    assert report["failure_groups"][1]["example"].startswith("RuntimeError: log dir /tmp/tmp0000000")
    statuses = {r["test_id"]: r["test_status"] for r in report["results"]}
    assert statuses[TEST_IDS["by_attempt"]] == "FLAKY" and statuses[TEST_IDS["by_session"]] == "PASS"


def test_sessions_record_their_suite_version(history):
    root, session_1, session_2 = history
    head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    for session in (session_1, session_2):
        version = _report(session)["suite_version"]
        assert version["commit"] == head and version["dirty"] is False


def test_rebuild_keeps_the_suite_version_from_session_json(history, tmp_path):
    _, session_1, _ = history
    copy = tmp_path / session_1.name
    shutil.copytree(session_1, copy, symlinks=True)
    (copy / "report.json").unlink()  # as after SIGKILL: session.json and the per-test reports only
    assert report_cli_main(["rebuild", str(copy)]) == 0
    assert _report(copy)["suite_version"] == _report(session_1)["suite_version"]
    assert _report(copy)["failure_groups"] == _report(session_1)["failure_groups"]


def _test_dir(session: Path, key: str) -> Path:
    result = next(r for r in _report(session)["results"] if r["test_id"] == TEST_IDS[key])
    return session / result["relative_results_dir"]


def test_each_deflake_attempt_keeps_its_own_log(history):
    _, session_1, session_2 = history
    test_dir = _test_dir(session_1, "by_attempt")
    assert sorted(p.name for p in test_dir.glob("attempt-*")) == ["attempt-1", "attempt-2", "attempt-3"]
    for number in (1, 2, 3):
        log = (test_dir / f"attempt-{number}" / "test_log.info").read_text()
        assert f"flaky attempt number {number}" in log
        assert all(f"flaky attempt number {other}" not in log for other in (1, 2, 3) if other != number)
        assert (test_dir / f"attempt-{number}" / "test_log.debug").is_file()
        (service_dir,) = (test_dir / f"attempt-{number}").glob(f"{number}-EchoService-0-*")  # its service logs
        assert service_dir.is_symlink() and service_dir.resolve().parent == test_dir.resolve()  # upstream's place
        (log,) = service_dir.glob("*/echo.log")
        assert log.read_text() == f"echo of attempt {number}\n"
    whole = (test_dir / "test_log.info").read_text()
    assert all(f"flaky attempt number {n}" in whole for n in (1, 2, 3))
    assert not list(_test_dir(session_2, "by_attempt").glob("attempt-*"))  # no --deflake, upstream's layout


def test_report_xml_carries_surefire_flaky_and_rerun_elements(history):
    _, session_1, _ = history
    cases = {f"{c.get('classname')}.{c.get('name')}": c
             for c in ET.parse(session_1 / "report.xml").getroot().iter("testcase")}
    flaky = cases["SeededTest.test_flaky_by_attempt"]
    assert [c.tag for c in flaky] == ["flakyFailure", "flakyFailure"]
    for number, element in enumerate(flaky, start=1):
        _check_rerun_element(element)
        assert element.get("type") == "AssertionError"
        assert element.get("message") == f"AssertionError('leader not elected after {number * 0.7:.1f} s (attempt {number})')"
        assert "Traceback (most recent call last)" in element.find("stackTrace").text
        assert f"flaky attempt number {number}" in element.find("system-out").text
    always = cases["SeededTest.test_always_fails"]
    assert [c.tag for c in always] == ["failure", "rerunFailure", "rerunFailure"]
    assert always.find("failure").get("type") == "RuntimeError"
    for element in always.findall("rerunFailure"):
        _check_rerun_element(element)
    varying = cases["SeededTest.test_varying.seconds=12.3.worker=3"]  # three identical failures
    assert [c.tag for c in varying] == ["failure", "rerunFailure", "rerunFailure"]
    assert len(cases["SeededTest.test_stable"]) == 0


def test_html_groups_by_signature_and_lists_attempts(page, history):
    _, session_1, _ = history
    page.goto((session_1 / "report.html").as_uri())
    groups = page.eval("Array.from(document.querySelectorAll('#groups .group')).map("
                       "g => [g.dataset.err, Number(g.querySelector('.group-count').textContent)])")
    assert groups == [[VARYING, 2], [ALWAYS, 1]]
    page.eval("document.querySelector('#groups .group-btn').click()")
    rows = page.eval("Array.from(document.querySelectorAll('#test-rows tr.test-row')).map(r => r.dataset.testId)")
    assert sorted(rows) == sorted([TEST_IDS["varying_a"], TEST_IDS["varying_b"]])
    page.eval("document.querySelector('.group-btn').click()")  # back to every test
    page.eval(f"document.querySelector('tr.test-row[data-test-id=\"{TEST_IDS['by_attempt']}\"]').click()")
    attempts = page.eval("Array.from(document.querySelectorAll('tr.details .attempt-group')).map("
                         "g => [g.dataset.sig, Array.from(g.querySelectorAll('a')).map(a => a.textContent)])")
    signature = "AssertionError: leader not elected after <duration> (attempt <n>) @ seeded_test.py:test_flaky_by_attempt"
    assert attempts == [[signature, ["1", "2"]], ["", ["3"]]]
    href = page.eval("document.querySelector('tr.details .attempt-group a').getAttribute('href')")
    assert (session_1 / href).read_text().count("flaky attempt number 1") == 1
    assert page.console_errors() == []


def test_index_counts_signatures_across_sessions_and_tags_flaky_on_one_suite_version(page, history):
    root, _, _ = history
    page.goto((root / "results" / "index.html").as_uri())
    seen = page.eval("Object.fromEntries(Array.from(document.querySelectorAll('#signatures .group')).map("
                     "g => [g.dataset.sig, g.querySelector('.seen').textContent]))")
    assert seen[VARYING].startswith("seen in 2 tests over 2 sessions since ")
    assert seen[ALWAYS].startswith("seen in 1 test over 2 sessions since ")
    assert seen[BY_SESSION].startswith("seen in 1 test over 1 session since ")
    tags = page.eval("Object.fromEntries(Array.from(document.querySelectorAll('#history-rows tr')).map("
                     "r => [r.dataset.testId, r.dataset.tag || null]))")
    assert tags[TEST_IDS["by_session"]] == "flaky"  # passed, then failed, on the same commit
    assert tags[TEST_IDS["by_attempt"]] == "flaky"
    assert tags[TEST_IDS["always"]] == "failing" and tags[TEST_IDS["stable"]] is None
    assert page.console_errors() == []
    href = page.eval(f"document.querySelector('#signatures .group[data-sig=\"{VARYING}\"] a').href")
    page.goto(href)  # the latest session's report, with that group selected
    rows = page.eval("Array.from(document.querySelectorAll('#test-rows tr.test-row')).map(r => r.dataset.testId)")
    assert sorted(rows) == sorted([TEST_IDS["varying_a"], TEST_IDS["varying_b"]])
    assert page.eval("document.querySelector('#groups .group.active').dataset.err") == VARYING
