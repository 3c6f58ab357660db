"""Trogdor on a real namespace cluster: TrogdorService deploys the agent zip file over SSH
to two nodes and a coordinator to a third, from a ducktape test run by ducktape."""
from __future__ import annotations

import json
import os
import subprocess

from tests.support.suites import OURS_DUCKTAPE, copy_data


def test_trogdor_service_on_the_namespace_cluster(suite_dir, netns_cluster):
    copy_data("trogdor/netns", suite_dir / "trogdor_netns")
    env = dict(os.environ, HOME=str(suite_dir))
    result = subprocess.run([*OURS_DUCKTAPE, "trogdor_netns", "--cluster-file", str(netns_cluster.cluster_file)],
                            cwd=suite_dir, env=env, capture_output=True, text=True, timeout=300, check=False)
    report = json.loads((suite_dir / "results" / "latest" / "report.json").read_text())
    outcomes = {r["function_name"]: r for r in report["results"]}
    assert set(outcomes) == {"test_workloads_and_a_lost_agent", "test_trogdor_service"}
    for outcome in outcomes.values():
        assert outcome["test_status"] == "PASS", (outcome["summary"], result.stdout[-3000:])
    assert result.returncode == 0
    faults = {f["task_id"]: f for f in outcomes["test_workloads_and_a_lost_agent"].get("faults", [])}
    assert faults["stop-sleeper"]["kind"] == "ProcessStopFaultSpec", faults
    assert faults["stop-sleeper"]["start"] <= faults["stop-sleeper"]["end"]
    assert len(faults["stop-sleeper"]["nodes"]) == 1 and "long" not in faults  # NoOp is no fault
    assert faults["stop-sleeper"]["nodes"][0] in outcomes["test_workloads_and_a_lost_agent"]["nodes"]
    logs = {p.name for p in (suite_dir / "results" / "latest").rglob("trogdor-*.log")}
    assert logs == {"trogdor-agent.log", "trogdor-coordinator.log"}, logs
    agent_logs = "".join(p.read_text() for p in (suite_dir / "results" / "latest").rglob("trogdor-agent.log"))
    assert "Trogdor agent on node" in agent_logs and "started worker" in agent_logs
