"""The fixed set of nodes one test holds; services and the test allocate from it."""
from __future__ import annotations

from collections.abc import Iterable

from ducktape.cluster.cluster import NodePoolCluster
from ducktape.cluster.cluster_node import ClusterNode


class FiniteSubcluster(NodePoolCluster):
    """A cluster made of the nodes the runner allocated to one test; it never grows.

    Nodes keep their node type (ClusterNode.node_type), so a typed request made inside
    the test finds typed nodes.
    """

    def __init__(self, nodes: Iterable[ClusterNode]):
        self.nodes = list(nodes)
        super().__init__(self.nodes)
