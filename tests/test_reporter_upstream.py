"""Our session reports against upstream 0.17.0's, on a session directory upstream wrote.

``ducktape-report rebuild`` reads upstream's per-test report.json files; the rebuilt
report.xml must equal upstream's byte for byte, report.json must carry the same
keys and values, and report.txt must differ only by the FLAKY summary we add.
"""
from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ducktape.tests.report_cli import main

UPSTREAM = Path(__file__).parent / "data" / "results" / "upstream_session"
ADDED_PER_TEST = {"nodes", "test_index", "file_name"}
ADDED_PER_FAILED_TEST = ADDED_PER_TEST | {"failure"}  # the failure's signature (docs/results.md)
ADDED_PER_SESSION = ["failure_groups"]


@pytest.fixture
def rebuilt(tmp_path):
    session_dir = tmp_path / "2026-11-21--001"
    shutil.copytree(UPSTREAM, session_dir)
    for name in ("report.txt", "report.xml", "rerun-failed.yml"):
        (session_dir / name).unlink()
    assert main(["rebuild", str(session_dir)]) == 0
    return session_dir


def _without_cases(xml: str, names: tuple[str, ...]) -> str:
    for name in names:
        xml = re.sub(rf'<testcase name="{re.escape(name)}".*?(?:/>|</testcase>)', "", xml, count=1, flags=re.DOTALL)
    return xml


def test_report_xml_is_byte_identical_but_for_deflaked_tests(rebuilt):
    """Deflaked tests carry Surefire's rerun elements (docs/results.md); everything else is upstream's, byte for byte."""
    ours, theirs = (rebuilt / "report.xml").read_text(), (UPSTREAM / "report.xml").read_text()
    deflaked = ("test_fail.a=1.b=qr", "test_flaky")
    assert _without_cases(ours, deflaked) == _without_cases(theirs, deflaked)
    cases = {c.get("name"): c for c in ET.fromstring(ours).iter("testcase")}
    failed, flaky = cases["test_fail.a=1.b=qr"], cases["test_flaky"]
    assert [c.tag for c in failed] == ["failure", "rerunFailure"]  # runs 1 and 2 failed alike
    assert failed.find("failure").get("type") == "AssertionError"
    assert failed.find("failure").get("message") == "AssertionError('a is not 2\\nsecond line')"
    assert [c.tag for c in flaky] == ["flakyFailure"] and flaky.find("flakyFailure/stackTrace").text


def test_report_json_has_upstream_keys_values_and_order(rebuilt):
    ours = json.loads((rebuilt / "report.json").read_text())
    theirs = json.loads((UPSTREAM / "report.json").read_text())
    assert [k for k in ours if k not in ADDED_PER_SESSION] == list(theirs)
    assert ours["failure_groups"] and all(set(g) == {"signature", "example", "test_ids"} for g in ours["failure_groups"])
    assert ours["ducktape_version"] == theirs["ducktape_version"] + "+own.1.0.0"  # the report's writer: us
    same = [k for k in theirs if k not in ("results", "ducktape_version")]
    assert {k: ours[k] for k in same} == {k: theirs[k] for k in same}
    for mine, upstream in zip(ours["results"], theirs["results"]):
        assert set(mine) - set(upstream) == (ADDED_PER_FAILED_TEST if upstream["test_status"] == "FAIL" else ADDED_PER_TEST)
        for key, value in upstream.items():
            if key in ("results_dir", "base_results_dir"):
                assert mine[key].startswith(str(rebuilt) + "/") and mine[key].endswith(value[-12:])
            else:
                assert mine[key] == value, key


def test_report_txt_differs_only_by_the_flaky_summary(rebuilt):
    ours = (rebuilt / "report.txt").read_text().replace("0.17.0+own.1.0.0", "0.17.0").splitlines()
    theirs = (UPSTREAM / "report.txt").read_text().splitlines()
    flaky = ours.index("status:     FLAKY")
    end = ours.index("-" * 100, flaky)
    assert ours[flaky + 2:flaky + 5] == ["", "", "    run 1 summary:"]
    assert ours[:flaky + 2] + ours[end:] == theirs


def test_per_test_files_match_upstream(tmp_path):
    from ducktape.tests.result import TestResult

    for report in UPSTREAM.glob("TinyTest/**/report.json"):
        d = json.loads(report.read_text())
        relative = report.parent.relative_to(UPSTREAM)
        d["results_dir"], d["base_results_dir"] = str(tmp_path / relative), str(tmp_path)
        result = TestResult.from_json(d)
        result.report()
        mine = tmp_path / relative
        if d["test_status"] != "FLAKY":
            assert (mine / "report.txt").read_text() == (report.parent / "report.txt").read_text()
        if (report.parent / "data.json").exists():
            assert (mine / "data.json").read_text() == (report.parent / "data.json").read_text()
        else:
            assert not (mine / "data.json").exists()
        written = json.loads((mine / "report.json").read_text())
        added = ADDED_PER_FAILED_TEST if d["test_status"] == "FAIL" else ADDED_PER_TEST
        assert set(written) - set(json.loads(report.read_text())) == added
        assert list(written) == sorted(written)
