"""A node handed out by a cluster: an account plus per-allocation attributes."""
from __future__ import annotations

from typing import Any


class ClusterNode:
    """One allocated node. ``account`` runs commands on it; extra keyword arguments
    (``slot_id`` for JsonCluster) become attributes. Equality is identity."""

    def __init__(self, account: Any, **kwargs: Any):
        self.account = account
        self._node_type = kwargs.pop("node_type", None)
        for key, value in kwargs.items():
            setattr(self, key, value)

    @property
    def name(self) -> str | None:
        """The node's name: its account's hostname (the alias users see)."""
        return self.account.hostname

    @property
    def operating_system(self) -> str | None:
        """The account's operating system ("linux" or "windows")."""
        return self.account.operating_system

    @property
    def node_type(self) -> str | None:
        """The node type label, so typed requests still match once a node is allocated."""
        if self._node_type is not None:
            return self._node_type
        return getattr(self.account, "node_type", None)

    def __repr__(self) -> str:
        return f"<ClusterNode {self.name}>"
