"""Fault context managers take cluster nodes; anything else (an account, a hostname, a lone
node where a list goes) is a TypeError naming the argument and what to pass, raised before
any node is touched."""
from __future__ import annotations

import pytest

from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.cluster.localhost import LocalhostCluster
from ducktape.trogdor.faults.context import (
    disk_fill,
    network_degrade,
    network_partition,
    process_kill,
    process_stop,
)


@pytest.fixture
def nodes():
    cluster = LocalhostCluster(num_nodes=3)
    allocated = cluster.alloc(ClusterSpec.simple_linux(3))
    yield allocated
    cluster.free(allocated)


def test_an_account_where_nodes_go_names_what_was_expected(nodes):
    with pytest.raises(TypeError) as err, network_partition(nodes[0].account, nodes[1:]):
        pass
    message = str(err.value)
    assert message.startswith("network_partition: group 1 must be a list of cluster nodes, got LocalAccount")
    assert "not their accounts" in message


@pytest.mark.parametrize("call, where", [
    (lambda n: network_partition([n[0].account], [n[1]]), "network_partition: group 1 must hold cluster nodes"),
    (lambda n: network_partition([n[0]], n[1]), "network_partition: group 2 must be a list of cluster nodes"),
    (lambda n: network_partition(["worker1"], [n[1]]), "network_partition: group 1 must hold cluster nodes"),
    (lambda n: network_degrade(n[0], delay_ms=10), "network_degrade: nodes must be a list of cluster nodes"),
    (lambda n: network_degrade(n, peers=[n[0].account], delay_ms=10), "network_degrade: peers must hold"),
    (lambda n: process_stop(n[0].account, "java"), "process_stop: nodes must be a list of cluster nodes"),
    (lambda n: process_kill("worker1", "java"), "process_kill: nodes must be a list of cluster nodes, got str"),
    (lambda n: disk_fill([n[0].account], "/tmp", 0), "disk_fill: nodes must hold cluster nodes"),
])
def test_every_fault_checks_its_nodes(nodes, call, where):
    with pytest.raises(TypeError) as err, call(nodes):
        pass
    assert str(err.value).startswith(where), str(err.value)
