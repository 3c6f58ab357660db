"""@cluster: how many (and which) nodes a test needs."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ducktape.mark._mark import Mark


class ClusterUseMetadata(Mark):
    """Cluster request (num_nodes / node_type / cluster_spec) for the contexts it reaches."""

    def __init__(self, **kwargs: Any) -> None:
        self.metadata = dict(kwargs)

    @property
    def name(self) -> str:
        return "RESOURCE_HINT_CLUSTER_USE"

    def apply(self, seed_context, context_list: list) -> list:
        assert len(context_list) > 0, "cluster use annotation is not being applied to any test cases"
        for ctx in context_list:
            if not ctx.cluster_use_metadata:
                ctx.cluster_use_metadata = self.metadata
        return context_list


def cluster(**kwargs: Any) -> Callable:
    """Declare the nodes a test needs: ``num_nodes=`` (with optional ``node_type=``) or ``cluster_spec=``.

    Applies to the parametrizations declared below it that have no request yet. Without it a test
    reserves the whole cluster (or fails under --fail-greedy-tests).
    """

    def cluster_use_metadata_adder(f: Callable) -> Callable:
        Mark.mark(f, ClusterUseMetadata(**kwargs))
        return f

    return cluster_use_metadata_adder
