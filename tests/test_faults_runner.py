"""Faults inside ducktape runs on the namespace cluster: healed when the test times out or its
process is killed, recorded (with a workload's series) in the test's report.json, and drawn in
the HTML report (seen in headless Chromium; DUCKTAPE_DOCS_SCREENSHOTS=1 refreshes
docs/faults-report.png from this run)."""
from __future__ import annotations

import json
import os
import shutil

from tests.support.suites import REPO_ROOT, copy_data, run_ducktape

TAG = "dt-fault:"


def test_faults_heal_after_timeout_and_kill_and_are_reported(suite_dir, netns_cluster, page):
    markers = suite_dir / "markers"
    markers.mkdir()
    copy_data("faults", suite_dir / "faults")
    done = run_ducktape(["faults", "--cluster-file", str(netns_cluster.cluster_file),
                         "--globals", json.dumps({"marker_dir": str(markers)})], cwd=suite_dir, timeout=240)
    assert {p.name for p in markers.iterdir()} == {"partitioned", "killed"}, done.stdout + done.stderr
    for node in netns_cluster.nodes:  # no rule and no ledger left on any node
        rules = netns_cluster.ssh(node, "iptables -w -S INPUT", check=True).stdout
        assert TAG not in rules, rules
        ledger = netns_cluster.ssh(node, "ls /var/lib/ducktape-trogdor/faults/$(hostname) 2>/dev/null").stdout
        assert ledger.strip() == "", ledger

    session = suite_dir / "results" / "latest"
    reports = {}
    for path in session.rglob("report.json"):
        if path.parent != session:
            report = json.loads(path.read_text())
            reports[report["function_name"]] = report
    timed_out = reports["test_a_times_out_partitioned"]
    assert timed_out["test_status"] == "FAIL" and "timeout" in timed_out["summary"]
    (fault,) = timed_out["faults"]
    assert fault["kind"] == "partition" and fault["end"] >= fault["start"] and len(fault["nodes"]) == 2
    killed = reports["test_b_killed_partitioned"]
    assert killed["test_status"] == "FAIL"
    (fault,) = killed["faults"]  # its process died: the runner found the fault in the nodes' ledgers
    assert fault["kind"] == "partition" and sorted(fault["nodes"]) == sorted(killed["nodes"])
    assert fault["start"] <= fault["end"] and "died" in fault["detail"]["healed_by"]

    probe = reports["test_c_probe_under_partition"]
    assert probe["test_status"] == "PASS", probe["summary"]
    (fault,) = probe["faults"]
    series = {s["name"]: s for s in probe["series"]}
    latency = series["connect n1->n2 latency"]["points"]
    # per-second points sit mid-second: seconds wholly inside the partition, and wholly clear of it
    inside = [v for t, v in latency if t - 0.5 >= fault["start"] and t + 0.5 <= fault["end"]]
    outside = [v for t, v in latency if t + 0.5 <= fault["start"] - 0.6 or t - 0.5 >= fault["end"] + 0.1]
    assert inside and outside and min(inside) > 10 * max(outside), (inside, outside)

    # the HTML report: a band per partitioned node on the timeline, the spike inside the shaded window
    results = json.loads((session / "report.json").read_text())["results"]
    k = next(i for i, r in enumerate(results) if r["function_name"] == "test_c_probe_under_partition")
    page.goto((session / "report.html").as_uri())
    bands = page.eval("Array.from(document.querySelectorAll('#timeline .tl-row[data-node] .fault-band'))"
                      ".map(b => [b.closest('.tl-row').dataset.node, b.dataset.kind])")
    assert sorted(bands) == sorted([n, "partition"] for r in (timed_out, killed, probe)
                                   for n in r["faults"][0]["nodes"])
    page.eval(f"document.querySelector('.bar[data-k=\"{k}\"]').click()")
    spike = page.eval("""(() => {
      const chart = document.querySelector('tr.test-row.open ~ tr svg.series-chart[aria-label$="latency"]');
      const dots = Array.from(chart.querySelectorAll('circle')).map(c => Number(c.getAttribute('cx')) + ',' +
                   Number(c.getAttribute('cy')));
      const top = dots.map(d => d.split(',').map(Number)).sort((a, b) => a[1] - b[1])[0];
      const w = chart.querySelector('rect.fault-window');
      return [top[0], Number(w.getAttribute('x')), Number(w.getAttribute('width')), dots.length];
    })()""")
    cx, x, width, count = spike
    assert count == len(latency) and x <= cx <= x + width, spike
    assert page.console_errors() == []
    page.eval("document.querySelector('tr.test-row.open').scrollIntoView()")
    shot = page.screenshot(suite_dir / "faults-report.png", full_page=True)
    assert shot.stat().st_size > 10_000
    if os.environ.get("DUCKTAPE_DOCS_SCREENSHOTS"):  # refresh the picture in docs/faults.md
        shutil.copyfile(shot, REPO_ROOT / "docs" / "faults-report.png")
