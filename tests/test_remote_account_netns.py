"""Smoke test of JsonCluster + RemoteAccount against the namespace cluster's real nodes."""
from __future__ import annotations

from ducktape.cluster import JsonCluster
from ducktape.cluster.cluster_spec import ClusterSpec


def test_accounts_on_namespace_nodes(netns_cluster, tmp_path):
    cluster = JsonCluster(cluster_file=str(netns_cluster.cluster_file))
    assert len(cluster) == len(netns_cluster.nodes)
    nodes = cluster.alloc(ClusterSpec.simple_linux(2))
    try:
        first, second = (n.account for n in nodes)
        assert first.ssh_output("hostname").decode().strip() == first.hostname
        assert second.ssh_output("hostname").decode().strip() == second.hostname
        assert first.hostname != second.hostname
        local = tmp_path / "payload.txt"
        local.write_text("across namespaces\n")
        first.mkdirs("/mnt/dt-smoke")
        first.copy_to(str(local), "/mnt/dt-smoke")
        assert first.isfile("/mnt/dt-smoke/payload.txt")
        assert not second.exists("/mnt/dt-smoke/payload.txt")  # each node has its own /mnt
        first.copy_between("/mnt/dt-smoke", "/mnt", nodes[1])
        assert second.ssh_output("cat /mnt/dt-smoke/payload.txt") == b"across namespaces\n"
        with first.monitor_log("/mnt/dt-smoke/payload.txt") as monitor:
            first.ssh("echo second line >> /mnt/dt-smoke/payload.txt")
            monitor.wait_until("second", timeout_sec=10, backoff_sec=0.05)
        ip = netns_cluster.nodes[[n.name for n in netns_cluster.nodes].index(second.hostname)].ip
        assert second.ssh_hostname == ip
        assert first.ssh(f"timeout 5 bash -c 'true </dev/tcp/{ip}/22'") == 0  # node to node over the cluster net
    finally:
        for node in nodes:
            node.account.remove("/mnt/dt-smoke", allow_fail=True)
        cluster.free(nodes)
