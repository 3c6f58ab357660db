"""Nodes (or accounts, or node specs) grouped by (operating system, node type), and the
arithmetic of taking a ClusterSpec's worth of them out."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ducktape.cluster.cluster_spec import ClusterSpec

    GroupKey = tuple[str | None, str | None]


class NodeNotPresentError(Exception):
    """A node to remove is not in the container."""


class InsufficientResourcesError(Exception):
    """The container does not hold enough matching nodes."""


class InsufficientHealthyNodesError(InsufficientResourcesError):
    """Enough nodes exist but too many failed their health check; ``bad_nodes`` lists those."""

    def __init__(self, bad_nodes: list, *args: Any):
        self.bad_nodes = bad_nodes
        super().__init__(*args)


def group_key(node: Any) -> GroupKey:
    """The (operating_system, node_type) a node, account or spec is filed under."""
    return getattr(node, "operating_system", None), getattr(node, "node_type", None)


def is_healthy(node: Any) -> bool:
    """Ask an account's ``available()`` health check; anything without one is healthy."""
    check = getattr(node, "available", None)
    return bool(check()) if callable(check) else True


class NodeContainer:
    """A bag of nodes keyed by (os, node_type); typed requests take typed nodes first."""

    node_groups: dict[GroupKey, list[Any]]

    def __init__(self, nodes: Iterable[Any] | None = None):
        self.node_groups = {}
        if nodes is not None:
            self.add_nodes(nodes)

    def size(self) -> int:
        """Number of nodes held."""
        return sum(len(group) for group in self.node_groups.values())

    def __len__(self) -> int:
        return self.size()

    def __iter__(self) -> Iterator[Any]:
        return self.elements()

    def elements(self, operating_system: str | None = None, node_type: str | None = None) -> Iterator[Any]:
        """Yield the nodes, optionally only those of one OS and/or one node type."""
        for (os_name, type_name), group in self.node_groups.items():
            if operating_system is not None and os_name != operating_system:
                continue
            if node_type is not None and type_name != node_type:
                continue
            yield from group

    def grouped_by_os_and_type(self) -> dict[GroupKey, int]:
        """Count of nodes per (os, node_type)."""
        return {key: len(group) for key, group in self.node_groups.items() if group}

    def add_node(self, node: Any) -> None:
        """Add one node under its (os, node_type) key."""
        self.node_groups.setdefault(group_key(node), []).append(node)

    def add_nodes(self, nodes: Iterable[Any]) -> None:
        """Add several nodes."""
        for node in nodes:
            self.add_node(node)

    def remove_node(self, node: Any) -> None:
        """Remove one node; NodeNotPresentError if it is not held."""
        try:
            self.node_groups.get(group_key(node), []).remove(node)
        except ValueError:
            raise NodeNotPresentError(f"node {node} is not in this container") from None

    def remove_nodes(self, nodes: Iterable[Any]) -> None:
        """Remove several nodes."""
        for node in nodes:
            self.remove_node(node)

    def clone(self) -> NodeContainer:
        """A copy with its own lists (the nodes themselves are shared)."""
        copy = NodeContainer()
        copy.node_groups = {key: list(group) for key, group in self.node_groups.items()}
        return copy

    def _count(self, operating_system: str, node_type: str | None = None, any_type: bool = True) -> int:
        return sum(
            len(group)
            for (os_name, type_name), group in self.node_groups.items()
            if os_name == operating_system and (any_type or type_name == node_type)
        )

    def attempt_remove_spec(self, cluster_spec: ClusterSpec | None) -> str:
        """Return "" if *cluster_spec* could be taken from this container, else why not."""
        if cluster_spec is None:
            return "Invalid or missing cluster spec"
        if cluster_spec.nodes is None or len(cluster_spec) == 0:
            return ""
        demand: dict[str, dict[str | None, int]] = {}
        for spec in cluster_spec.nodes.elements():
            per_type = demand.setdefault(spec.operating_system, {})
            per_type[spec.node_type] = per_type.get(spec.node_type, 0) + 1
        return "".join(self._shortage(os_name, per_type) for os_name, per_type in demand.items())

    def _shortage(self, os_name: str, per_type: dict[str | None, int]) -> str:
        """The shortage message for one OS: total, then each type, then the untyped rest."""
        total = self._count(os_name)
        wanted = sum(per_type.values())
        if total < wanted:
            return f"{os_name} nodes requested: {wanted}. {os_name} nodes available: {total}. "
        msg = ""
        for type_name, count in per_type.items():
            if type_name is None:
                continue
            have = self._count(os_name, type_name, any_type=False)
            if have < count:
                label = f"{os_name}/{type_name}"
                msg += f"{label} nodes requested: {count}. {label} nodes available: {have}. "
        untyped = per_type.get(None, 0)
        if untyped:
            left = total - (wanted - untyped)
            if left < untyped:
                msg += (
                    f"{os_name} (any type) nodes requested: {untyped}. "
                    f"{os_name} nodes remaining after typed allocations: {left}. "
                )
        return msg

    def can_remove_spec(self, cluster_spec: ClusterSpec | None) -> bool:
        """True if *cluster_spec* could be taken from this container."""
        return not self.attempt_remove_spec(cluster_spec)

    def remove_spec(self, cluster_spec: ClusterSpec,
                    healthy: Callable[[Any], bool] = is_healthy) -> tuple[list[Any], list[Any]]:
        """Take nodes satisfying *cluster_spec*: typed requests first, then untyped ones.

        Returns (good, bad): bad nodes failed *healthy* and stay out of the
        container. Raises InsufficientResourcesError when the spec cannot fit at all and
        InsufficientHealthyNodesError when too few healthy nodes were found (the good ones
        are put back).
        """
        err = self.attempt_remove_spec(cluster_spec)
        if err:
            raise InsufficientResourcesError(err)
        good: list[Any] = []
        bad: list[Any] = []
        msg = ""
        requests = cluster_spec.nodes.grouped_by_os_and_type()
        order = sorted(requests.items(), key=lambda kv: (kv[0][1] is None, kv[0][0] or "", kv[0][1] or ""))
        for (os_name, type_name), wanted in order:
            found = self._take(os_name, type_name, wanted, bad, healthy)
            good.extend(found)
            if len(found) < wanted:
                label = os_name if type_name is None else f"{os_name}/{type_name}"
                msg += f"{label} nodes requested: {wanted}. Healthy nodes available: {len(found)}. "
        if msg:
            self.add_nodes(good)
            raise InsufficientHealthyNodesError(bad, msg)
        return good, bad

    def _take(self, os_name: str, type_name: str | None, wanted: int, bad: list[Any],
              healthy: Callable[[Any], bool]) -> list[Any]:
        """Pop up to *wanted* healthy matching nodes; unhealthy ones go to *bad*."""
        found: list[Any] = []
        for (group_os, group_type), group in self.node_groups.items():
            if group_os != os_name or (type_name is not None and group_type != type_name):
                continue
            while group and len(found) < wanted:
                node = group.pop(0)
                (found if healthy(node) else bad).append(node)
            if len(found) >= wanted:
                break
        return found
