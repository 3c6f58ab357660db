"""The systests (ducktape tests of ducktape) run by our ducktape on a real namespace cluster."""
from __future__ import annotations

import json

from tests.support.suites import REPO_ROOT, run_ducktape


def test_systests_pass_on_the_namespace_cluster(suite_dir, netns_cluster):
    proc = run_ducktape([str(REPO_ROOT / "systests"), "--cluster-file", str(netns_cluster.cluster_file),
                         "--max-parallel", "2"], cwd=suite_dir, timeout=600)
    report = json.loads((suite_dir / "results" / "latest" / "report.json").read_text())
    statuses = {r["function_name"]: r["test_status"] for r in report["results"]}
    assert statuses == {"test_results_and_logs_from_two_nodes": "PASS",
                        "test_timeout_stops_the_remote_service": "PASS"}, proc.stdout + proc.stderr
    assert proc.returncode == 0
