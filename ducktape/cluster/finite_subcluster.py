"""The fixed set of nodes one test holds; services and the test allocate from it."""
from __future__ import annotations

from collections.abc import Iterable

from ducktape.cluster.cluster import Cluster
from ducktape.cluster.cluster_node import ClusterNode
from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.cluster.node_container import NodeContainer


class FiniteSubcluster(Cluster):
    """A cluster made of the nodes the runner allocated to one test; it never grows.

    Nodes keep their node type (ClusterNode.node_type), so a typed request made inside
    the test finds typed nodes.
    """

    def __init__(self, nodes: Iterable[ClusterNode]):
        super().__init__()
        self.nodes = list(nodes)
        self._available_nodes = NodeContainer(self.nodes)
        self._in_use_nodes = NodeContainer()

    def do_alloc(self, cluster_spec: ClusterSpec) -> list[ClusterNode]:
        good, _bad = self._available_nodes.remove_spec(cluster_spec)
        self._in_use_nodes.add_nodes(good)
        return good

    def free_single(self, node: ClusterNode) -> None:
        self._in_use_nodes.remove_node(node)
        self._available_nodes.add_node(node)

    def available(self) -> ClusterSpec:
        return ClusterSpec.from_nodes(self._available_nodes)

    def used(self) -> ClusterSpec:
        return ClusterSpec.from_nodes(self._in_use_nodes)
