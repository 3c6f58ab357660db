"""LocalhostCluster: the embedded default. Every node is the driver host itself,
reached through a LocalAccount (subprocesses, no SSH), so tests run on a fresh machine."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ducktape.cluster.cluster import NodePoolCluster
from ducktape.cluster.cluster_node import ClusterNode
from ducktape.cluster.local_account import LocalAccount
from ducktape.cluster.node_container import group_key
from ducktape.cluster.ssh_config import RemoteAccountSSHConfig

UPSTREAM_NUM_NODES = 1000  # LocalhostCluster() built without num_nodes, as upstream
UNSIZED_TEST_NODES = 8  # the embedded cluster's floor when a test has no @cluster and takes every node


class LocalhostCluster(NodePoolCluster):
    """``num_nodes`` nodes named localhost0..N-1; allocation never fails a health check.

    A freed node goes back in name order, so the lowest-numbered free nodes are handed out
    first: a session that never runs more than k nodes at once uses localhost0..k-1 only.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        num_nodes = kwargs.get("num_nodes", UPSTREAM_NUM_NODES)
        checks = kwargs.get("ssh_exception_checks")
        configs = (RemoteAccountSSHConfig(f"localhost{i}", hostname="localhost", port=22) for i in range(num_nodes))
        super().__init__(ClusterNode(LocalAccount(config, ssh_exception_checks=checks)) for config in configs)

    def free_single(self, node: ClusterNode) -> None:
        self._in_use_nodes.remove_node(node)
        _insert_in_order(self._available_nodes.node_groups.setdefault(group_key(node), []), node)
        node.account.close()


def _insert_in_order(group: list, node: ClusterNode) -> None:
    """Put *node* in its place among *group*'s nodes, kept in name order (a binary search:
    freeing a node must not look at every node)."""
    number, low, high = _node_number(node), 0, len(group)
    while low < high:
        middle = (low + high) // 2
        if _node_number(group[middle]) <= number:
            low = middle + 1
        else:
            high = middle
    group.insert(low, node)


def _node_number(node: ClusterNode) -> int:
    digits = (node.name or "")[len("localhost"):]
    return int(digits) if digits.isdigit() else 0


def embedded_size(requests: Iterable[int | None], max_parallel: int) -> int:
    """The embedded cluster's size when ``--localhost-nodes`` is not given.

    *requests* holds each test's node count (None for a test without ``@cluster``, which
    takes every node). The size lets ``max_parallel`` of the largest tests run at once,
    so ``--max-parallel`` stays the only limit; a test without ``@cluster`` gets at least
    UNSIZED_TEST_NODES nodes.
    """
    requests = list(requests)
    largest = max((n for n in requests if n is not None), default=0)
    size = largest * max(1, min(max_parallel, len(requests)))
    if any(n is None for n in requests):
        size = max(size, UNSIZED_TEST_NODES)
    return max(size, 1)
