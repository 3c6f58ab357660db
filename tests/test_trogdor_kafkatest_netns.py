"""kafkatest's Trogdor API on a 4-node namespace cluster: a ducktape suite written in
kafkatest's call patterns (tests/data/trogdor/kafkatest), run by ducktape, each fault seen
from the nodes (nc, ping, iperf, ps, cat, /proc/mounts)."""
from __future__ import annotations

import json
import os
import shlex
import subprocess

from tests.support.netns import ssh_argv
from tests.support.suites import OURS_DUCKTAPE, REPO_ROOT, copy_data


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


def test_partition_names_resolve_through_the_agents_config(netns_cluster):
    """As Trogdor's: a node name in ``partitions`` becomes its node's ``hostname`` from the
    config (here an address no name service knows), not whatever the name resolves to."""
    node = netns_cluster.nodes[0]
    config = json.dumps({"nodes": {"here": {"hostname": node.ip, "trogdor.agent.port": 8888},
                                   "far": {"hostname": "192.0.2.77", "trogdor.agent.port": 8888}}})
    spec = json.dumps({"class": "org.apache.kafka.trogdor.fault.NetworkPartitionFaultSpec", "durationMs": 4000,
                       "partitions": [["here"], ["far"]]})
    command = (f"printf %s {shlex.quote(config)} > /tmp/partition-names.json && cd {shlex.quote(str(REPO_ROOT))} && "
               f"python3 -m ducktape.trogdor agent --node-name here --config /tmp/partition-names.json "
               f"--exec {shlex.quote(spec)}")
    run = subprocess.Popen(ssh_argv(node, command), stdout=subprocess.PIPE, text=True)
    try:
        seen = netns_cluster.ssh(node, "for i in $(seq 100); do iptables -S INPUT | grep -q 192.0.2.77 && break; "
                                       "sleep 0.05; done; iptables -S INPUT").stdout
        assert "-s 192.0.2.77/32" in seen and "-j DROP" in seen, seen
    finally:
        out, _ = run.communicate(timeout=60)
    assert not json.loads(out).get("error") and "192.0.2.77" not in netns_cluster.ssh(node, "iptables -S").stdout
