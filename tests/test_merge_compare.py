"""``ducktape-report merge`` and ``compare`` on real sessions: a seeded suite (tests/support/nightly_suite)
run as two shards (``--subsets 2 --subset i``) on each of two nights, merged into one results root,
compared, and the merged report and the results index looked at in Chromium."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from ducktape.tests.compare import compare, comparison_text
from tests.support.nightly_suite import PREFIX, run_night, write_nightly_suite

ALWAYS, VARYING, EVEN = PREFIX + "test_always_fails", PREFIX + "test_varying", PREFIX + "test_fails_on_even_nights"
FLAKY, ODD_ONLY, EVEN_ONLY = PREFIX + "test_flaky_attempt", PREFIX + "test_only_on_odd_nights", \
    PREFIX + "test_only_on_even_nights"


def report_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ducktape.tests.report_cli", *args], capture_output=True,
                          text=True, timeout=120, check=False, cwd=cwd)


def shard_session(shard_root: Path) -> Path:
    return (shard_root / "latest").resolve()


@pytest.fixture(scope="module")
def nights(tmp_path_factory) -> dict:
    """Nights 1 and 2, each two shards in their own results roots, merged into ``root/night-N``."""
    base = tmp_path_factory.mktemp("nights")
    work = write_nightly_suite(base / "work")
    root = base / "results"
    found: dict = {"root": root, "shards": {}}
    for night in (1, 2):
        shards = []
        for i in (0, 1):
            shard_root = base / "shards" / f"night-{night}" / f"shard-{i}"
            run = run_night(work, night, shard_root, "--subsets", "2", "--subset", str(i))
            assert run.returncode in (0, 1), run.stdout[-2000:] + run.stderr[-2000:]
            shards.append(shard_session(shard_root))
        merged = report_cli("merge", "-o", str(root / f"night-{night}"), *map(str, shards))
        assert merged.returncode == 0, merged.stdout + merged.stderr
        found["shards"][night] = shards
    return found


def _page_data(html: Path) -> dict:
    """The results a report.html embeds (its report-data script element)."""
    return json.loads(html.read_text().split('id="report-data">', 1)[1].split("</script>")[0])


def _report(session: Path) -> dict:
    return json.loads((session / "report.json").read_text())


def test_merge_keeps_every_result_with_its_own_directory_and_sums_the_counts(nights):
    merged_dir = nights["root"] / "night-1"
    merged = _report(merged_dir)
    shards = [_report(s) for s in nights["shards"][1]]
    assert len(merged["results"]) == sum(len(s["results"]) for s in shards) == 9
    for key in ("num_passed", "num_failed", "num_ignored"):
        assert merged[key] == sum(s[key] for s in shards), key
    assert merged.get("num_flaky") == 1 and merged["num_failed"] == 2  # always failing, varying
    assert merged["cluster_num_nodes"] == sum(s["cluster_num_nodes"] for s in shards)
    assert sorted(r["test_id"] for r in merged["results"]) == sorted(r["test_id"] for s in shards for r in s["results"])
    labels = {r["shard"] for r in merged["results"]}
    assert labels == {s.name for s in nights["shards"][1]}  # each input's session id (unique here)
    for result in merged["results"]:
        test_dir = merged_dir / result["relative_results_dir"]
        assert test_dir.is_dir() and result["relative_results_dir"].startswith(result["shard"] + "/")
        assert json.loads((test_dir / "report.json").read_text())["test_id"] == result["test_id"]
        assert (test_dir / "test_log.info").is_file()
    suites = ET.parse(merged_dir / "report.xml").getroot()
    assert (suites.get("tests"), suites.get("failures")) == ("9", "2")
    assert "tests run:        9" in (merged_dir / "report.txt").read_text()
    rerun = yaml.safe_load((merged_dir / "rerun-failed.yml").read_text())
    assert sorted(s.rsplit("::", 1)[1] for s in rerun["night-1"]) == ["NightTest.test_always_fails",
                                                                      "NightTest.test_varying"]
    for shard in nights["shards"][1]:  # each shard's session log came along
        assert (merged_dir / shard.name / "session_log.info").is_file()


def test_a_merged_session_stands_alone_and_rebuilds(nights, tmp_path):
    copies = [shutil.copytree(s, tmp_path / f"copy-{i}" / s.name) for i, s in enumerate(nights["shards"][1])]
    out = tmp_path / "root" / "merged"
    assert report_cli("merge", "-o", str(out), *map(str, copies)).returncode == 0
    before = _report(out)
    for copy in copies:
        shutil.rmtree(copy.parent)
    for result in before["results"]:
        assert (out / result["relative_results_dir"] / "report.txt").is_file()
    (out / "report.json").unlink()
    rebuilt = report_cli("rebuild", str(out))
    assert rebuilt.returncode == 0, rebuilt.stderr
    after = _report(out)
    assert (after["num_passed"], after["num_failed"], len(after["results"])) == \
        (before["num_passed"], before["num_failed"], 9)
    assert sorted(r["shard"] for r in after["results"]) == sorted(r["shard"] for r in before["results"])


def test_overlapping_shards_keep_both_results_as_runs(nights, tmp_path):
    shard = nights["shards"][1][0]
    again = shutil.copytree(shard, tmp_path / "rerun" / shard.name)
    out = tmp_path / "overlap"
    run = report_cli("merge", "-o", str(out), str(shard), str(again))
    assert run.returncode == 0, run.stderr
    report = _report(out)
    single = _report(shard)
    assert len(report["results"]) == 2 * len(single["results"])
    assert report["num_failed"] == 2 * single["num_failed"]
    ids = [r["test_id"] for r in report["results"]]
    assert all(ids.count(i) == 2 for i in ids)
    assert {tuple(t["run"]) for t in _page_data(out / "report.html")["tests"]} == {(1, 2), (2, 2)}


def test_merge_refuses_what_is_not_a_session_with_one_line_and_exit_2(nights, tmp_path):
    shard = str(nights["shards"][1][0])
    not_session = tmp_path / "plain"
    not_session.mkdir()
    for args in (["-o", str(tmp_path / "o1"), shard, str(not_session)],
                 ["-o", str(tmp_path / "o2"), str(tmp_path / "missing")],
                 ["-o", str(nights["root"] / "night-1"), shard]):
        run = report_cli("merge", *args)
        assert run.returncode == 2, run
        assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr, run.stderr
    assert "not a ducktape session directory" in report_cli("merge", "-o", str(tmp_path / "o3"),
                                                            str(not_session)).stderr
    assert not (tmp_path / "o1").exists()


def test_compare_names_what_changed_and_gates_on_new_failures(nights):
    night1, night2 = nights["root"] / "night-1", nights["root"] / "night-2"
    run = report_cli("compare", "--json", str(night1), str(night2))
    assert run.returncode == 1, run.stderr
    doc = json.loads(run.stdout)
    names = {key: [c["test_id"] for c in doc[key]] for key in doc["counts"]}
    assert names["newly_failing"] == [EVEN]
    assert names["still_failing"] == [ALWAYS, VARYING]
    assert names["flaky"] == [FLAKY]
    assert names["new"] == [EVEN_ONLY] and names["gone"] == [ODD_ONLY]
    assert names["fixed"] == [] and names["slower"] == []
    assert doc["newly_failing"][0]["error"].startswith("AssertionError") and doc["newly_failing"][0]["base"] == "pass"
    back = report_cli("compare", str(night2), str(night1))
    assert back.returncode == 0, back.stdout
    assert f"fixed (1):\n  {EVEN}  [fail -> pass]" in back.stdout
    assert "0 newly failing, 1 fixed, 2 still failing, 1 flaky, 1 new, 1 gone, 0 slower" in back.stdout
    shard = report_cli("compare", str(nights["shards"][1][0]), str(night2))  # a shard against a merged night
    assert shard.returncode == 1 and EVEN in shard.stdout


def test_compare_refuses_a_directory_that_is_not_a_session(nights, tmp_path):
    run = report_cli("compare", str(nights["root"] / "night-1"), str(tmp_path))
    assert run.returncode == 2 and "not a ducktape session directory" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def _result(test_id: str, status: str, seconds: float, summary: str = "") -> dict:
    return {"test_id": test_id, "test_status": status, "run_time_seconds": seconds, "summary": summary}


def test_slower_needs_both_one_and_a_half_times_and_ten_seconds():
    base = [_result("a", "PASS", 10), _result("b", "PASS", 20), _result("c", "PASS", 30), _result("d", "PASS", 1)]
    new = [_result("a", "PASS", 16), _result("b", "PASS", 31), _result("c", "PASS", 44), _result("d", "PASS", 9)]
    comparison = compare(base, new)
    assert [c.test_id for c in comparison.slower] == ["b"]
    assert (comparison.slower[0].base_seconds, comparison.slower[0].new_seconds) == (20, 31)
    assert comparison.exit_status == 0
    assert "slower (1):\n  b  20.0 s -> 31.0 s (1.6x)" in comparison_text(comparison)


def test_runs_that_disagree_in_one_session_count_as_flaky_not_failing():
    base = [_result("t", "PASS", 1)]
    new = [_result("t", "FAIL", 1, "AssertionError('x')"), _result("t", "PASS", 1)]
    comparison = compare(base, new)
    assert [c.test_id for c in comparison.flaky] == ["t"] and not comparison.newly_failing
    assert compare(base, [_result("t", "FAIL", 1, "runs 1, 2 summary:\nValueError('y')")]).newly_failing[0].error \
        == "ValueError('y')"


def _open(page, path: Path) -> None:
    page.goto(path.as_uri())


def test_merged_report_shows_since_last_run_and_one_lane_group_per_cluster(nights, page):
    night2 = nights["root"] / "night-2"
    _open(page, night2 / "report.html")
    assert page.console_errors() == []
    assert page.eval("document.querySelector('#since p a').textContent") == "night-1"
    assert "(9 tests; this session 9)" in page.eval("document.querySelector('#since p').textContent")
    newly = page.eval("Array.from(document.querySelectorAll('.since-cat[data-category=newly_failing] li'))"
                      ".map(li => li.dataset.testId)")
    assert newly == [EVEN]
    gone = page.eval("Array.from(document.querySelectorAll('.since-cat[data-category=gone] li'))"
                     ".map(li => li.dataset.testId)")
    assert gone == [ODD_ONLY]
    same = page.eval("Array.from(document.querySelectorAll('.since-cat[data-category=still_failing] li'))"
                     ".map(li => [li.dataset.testId, li.querySelector('.since-sig').textContent])")
    assert same == [[ALWAYS, " same signature"], [VARYING, " same signature"]]  # varying: other numbers, same error
    groups = page.eval("Array.from(document.querySelectorAll('.tl-group')).map(g => g.dataset.group)")
    assert groups == [s.name for s in nights["shards"][2]]
    lanes = page.eval("Array.from(document.querySelectorAll('.tl-row[data-node]'))"
                      ".map(r => [r.dataset.group, r.dataset.node, r.querySelectorAll('.bar').length])")
    assert [lane[1] for lane in lanes] == ["localhost0", "localhost0"]  # same node name, two clusters
    assert sum(lane[2] for lane in lanes) == 9
    page.eval("document.querySelector('.since-cat[data-category=newly_failing] a').click()")
    page.wait_for(f"new URLSearchParams(location.hash.slice(1)).get('test') === {json.dumps(EVEN)}")


def test_first_night_has_no_since_section_and_the_index_lists_both_nights(nights, page):
    _open(page, nights["root"] / "night-1" / "report.html")
    assert page.eval("document.getElementById('since') === null")
    _open(page, nights["root"] / "index.html")
    text = page.eval("document.body.textContent")
    assert "night-1" in text and "night-2" in text


def test_an_unreadable_earlier_session_leaves_the_report_without_since(nights, tmp_path):
    broken = tmp_path / "root" / "broken"
    broken.mkdir(parents=True)
    (broken / "session.json").write_text(json.dumps({"start_time": 1.0, "session_context": {}}))
    (broken / "report.json").write_text("{ not json")
    run = report_cli("merge", "-o", str(tmp_path / "root" / "merged"), *map(str, nights["shards"][1]))
    assert run.returncode == 0, run.stderr
    page = _page_data(tmp_path / "root" / "merged" / "report.html")
    assert page["since"] is None and len(page["tests"]) == 9


def test_index_counts_a_signature_once_per_night_with_shards_beside_the_merged_sessions(tmp_path, page):
    """Shards run into the same results root as the sessions merged from them: the recurring-signature
    line counts each night once (the merged session), not again through its shards."""
    work = write_nightly_suite(tmp_path / "work")
    root = tmp_path / "results"
    for night in (1, 2):
        shards = []
        for i in (0, 1):
            assert run_night(work, night, root, "--subsets", "2", "--subset", str(i)).returncode in (0, 1)
            shards.append(shard_session(root))
        merged = report_cli("merge", "-o", str(root / f"night-{night}"), *map(str, shards))
        assert merged.returncode == 0, merged.stderr
    assert len([d for d in root.iterdir() if (d / "report.json").is_file() and not d.is_symlink()]) == 6
    signatures = {s["example"] if "example" in s else s["sig"]: s for s in _page_data(root / "index.html")["signatures"]}
    broken = next(s for sig, s in signatures.items() if "broken for good" in sig)
    varying = next(s for sig, s in signatures.items() if sig.startswith("TimeoutError"))
    assert (broken["tests"], broken["sessions"]) == (1, 2)
    assert (varying["tests"], varying["sessions"]) == (1, 2)  # other numbers each night: one signature
    assert broken["last_dir"] == "night-2"
    page.goto((root / "index.html").as_uri())
    line = page.eval("Array.from(document.querySelectorAll('#signatures li, #signatures tr, #signatures div'))"
                     ".map(e => e.textContent).find(t => t.includes('broken for good') && t.includes('seen in'))")
    assert "seen in 1 test over 2 sessions" in line
