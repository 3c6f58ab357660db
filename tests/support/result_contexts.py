"""Real TestContexts and TestResults for the results/reporter tests (area: services + results).

Builds a SessionContext in a temp dir, TestContexts for small test classes, and
finished TestResults with chosen statuses, so reporters can be checked on disk.
"""
from __future__ import annotations

import logging
from pathlib import Path

from ducktape.cluster.cluster_node import ClusterNode
from ducktape.cluster.finite_subcluster import FiniteSubcluster
from ducktape.tests.session import SessionContext
from ducktape.tests.status import FAIL, FLAKY, IGNORE, PASS
from ducktape.tests.test_context import TestContext

THIS_FILE = str(Path(__file__).resolve())


class SampleTest:
    """Docstring of the sample test class."""

    def test_one(self):
        """Runs one thing."""

    def test_two(self):
        pass


class OtherTest:
    def test_other(self):
        pass


class HostAccount:
    """The part of an account that results and clusters read: its name and OS."""

    operating_system = "linux"
    node_type = None

    def __init__(self, hostname: str):
        self.hostname = hostname
        self._logger = None

    @property
    def logger(self):
        return self._logger or logging.getLogger("host-account")

    @logger.setter
    def logger(self, value):
        self._logger = value

    def __str__(self) -> str:
        return self.hostname


def session(tmp_path: Path, session_id: str = "2026-11-21--001", **kwargs) -> SessionContext:
    results_dir = Path(tmp_path) / "results" / session_id
    results_dir.mkdir(parents=True, exist_ok=True)
    return SessionContext(session_id=session_id, results_dir=str(results_dir), **kwargs)


def subcluster(*hostnames: str) -> FiniteSubcluster:
    return FiniteSubcluster([ClusterNode(HostAccount(h)) for h in hostnames])


def context(session_context, cls=SampleTest, method="test_one", args=None, hosts=("worker1",),
            cluster_use_metadata=None) -> TestContext:
    return TestContext(
        session_context=session_context, module="tests.support.result_contexts", file=THIS_FILE, cls=cls,
        function=getattr(cls, method), injected_args=args, cluster=subcluster(*hosts),
        cluster_use_metadata=cluster_use_metadata or {},
    )


def result(session_context, index: int, status=PASS, summary="", data=None, run_time=1.5, **ctx_kwargs):
    """A finished TestResult; the test's nodes are all allocated and counted as used."""
    from ducktape.tests.result import TestResult

    ctx = context(session_context, **ctx_kwargs)
    ctx.cluster.alloc(ctx.cluster.available())
    start = 1_763_700_000.0 + 10 * index
    res = TestResult(ctx, index, session_context, status, summary, data, start, start + run_time)
    res.nodes = [n.account.hostname for n in ctx.cluster.nodes]
    return res


def mixed_results(session_context) -> list:
    """PASS, FAIL (multi-line summary), IGNORE, FLAKY, PASS with data: one of each kind."""
    return [
        result(session_context, 1, PASS, "Test Passed", method="test_one"),
        result(session_context, 2, FAIL, "AssertionError('boom')\nTraceback line 1\nline 2",
               method="test_two", args={"x": 1, "y": "a b"}, hosts=("worker1", "worker2")),
        result(session_context, 3, IGNORE, "", run_time=0.0, cls=OtherTest, method="test_other"),
        result(session_context, 4, FLAKY, "run 1 summary:\n    AssertionError('flaky')", method="test_two",
               args={"x": 2}),
        result(session_context, 5, PASS, "Test Passed", data={"throughput": 12.5}, method="test_one",
               args={"x": 3}),
    ]


def finished_results(session_context, cluster_size: int = 4):
    """TestResults over mixed_results(), with a one-minute session."""
    from ducktape.tests.result import TestResults

    results = TestResults(session_context, subcluster(*[f"worker{i + 1}" for i in range(cluster_size)]),
                          {"TestKey(test_id='x', test_index=1)": {"status": "FINISHED"}})
    for res in mixed_results(session_context):
        results.append(res)
    results.start_time = 1_763_700_000.0
    results.stop_time = results.start_time + 62.345
    return results


