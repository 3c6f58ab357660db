"""kafkatest's Trogdor API on a 4-node namespace cluster: a ducktape suite written in
kafkatest's call patterns (tests/data/trogdor/kafkatest), run by ducktape, each fault seen
from the nodes (nc, ping, iperf, ps, cat, /proc/mounts)."""
from __future__ import annotations

import json
import os
import subprocess

from tests.support.suites import OURS_DUCKTAPE, copy_data


def test_kafkatest_call_patterns_on_the_namespace_cluster(suite_dir, netns_cluster_factory):
    cluster = netns_cluster_factory(nodes=4)
    copy_data("trogdor/kafkatest", suite_dir / "trogdor_kafkatest")
    env = dict(os.environ, HOME=str(suite_dir))
    result = subprocess.run([*OURS_DUCKTAPE, "trogdor_kafkatest", "--cluster-file", str(cluster.cluster_file)],
                            cwd=suite_dir, env=env, capture_output=True, text=True, timeout=600, check=False)
    report = json.loads((suite_dir / "results" / "latest" / "report.json").read_text())
    outcomes = {r["function_name"]: r for r in report["results"]}
    assert set(outcomes) == {"test_noop_partition_and_kafka_workloads", "test_degraded_network_latency_and_rate",
                             "test_process_stop_and_unreadable_files"}
    for outcome in outcomes.values():
        assert outcome["test_status"] == "PASS", (outcome["function_name"], outcome["summary"], result.stdout[-3000:])
    assert result.returncode == 0
    for node in cluster.nodes:  # every fault healed: no rules, qdiscs or mounts left
        left = cluster.ssh(node, "iptables -S | grep -c dt-fault; tc qdisc show dev eth0; grep -c dt-fault /proc/mounts")
        counts = left.stdout.split()
        assert counts[0] == "0" and "htb" not in left.stdout and counts[-1] == "0", (node.name, left.stdout)
