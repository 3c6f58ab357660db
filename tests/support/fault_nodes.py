"""Nodes of the namespace cluster for fault tests: allocated through JsonCluster (so they have
real accounts), and healed of any fault a failing test left before they are freed."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ducktape.cluster import JsonCluster
from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.trogdor.faults import heal_nodes


@contextlib.contextmanager
def allocated(netns_cluster, count: int) -> Iterator[list]:
    cluster = JsonCluster(cluster_file=str(netns_cluster.cluster_file))
    nodes = cluster.alloc(ClusterSpec.simple_linux(count))
    try:
        yield nodes
    finally:
        heal_nodes(nodes)
        cluster.free(nodes)
