"""examples/servicewatcher, run by our ducktape on a 7-node namespace cluster (3 ZooKeeper
servers, 4 workers): every promise and every service kind passes, each test reports how
long the cluster took to converge back to the declared placement, its faults are on the
timeline with the placement series, and each monitor's log is collected."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.support.suites import REPO_ROOT, run_ducktape

FAULTS = {"test_zookeeper_server_lost": "process_stop", "test_orchestrator_crash": "process_kill",
          "test_machine_lost": "partition", "test_unit_failed": "process_kill", "test_global": "process_kill",
          "test_shared": "process_stop", "test_multi": "partition", "test_force": "partition",
          "test_prestart": "partition"}
PHASES = {"test_zookeeper_server_lost": {"moved_to_another_server", "server_stopped", "server_back"},
          "test_orchestrator_crash": {"others_cover", "back_and_repartitioned"},
          "test_machine_lost": {"moved_away", "machine_back"}, "test_unit_failed": {"instance_moved", "after_reset"},
          "test_global": {"unit_failed", "after_reset"}, "test_shared": {"taken_over", "monitor_resumed"},
          "test_multi": {"moved_away", "machine_back"}, "test_force": {"forced", "host_away", "host_back"},
          "test_enabled": {"after_reload"}, "test_prestart": {"moved_away", "machine_back"}}


@pytest.mark.timeout(960)
def test_servicewatcher_example_keeps_its_promises_on_a_namespace_cluster(suite_dir, netns_cluster_factory, page):
    cluster = netns_cluster_factory(nodes=7)
    proc = run_ducktape([str(REPO_ROOT / "examples" / "servicewatcher" / "tests"),
                         "--cluster-file", str(cluster.cluster_file)], cwd=suite_dir, timeout=900)
    report = json.loads((suite_dir / "results" / "latest" / "report.json").read_text())
    results = {r["function_name"]: r for r in report["results"]}
    statuses = {name: r["test_status"] for name, r in results.items()}
    assert statuses == dict.fromkeys(PHASES, "PASS"), (statuses, proc.stdout[-4000:], proc.stderr[-4000:])
    assert proc.returncode == 0

    for name, result in results.items():
        times = result["data"]["convergence_sec"]
        assert set(times) == {"startup"} | PHASES[name], (name, times)
        assert all(t >= 0 for t in times.values()), (name, times)
        kinds = [f["kind"] for f in result.get("faults", [])]
        assert kinds == ([FAULTS[name]] if name in FAULTS else []), (name, kinds)
        assert all(f["end"] >= f["start"] for f in result.get("faults", []))
        series = {s["name"]: s["points"] for s in result["series"]}
        assert series["instances running"] and series["declared placement held"][-1][1] == 1.0, name

    crash = results["test_orchestrator_crash"]["data"]
    assert crash["units_kept"], "the crashed monitor's node ran units that had to stay up"
    server = results["test_zookeeper_server_lost"]["data"]
    assert server["server_after"] != server["server_before"]

    results_dir = Path(results["test_machine_lost"]["results_dir"])
    logs = list(results_dir.glob("ServiceWatcherService-*/*/monitor.log"))
    assert len(logs) == 4 and all("placement #1" in log.read_text() for log in logs)

    # the report: the machine-loss test's convergence times in its data, the partition shaded
    # over the two placement series
    k = next(i for i, r in enumerate(report["results"]) if r["function_name"] == "test_machine_lost")
    page.goto((suite_dir / "results" / "latest" / "report.html").as_uri())
    page.eval(f"document.querySelector('.bar[data-k=\"{k}\"]').click()")
    shown = page.eval("document.querySelector('tr.test-row.open ~ tr pre.json').textContent")
    assert '"moved_away"' in shown and '"machine_back"' in shown, shown
    titles = page.eval("Array.from(document.querySelectorAll('tr.test-row.open ~ tr svg.series-chart'))"
                       ".map(s => s.getAttribute('aria-label'))")
    assert {"instances running", "declared placement held"} <= set(titles), titles
    assert page.eval("document.querySelectorAll('tr.test-row.open ~ tr svg.series-chart rect.fault-window').length") >= 2
    assert page.console_errors() == []
    page.eval("document.querySelector('tr.test-row.open').scrollIntoView()")
    shot = page.screenshot(suite_dir / "servicewatcher-report.png", full_page=True)
    assert shot.stat().st_size > 10_000
    if os.environ.get("DUCKTAPE_DOCS_SCREENSHOTS"):  # refresh the picture in docs/servicewatcher.md
        shutil.copyfile(shot, REPO_ROOT / "docs" / "servicewatcher-report.png")
