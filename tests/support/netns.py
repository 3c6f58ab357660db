"""pytest fixtures for a real multi-node cluster of Linux namespaces (needs root).

``netns_cluster`` (session scope): 3 nodes, each with its own IP, hostname, PID
namespace, private /mnt, /tmp, /var/log and sshd (root login with the cluster key).
One cluster per pytest process, named ``pytest-<pid>``; removed at session end, also
when tests fail. Clusters left by pytest processes that died are removed first.

    def test_x(netns_cluster):
        JsonCluster(cluster_file=str(netns_cluster.cluster_file))   # the contract's JSON file
        node = netns_cluster.nodes[0]                                # .name/.hostname, .ip, .user, .port, .identityfile
        assert netns_cluster.ssh(node, "hostname").stdout.strip() == node.hostname

``netns_cluster_factory`` (function scope): ``make(nodes=2)`` brings up an extra
cluster for one test (side-by-side, crash tests) and removes it after the test.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ducktape.cluster.local_cluster import lifecycle
from ducktape.cluster.local_cluster.preflight import check_platform
from ducktape.cluster.local_cluster.state import ClusterState, cluster_names_on_disk

SESSION_NODES = 3
PYTEST_NAME = re.compile(r"^pytest-(\d+)(?:-\d+)?$")


@dataclass(frozen=True)
class NetnsNode:
    """One node as a test sees it; ``node["ip"]`` works as well as ``node.ip``."""

    name: str
    ip: str
    user: str
    port: int
    identityfile: str

    @property
    def hostname(self) -> str:
        return self.name

    @property
    def ssh_config(self) -> dict:
        """The node's ``ssh_config`` entry, as in the cluster file."""
        return {"host": self.name, "hostname": self.ip, "user": self.user, "port": self.port,
                "identityfile": self.identityfile}

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


@dataclass
class NetnsCluster:
    """A running namespace cluster: its name, cluster file, nodes and state."""

    name: str
    cluster_file: Path
    nodes: list[NetnsNode]
    state: ClusterState
    host_ip: str = field(default="")

    def ssh(self, node: NetnsNode, command: str, timeout: float = 30, check: bool = False) -> subprocess.CompletedProcess:
        """Run *command* on *node* with the OpenSSH client; returns text stdout/stderr."""
        return subprocess.run(ssh_argv(node, command), capture_output=True, text=True, timeout=timeout, check=check)

    def down(self) -> None:
        lifecycle.down(self.name)


def ssh_argv(node: NetnsNode, command: str) -> list[str]:
    """An `ssh` command line that runs *command* on *node* without prompts or known_hosts."""
    return ["ssh", "-i", node.identityfile, "-p", str(node.port), "-o", "IdentitiesOnly=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
            "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", f"{node.user}@{node.ip}", command]


def bring_up(name: str, node_count: int, directory: Path) -> NetnsCluster:
    """Start cluster *name* and describe it for tests."""
    check_platform(["pytest"])  # not root, no sshd...: say so plainly instead of failing half-way
    cluster_file = directory / "cluster.json"
    state = lifecycle.up(name, node_count, cluster_file, shares=driver_dirs())
    nodes = [NetnsNode(n.hostname, n.ip, "root", 22, state.identity_file) for n in state.nodes]
    return NetnsCluster(name, cluster_file, nodes, state, state.host_ip)


def driver_dirs() -> list[str]:
    """The checkout and the driver's virtualenv: nodes must see them even when they live
    under a path the nodes keep private (a CI clone in /tmp)."""
    repo = str(Path(__file__).resolve().parents[2])
    return sorted({repo, os.path.realpath(sys.prefix)})


def remove_abandoned_clusters() -> None:
    """Take down pytest clusters whose pytest process no longer exists."""
    for name in cluster_names_on_disk():
        match = PYTEST_NAME.match(name)
        if match and not Path(f"/proc/{match.group(1)}").exists():
            lifecycle.down(name)


@pytest.fixture(scope="session")
def netns_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetnsCluster]:
    """A 3-node namespace cluster shared by the whole session."""
    remove_abandoned_clusters()
    cluster = bring_up(f"pytest-{os.getpid()}", SESSION_NODES, tmp_path_factory.mktemp("netns_cluster"))
    try:
        yield cluster
    finally:
        cluster.down()


@pytest.fixture
def netns_cluster_factory(tmp_path: Path) -> Iterator[Callable[..., NetnsCluster]]:
    """``make(nodes=2)`` → an extra cluster for this test only, removed afterwards."""
    made: list[str] = []

    def make(nodes: int = 2) -> NetnsCluster:
        name = f"pytest-{os.getpid()}-{len(made) + 1}"
        made.append(name)
        directory = tmp_path / name
        directory.mkdir()
        return bring_up(name, nodes, directory)

    try:
        yield make
    finally:
        for name in made:
            lifecycle.down(name)
