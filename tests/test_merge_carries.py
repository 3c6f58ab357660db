"""``ducktape-report merge`` carries what a run records beside its results, and ``compare`` tells
failures apart by signature: the seeded suite (tests/support/seeded_suite) in a git checkout, run
as two shards with ``--deflake 3`` and ``--quarantine``, merged; then changed, committed and run
again, so the suite version and one failure's signature differ."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support.seeded_suite import TEST_IDS, write_seeded_suite
from tests.support.suites import run_ducktape

QUARANTINE = [
    {"test": "*.test_stable", "reason": "was broken (JIRA-3)"},
    {"test": "*.test_flaky_by_session", "reason": "old ticket", "until": "2020-01-31"},
]


def report_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ducktape.tests.report_cli", *args], capture_output=True,
                          text=True, timeout=120, check=False)


def _run(suite: Path, results_root: Path, *args: str) -> Path:
    done = run_ducktape(["seeded_test.py", "--results-root", str(results_root), "--deflake", "3",
                         "--quarantine", "quarantine.yml", "--quarantine-release-after", "1", *args], suite,
                        env={"SEEDED_STATE": str(suite / "state")})
    assert done.returncode in (0, 1), done.stdout[-2000:] + done.stderr[-2000:]
    return (results_root / "latest").resolve()


def _git(suite: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(suite), "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args],
                   check=True, capture_output=True)


def _report(session: Path) -> dict:
    return json.loads((session / "report.json").read_text())


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """Two shards at commit A merged into ``root/night-1``; the whole suite at commit B (a changed
    error message) as ``night-2``; shard 0 merged with night 2 into ``mixed/merged`` (two versions)."""
    base = tmp_path_factory.mktemp("carries")
    suite = write_seeded_suite(base / "suite", git=True)
    (suite / "quarantine.yml").write_text(json.dumps(QUARANTINE))  # JSON is YAML; untracked: not a change
    shards = [_run(suite, base / "shards" / f"shard-{i}", "--subsets", "2", "--subset", str(i)) for i in (0, 1)]
    merged = report_cli("merge", "-o", str(base / "root" / "night-1"), *map(str, shards))
    assert merged.returncode == 0, merged.stdout + merged.stderr
    test_file = suite / "seeded_test.py"
    test_file.write_text(test_file.read_text().replace("data is full", "data is read-only"))
    _git(suite, "commit", "-qam", "a new way to fail")
    night2 = _run(suite, base / "night-2")
    mixed = report_cli("merge", "-o", str(base / "mixed" / "merged"), str(shards[0]), str(night2))
    assert mixed.returncode == 0, mixed.stdout + mixed.stderr
    return {"shards": shards, "night1": base / "root" / "night-1", "night2": night2,
            "mixed": base / "mixed" / "merged", "mixed_run": mixed}


def test_merge_keeps_the_suite_version_when_the_inputs_agree(runs):
    versions = [_report(s)["suite_version"] for s in runs["shards"]]
    assert versions[0] == versions[1] and versions[0]["commit"] and not versions[0]["dirty"]
    merged = _report(runs["night1"])
    assert merged["suite_version"] == versions[0]
    assert json.loads((runs["night1"] / "session.json").read_text())["suite_version"] == versions[0]


def test_merge_records_each_input_suite_version_when_they_differ_and_says_so(runs):
    merged = _report(runs["mixed"])
    assert "suite_version" not in merged
    recorded = [m["suite_version"]["commit"] for m in merged["session_context"]["merged_from"]]
    expected = [_report(runs["shards"][0])["suite_version"]["commit"], _report(runs["night2"])["suite_version"]["commit"]]
    assert recorded == expected and expected[0] != expected[1]
    said = runs["mixed_run"].stdout + runs["mixed_run"].stderr
    assert "the inputs ran different suite versions" in said and expected[1][:12] in said
    page = (runs["mixed"] / "report.html").read_text()
    header = json.loads(page.split('id="report-data">', 1)[1].split("</script>")[0])["session"]["suite"]
    assert header.startswith("differs by input: ") and expected[0][:12] in header and expected[1][:12] in header


def test_merge_carries_the_quarantine_report(runs):
    merged = _report(runs["night1"])["quarantine"]
    assert merged["expired"] == [{"test": "*.test_flaky_by_session", "reason": "old ticket", "until": "2020-01-31"}]
    assert merged["quarantined"] == [TEST_IDS["stable"]]
    assert merged["ready_to_release"] == [TEST_IDS["stable"]]  # passed its last run (--quarantine-release-after 1)
    text = (runs["night1"] / "report.txt").read_text()
    assert text.count("quarantine expired: *.test_flaky_by_session") == 1
    assert f"quarantine release: {TEST_IDS['stable']} passed its last 1 runs" in text


def test_merge_groups_failures_across_all_shards(runs):
    expected: dict[str, set] = {}
    for shard in runs["shards"]:
        for group in _report(shard)["failure_groups"]:
            expected.setdefault(group["signature"], set()).update(group["test_ids"])
    merged = {g["signature"]: set(g["test_ids"]) for g in _report(runs["night1"])["failure_groups"]}
    assert merged == expected
    assert {TEST_IDS["varying_a"], TEST_IDS["varying_b"]} in merged.values()  # one group, "worker3"/"worker1"


def test_merged_attempt_directories_stay_valid_in_out(runs):
    result = next(r for r in _report(runs["night1"])["results"] if r["test_id"] == TEST_IDS["by_attempt"])
    assert result["test_status"] == "FLAKY"
    test_dir = runs["night1"] / result["relative_results_dir"]
    for number in (1, 2):
        attempt = test_dir / f"attempt-{number}"
        assert f"flaky attempt number {number}" in (attempt / "test_log.info").read_text()
        links = [p for p in attempt.iterdir() if p.is_symlink()]
        assert links, f"attempt {number} linked no service logs"
        for link in links:  # relative links: they resolve inside OUT, not in the shard they came from
            target = Path(os.path.realpath(link))
            assert target.exists() and runs["night1"].resolve() in target.parents, target
    logs = [p.read_text() for link in (test_dir / "attempt-2").iterdir() if link.is_symlink()
            for p in link.glob("*/echo.log")]
    assert logs and "echo of attempt 2" in logs[0]


def test_merged_report_xml_carries_surefire_flaky_elements(runs):
    cases = {c.get("name"): c for c in ET.parse(runs["night1"] / "report.xml").getroot().iter("testcase")}
    flaky = cases[TEST_IDS["by_attempt"].rsplit(".", 1)[1]].findall("flakyFailure")
    assert [f.find("system-out").text.count("flaky attempt number") for f in flaky] == [1, 1]
    assert "leader not elected" in flaky[0].get("message")
    failed = cases["test_always_fails"]
    assert failed.find("failure") is not None and len(failed.findall("rerunFailure")) == 2


def test_compare_says_whether_a_test_still_fails_the_same_way(runs):
    run = report_cli("compare", "--json", str(runs["night1"]), str(runs["night2"]))
    doc = json.loads(run.stdout)
    still = {c["test_id"]: c["same_signature"] for c in doc["still_failing"]}
    assert still == {TEST_IDS["always"]: False, TEST_IDS["varying_a"]: True, TEST_IDS["varying_b"]: True}
    changed = next(c for c in doc["still_failing"] if c["test_id"] == TEST_IDS["always"])
    assert "is full" in changed["base_error"] and "read-only" in changed["error"]
    text = report_cli("compare", str(runs["night1"]), str(runs["night2"])).stdout
    assert f"{TEST_IDS['always']}  [fail -> fail]  new signature:" in text
    assert f"{TEST_IDS['varying_a']}  [fail -> fail]  same signature:" in text


def test_merged_report_lists_the_files_a_walk_of_out_finds(runs):
    """The merge hands the report the directories it linked; the listing must be what a walk finds."""
    from ducktape.tests.reporters.html_report import _list_files

    page = (runs["night1"] / "report.html").read_text()
    tests = json.loads(page.split('id="report-data">', 1)[1].split("</script>")[0])["tests"]
    assert len(tests) == 6
    for row in tests:
        assert row["f"] == _list_files(str(runs["night1"] / row["dir"]), None), row["id"]
    attempts = next(row["f"] for row in tests if row["id"] == TEST_IDS["by_attempt"])
    assert "attempt-1/test_log.info" in attempts and any("EchoService" in f for f in attempts)


def test_the_index_summary_of_the_merged_session_is_what_its_report_json_gives(runs):
    """The merge hands the index the report it has in memory; it must equal reading report.json."""
    from ducktape.tests.reporters.html_report import INDEX_CACHE, _session_summary

    cache = json.loads((runs["night1"].parent / INDEX_CACHE).read_text())
    assert cache["night-1"]["summary"] == _session_summary("night-1", runs["night1"] / "report.json")


@pytest.mark.parametrize("rel", ["a/b/", "/a/b", "a//b/", "./a/b", "a/./b/", "a/b/.", "../x", "a/..b/c", ".h/x", "x"])
def test_relative_dir_normalises_as_pathlib_does(rel):
    from ducktape.tests.reporters.html_report import _relative_dir

    expected = Path(rel).as_posix().strip("/")
    assert _relative_dir(Path("/s"), {"relative_results_dir": rel}) == (None if expected.startswith("..") else expected)
