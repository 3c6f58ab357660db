"""The systests (ducktape tests of ducktape) run by our ducktape on a real namespace cluster."""
from __future__ import annotations

import json

from tests.support.suites import REPO_ROOT, run_ducktape

EXPECTED = {
    "AccountSystest.test_commands", "AccountSystest.test_files", "AccountSystest.test_processes_and_logs",
    "RunnerSystest.test_results_and_logs_from_two_nodes", "RunnerSystest.test_timeout_stops_the_remote_service",
    "RunnerSystest.test_parallel_tests_run_side_by_side",
    "RunnerSystest.test_failing_services_fail_their_test_and_are_cleaned",
    "RunnerSystest.test_lost_node_fails_only_its_tests",
    "FaultsSystest.test_partition_cuts_only_between_groups_and_heals",
    "FaultsSystest.test_degrade_delays_one_link_and_heals",
    "FaultsSystest.test_process_stop_pauses_and_resumes",
    "FaultsSystest.test_process_kill_ends_it_and_runs_the_restart",
    "FaultsSystest.test_disk_fill_leaves_the_requested_space_and_frees_it",
    "FaultsSystest.test_a_fault_left_by_a_killed_test_is_healed_by_the_runner",
}


def test_systests_pass_on_the_namespace_cluster(suite_dir, netns_cluster):
    proc = run_ducktape([str(REPO_ROOT / "systests"), "--cluster-file", str(netns_cluster.cluster_file),
                         "--max-parallel", "2", "--test-timeout", "240"], cwd=suite_dir, timeout=600)
    report = json.loads((suite_dir / "results" / "latest" / "report.json").read_text())
    statuses = {f"{r['cls_name']}.{r['function_name']}": r["test_status"] for r in report["results"]}
    assert EXPECTED <= set(statuses) and len(statuses) >= 12, sorted(statuses)
    failed = {name: status for name, status in statuses.items() if status != "PASS"}
    assert not failed, (failed, proc.stdout[-4000:])
    assert proc.returncode == 0
