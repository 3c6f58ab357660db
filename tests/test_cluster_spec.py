"""ClusterSpec/NodeSpec text (byte for byte as upstream 0.17.0), node containers and subclusters."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench._upstream import UPSTREAM_VENV
from ducktape.cluster.cluster_node import ClusterNode
from ducktape.cluster.cluster_spec import LINUX, ClusterSpec, NodeSpec
from ducktape.cluster.consts import SUPPORTED_OS_TYPES, WINDOWS
from ducktape.cluster.finite_subcluster import FiniteSubcluster
from ducktape.cluster.node_container import (
    InsufficientHealthyNodesError,
    InsufficientResourcesError,
    NodeContainer,
    NodeNotPresentError,
)

UPSTREAM_PYTHON = str(UPSTREAM_VENV / "bin" / "python")
SPEC_SCRIPT = """
import json
from ducktape.cluster.cluster_spec import ClusterSpec, NodeSpec
specs = [
    ClusterSpec.empty(),
    ClusterSpec.simple_linux(3),
    ClusterSpec.simple_linux(2, "large").add(ClusterSpec.simple_linux(1)),
    ClusterSpec([NodeSpec("windows"), NodeSpec("linux", "b"), NodeSpec("linux", "a"), NodeSpec("windows", "z")]),
    ClusterSpec.simple_linux(2, "x").without_node_types(),
]
print(json.dumps([str(s) for s in specs] + [str(NodeSpec()), str(NodeSpec("windows", "t"))]))
"""


def _upstream_strings() -> list[str]:
    out = subprocess.run([UPSTREAM_PYTHON, "-c", SPEC_SCRIPT], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_spec_strings_match_upstream_byte_for_byte():
    ours = subprocess.run([sys.executable, "-c", SPEC_SCRIPT], capture_output=True, text=True, check=True)
    assert json.loads(ours.stdout) == _upstream_strings()  # same script, each interpreter its own package


def test_node_spec_rules():
    assert SUPPORTED_OS_TYPES == [LINUX, WINDOWS]
    with pytest.raises(RuntimeError):
        NodeSpec("plan9")
    assert NodeSpec(LINUX).matches(NodeSpec(LINUX, "large"))
    assert NodeSpec(LINUX, "large").matches(NodeSpec(LINUX, "large"))
    assert not NodeSpec(LINUX, "large").matches(NodeSpec(LINUX, "small"))
    assert not NodeSpec(WINDOWS).matches(NodeSpec(LINUX))
    assert len({NodeSpec(LINUX, "a"), NodeSpec(LINUX, "a"), NodeSpec(LINUX)}) == 2


def test_cluster_spec_arithmetic():
    spec = ClusterSpec.simple_linux(2, "large")
    clone = spec.clone().add(ClusterSpec.simple_linux(1))
    assert (len(spec), spec.size(), len(clone)) == (2, 2, 3)
    assert sorted(str(s) for s in clone) == sorted(['{"node_type": "large", "os": "linux"}'] * 2 + ['{"os": "linux"}'])
    assert str(clone.without_node_types()) == '[{"num_nodes": 3, "os": "linux"}]'


class FakeAccount:
    def __init__(self, name, node_type=None, healthy=True, os=LINUX):
        self.hostname, self.node_type, self.operating_system, self.healthy = name, node_type, os, healthy

    def available(self):
        return self.healthy


def test_typed_requests_are_served_first_and_shortages_explained():
    nodes = [FakeAccount("a", "large"), FakeAccount("b"), FakeAccount("c", "large")]
    container = NodeContainer(nodes)
    request = ClusterSpec.simple_linux(1).add(ClusterSpec.simple_linux(2, "large"))
    assert container.can_remove_spec(request)
    good, bad = container.remove_spec(request)
    assert {n.hostname for n in good} == {"a", "b", "c"} and bad == []
    assert container.size() == 0
    assert container.attempt_remove_spec(None) == "Invalid or missing cluster spec"
    assert container.attempt_remove_spec(ClusterSpec.empty()) == ""
    container.add_nodes(nodes)
    assert container.attempt_remove_spec(ClusterSpec.simple_linux(4)) == (
        "linux nodes requested: 4. linux nodes available: 3. ")
    assert container.attempt_remove_spec(ClusterSpec.simple_linux(3, "large")) == (
        "linux/large nodes requested: 3. linux/large nodes available: 2. ")
    mixed = ClusterSpec.simple_linux(2, "large").add(ClusterSpec.simple_linux(2))
    assert container.attempt_remove_spec(mixed) == (
        "linux nodes requested: 4. linux nodes available: 3. ")
    with pytest.raises(InsufficientResourcesError):
        container.remove_spec(ClusterSpec([NodeSpec(WINDOWS)]))
    with pytest.raises(NodeNotPresentError):
        container.remove_node(FakeAccount("zzz"))


def test_unhealthy_nodes_are_reported_and_healthy_ones_returned():
    container = NodeContainer([FakeAccount("sick", healthy=False), FakeAccount("ok")])
    with pytest.raises(InsufficientHealthyNodesError) as info:
        container.remove_spec(ClusterSpec.simple_linux(2))
    assert [n.hostname for n in info.value.bad_nodes] == ["sick"]
    assert str(info.value) == "linux nodes requested: 2. Healthy nodes available: 1. "
    assert [n.hostname for n in container] == ["ok"]


def test_cluster_node_keeps_node_type_and_subcluster_serves_typed_requests():
    nodes = [ClusterNode(FakeAccount(n, "large"), slot_id=i) for i, n in enumerate("ab")]
    nodes.append(ClusterNode(FakeAccount("c")))
    assert (nodes[0].name, nodes[0].node_type, nodes[0].slot_id, nodes[0].operating_system) == ("a", "large", 0, LINUX)
    sub = FiniteSubcluster(nodes)
    assert len(sub) == 3
    got = sub.alloc(ClusterSpec.simple_linux(1, "large"))  # upstream 0.17.0 rejects this (weak spot)
    assert got[0].node_type == "large"
    assert str(sub.used()) == '[{"node_type": "large", "num_nodes": 1, "os": "linux"}]'
    assert str(sub.all()) == '[{"node_type": "large", "num_nodes": 2, "os": "linux"}, {"num_nodes": 1, "os": "linux"}]'
    rest = sub.alloc(ClusterSpec.simple_linux(2))
    assert sub.max_used() == 3 and sub.num_available_nodes() == 0
    with pytest.raises(InsufficientResourcesError):
        sub.alloc(ClusterSpec.simple_linux(1))
    sub.free(got)
    sub.free(rest[0])
    assert sub.num_available_nodes() == 2 and sub.max_used_nodes == 3
