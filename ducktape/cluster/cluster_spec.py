"""A multiset of NodeSpecs: what a test or service asks of the cluster."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator

from ducktape.cluster.consts import LINUX
from ducktape.cluster.node_container import NodeContainer
from ducktape.cluster.node_spec import NodeSpec

__all__ = ["LINUX", "ClusterSpec", "NodeSpec"]


class ClusterSpec:
    """The nodes wanted (or held), grouped by operating system and node type in ``nodes``."""

    nodes: NodeContainer | None = None

    def __init__(self, nodes: Iterable[NodeSpec] | None = None):
        self.nodes = NodeContainer(nodes)

    @staticmethod
    def empty() -> ClusterSpec:
        """A spec asking for no nodes."""
        return ClusterSpec([])

    @staticmethod
    def simple_linux(num_nodes: int, node_type: str | None = None) -> ClusterSpec:
        """*num_nodes* Linux nodes, all of *node_type* (None: any type)."""
        return ClusterSpec([NodeSpec(LINUX, node_type)] * num_nodes)

    @staticmethod
    def from_nodes(nodes: Iterable) -> ClusterSpec:
        """Describe existing nodes or accounts by their OS and (optional) node type."""
        return ClusterSpec(NodeSpec(n.operating_system, getattr(n, "node_type", None)) for n in nodes)

    def __len__(self) -> int:
        return self.size()

    def __iter__(self) -> Iterator[NodeSpec]:
        return self.nodes.elements()

    def size(self) -> int:
        """Number of nodes of every kind."""
        return self.nodes.size()

    def add(self, other: ClusterSpec) -> ClusterSpec:
        """Add *other*'s node specs to this spec in place; return self."""
        for node_spec in other.nodes:
            self.nodes.add_node(node_spec)
        return self

    def clone(self) -> ClusterSpec:
        """An independent copy."""
        return ClusterSpec(self.nodes.clone())

    def without_node_types(self) -> ClusterSpec:
        """A copy whose specs match any node type of their OS (``--ignore-node-type``)."""
        return ClusterSpec(NodeSpec(spec.operating_system) for spec in self.nodes)

    def __str__(self) -> str:
        counts = Counter(str(spec) for spec in self.nodes.elements())
        rows = []
        for key in sorted(counts):
            row = json.loads(key)
            row["num_nodes"] = counts[key]
            rows.append(row)
        return json.dumps(rows, sort_keys=True)

    def __repr__(self) -> str:
        return f"ClusterSpec({self})"
