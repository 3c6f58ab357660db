"""A TestContext on real nodes for the service tests (area: services + results).

Each test runs twice: on LocalhostCluster nodes (commands are local subprocesses)
and on aliases of the shared loopback sshd (the same host, reached over real SSH).
"""
from __future__ import annotations

import logging

import pytest

from ducktape.cluster.cluster_node import ClusterNode
from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.cluster.finite_subcluster import FiniteSubcluster
from ducktape.cluster.linux_remoteaccount import LinuxRemoteAccount
from ducktape.cluster.localhost import LocalhostCluster
from ducktape.cluster.ssh_config import RemoteAccountSSHConfig
from ducktape.tests.session import SessionContext
from ducktape.tests.test_context import TestContext


class ListHandler(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


class SleeperTest:
    def test_sleep(self):
        pass


def _nodes(kind: str, request) -> list:
    """Three nodes: from a LocalhostCluster (subprocesses), or aliases on the loopback sshd."""
    if kind == "localhost":
        cluster = LocalhostCluster(num_nodes=3)
        return cluster.alloc(ClusterSpec.simple_linux(3))
    sshd = request.getfixturevalue("loopback_sshd")
    return [ClusterNode(LinuxRemoteAccount(RemoteAccountSSHConfig(**sshd.ssh_config(f"node{i}"))))
            for i in range(3)]


@pytest.fixture(params=["localhost", "sshd"])
def ctx(request, tmp_path):
    """A TestContext whose cluster is three real nodes, held the way the runner hands them to a
    test: a FiniteSubcluster of nodes allocated from the session's cluster."""
    session = SessionContext(session_id="2026-11-21--001", results_dir=str(tmp_path / "results"))
    nodes = _nodes(request.param, request)
    context = TestContext(session_context=session, module=__name__, file=__file__, cls=SleeperTest,
                          function=SleeperTest.test_sleep, cluster=FiniteSubcluster(nodes))
    context.log_lines = ListHandler()
    context.logger.addHandler(context.log_lines)
    yield context
    for node in nodes:
        node.account.close()
    context.close()
