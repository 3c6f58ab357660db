"""LocalhostCluster: the embedded default. Every node is the driver host itself,
reached through a LocalAccount (subprocesses, no SSH), so tests run on a fresh machine."""
from __future__ import annotations

from typing import Any

from ducktape.cluster.cluster import Cluster
from ducktape.cluster.cluster_node import ClusterNode
from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.cluster.local_account import LocalAccount
from ducktape.cluster.node_container import NodeContainer
from ducktape.cluster.ssh_config import RemoteAccountSSHConfig


class LocalhostCluster(Cluster):
    """``num_nodes`` nodes (default 1000) named localhost0..N-1; allocation never fails a health check."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__()
        num_nodes = kwargs.get("num_nodes", 1000)
        checks = kwargs.get("ssh_exception_checks")
        self._available_nodes = NodeContainer()
        self._in_use_nodes = NodeContainer()
        for i in range(num_nodes):
            config = RemoteAccountSSHConfig(f"localhost{i}", hostname="localhost", port=22)
            self._available_nodes.add_node(ClusterNode(LocalAccount(config, ssh_exception_checks=checks)))

    def do_alloc(self, cluster_spec: ClusterSpec) -> list[ClusterNode]:
        good, _bad = self._available_nodes.remove_spec(cluster_spec)
        self._in_use_nodes.add_nodes(good)
        return good

    def free_single(self, node: ClusterNode) -> None:
        self._in_use_nodes.remove_node(node)
        self._available_nodes.add_node(node)
        node.account.close()

    def available(self) -> ClusterSpec:
        return ClusterSpec.from_nodes(self._available_nodes)

    def used(self) -> ClusterSpec:
        return ClusterSpec.from_nodes(self._in_use_nodes)
