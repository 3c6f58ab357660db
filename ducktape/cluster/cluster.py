"""The Cluster interface: a pool of nodes that hands out and takes back ClusterSpecs' worth."""
from __future__ import annotations

from collections.abc import Iterable

from ducktape.cluster.cluster_node import ClusterNode
from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.cluster.node_container import NodeContainer

__all__ = ["Cluster", "ClusterNode", "NodePoolCluster"]


class Cluster:
    """Mediates reservations of nodes; knows nothing of services or roles.

    Subclasses implement ``do_alloc``, ``free_single``, ``available`` and ``used``.
    """

    def __init__(self) -> None:
        self.max_used_nodes = 0

    def __len__(self) -> int:
        return self.num_available_nodes() + self.num_used_nodes()

    def alloc(self, cluster_spec: ClusterSpec) -> list[ClusterNode]:
        """Allocate nodes matching *cluster_spec* (InsufficientResourcesError on shortage)."""
        allocated = self.do_alloc(cluster_spec)
        self.max_used_nodes = max(self.max_used_nodes, self.num_used_nodes())
        return allocated

    def do_alloc(self, cluster_spec: ClusterSpec) -> list[ClusterNode]:
        """Take the nodes out of the pool; subclasses implement it."""
        raise NotImplementedError

    def free(self, nodes: Iterable[ClusterNode] | ClusterNode) -> None:
        """Return one node or an iterable of nodes to the pool."""
        if isinstance(nodes, Iterable):
            for node in list(nodes):
                self.free_single(node)
        else:
            self.free_single(nodes)

    def free_single(self, node: ClusterNode) -> None:
        """Return one node to the pool; subclasses implement it."""
        raise NotImplementedError

    def num_available_nodes(self) -> int:
        """How many nodes are free now."""
        return self.available_pool().size()

    def num_used_nodes(self) -> int:
        """How many nodes are allocated now."""
        return self.used().size()

    def available_pool(self) -> NodeContainer:
        """The free nodes (or their specs) grouped by OS and type, to count and to fit specs
        against; read only. The scheduler asks it on every decision: clusters that keep their
        free nodes in a NodeContainer hand it over as it is, so the answer costs no pass over
        the nodes. The default describes ``available()``."""
        return self.available().nodes

    def available(self) -> ClusterSpec:
        """The free nodes, as a ClusterSpec."""
        raise NotImplementedError

    def used(self) -> ClusterSpec:
        """The allocated nodes, as a ClusterSpec."""
        raise NotImplementedError

    def max_used(self) -> int:
        """Peak number of nodes allocated at once."""
        return self.max_used_nodes

    def all(self) -> ClusterSpec:
        """Every node, free or not."""
        return self.available().clone().add(self.used())

    def close(self) -> None:
        """Release what the cluster holds outside this process; the session calls it once at its
        end, also after Ctrl-C, SIGTERM or an error. Clusters that provision nodes (Ec2Cluster)
        end them here; the others hold nothing, so the default does nothing."""

    # Optional hooks: the session and runner call them on every cluster; these defaults do
    # nothing, so a third-party subclass needs none of them.

    def connect_ahead(self) -> None:
        """Start connecting to the nodes now, in the background; the session calls it once,
        right after making the cluster, so handshakes overlap its set-up (JsonCluster)."""

    def take_predialled(self, nodes: list[ClusterNode]) -> dict:
        """Connections dialled ahead ("predialled": TCP connections to a node's sshd opened
        before a test needs them) for the test process about to run on *nodes*, by hostname.
        The runner hands them to that process; the default has none."""
        return {}

    def give_back_predialled(self, handed: dict) -> None:
        """The test process that held *handed* (from ``take_predialled``) has exited."""

    def parked(self) -> dict[str, str]:
        """Hostname -> why, for nodes "parked" (taken out of the pool for the rest of the
        session after failing a health check); named in the session summary. Default: none."""
        return {}


class NodePoolCluster(Cluster):
    """A cluster whose nodes are all known up front and never fail a health check:
    one pool of free nodes, one of nodes in use."""

    def __init__(self, nodes: Iterable[ClusterNode] = ()) -> None:
        super().__init__()
        self._available_nodes = NodeContainer(nodes)
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

    def num_used_nodes(self) -> int:  # counted from the pool: the driver asks on every allocation
        return self._in_use_nodes.size()

    def available_pool(self) -> NodeContainer:
        return self._available_nodes
