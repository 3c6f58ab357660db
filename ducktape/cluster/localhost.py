"""LocalhostCluster: the embedded default. Every node is the driver host itself,
reached through a LocalAccount (subprocesses, no SSH), so tests run on a fresh machine."""
from __future__ import annotations

from typing import Any

from ducktape.cluster.cluster import NodePoolCluster
from ducktape.cluster.cluster_node import ClusterNode
from ducktape.cluster.local_account import LocalAccount
from ducktape.cluster.ssh_config import RemoteAccountSSHConfig


class LocalhostCluster(NodePoolCluster):
    """``num_nodes`` nodes (default 1000) named localhost0..N-1; allocation never fails a health check."""

    def __init__(self, *args: Any, **kwargs: Any):
        num_nodes = kwargs.get("num_nodes", 1000)
        checks = kwargs.get("ssh_exception_checks")
        configs = (RemoteAccountSSHConfig(f"localhost{i}", hostname="localhost", port=22) for i in range(num_nodes))
        super().__init__(ClusterNode(LocalAccount(config, ssh_exception_checks=checks)) for config in configs)

    def free_single(self, node: ClusterNode) -> None:
        super().free_single(node)
        node.account.close()
