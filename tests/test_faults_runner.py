"""Faults inside ducktape runs on the namespace cluster: healed when the test times out or its
process is killed, and recorded (with a workload's series) in the test's report.json."""
from __future__ import annotations

import json

from tests.support.suites import copy_data, run_ducktape

TAG = "dt-fault:"


def test_faults_heal_after_timeout_and_kill_and_are_reported(suite_dir, netns_cluster):
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
    assert reports["test_b_killed_partitioned"]["test_status"] == "FAIL"

    probe = reports["test_c_probe_under_partition"]
    assert probe["test_status"] == "PASS", probe["summary"]
    (fault,) = probe["faults"]
    series = {s["name"]: s for s in probe["series"]}
    latency = series["connect n1->n2 latency"]["points"]
    inside = [v for t, v in latency if fault["start"] + 1 <= t <= fault["end"] - 0.5]
    outside = [v for t, v in latency if t < fault["start"] - 1 or t > fault["end"] + 1.5]
    assert inside and outside and min(inside) > 10 * max(outside), (inside, outside)
