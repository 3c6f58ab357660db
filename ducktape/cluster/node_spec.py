"""What one node must be: an operating system and, optionally, a node type label."""
from __future__ import annotations

import json

from ducktape.cluster.consts import LINUX, SUPPORTED_OS_TYPES


class NodeSpec:
    """A request for (or a description of) one node.

    ``node_type`` is a free label ("large", "arm64", ...); None on a request means any type.
    """

    def __init__(self, operating_system: str = LINUX, node_type: str | None = None):
        if operating_system not in SUPPORTED_OS_TYPES:
            raise RuntimeError(f"Unsupported os type {operating_system}")
        self.operating_system = operating_system
        self.node_type = node_type

    def matches(self, available_node_spec: NodeSpec) -> bool:
        """True if a node described by *available_node_spec* satisfies this request."""
        if self.operating_system != available_node_spec.operating_system:
            return False
        return self.node_type is None or self.node_type == available_node_spec.node_type

    def to_dict(self) -> dict:
        """The JSON form: ``{"os": ...}`` plus ``"node_type"`` when set."""
        out = {"os": self.operating_system}
        if self.node_type is not None:
            out["node_type"] = self.node_type
        return out

    def __str__(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    def __repr__(self) -> str:
        return f"NodeSpec({self.operating_system!r}, {self.node_type!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NodeSpec):
            return False
        return (self.operating_system, self.node_type) == (other.operating_system, other.node_type)

    def __hash__(self) -> int:
        return hash((self.operating_system, self.node_type))
