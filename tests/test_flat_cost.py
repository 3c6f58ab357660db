"""The driver's work per test does not grow with the cluster or with the results (issue 20).

Work is counted, never timed: every read of a node's ``operating_system`` (how a cluster
files a node by OS and type) is one visit of that node, every ``available()`` call one
health check, every attribute read of a result one look at it. The real driver
(TestRunner, in this process, forking real test processes) runs the same tests on an 8-node
and on a 64-node cluster, with few tests and with more: the work per extra test is the same
on both clusters. A fixed cost per session (one look at the whole cluster at its start) is
allowed; a cost per test that grows with the cluster is not.
"""
from __future__ import annotations

import io
import logging
from collections import Counter

from ducktape.cluster.json import JsonCluster
from ducktape.cluster.local_account import LocalAccount
from ducktape.tests.loader import TestLoader
from ducktape.tests.reporters.progress import ProgressReporter
from ducktape.tests.reporters.session import make_reporters
from ducktape.tests.result import TestResult, TestResults
from ducktape.tests.runner import TestRunner
from ducktape.tests.session import SessionContext
from tests.support.suites import write_suite

WORK: Counter = Counter()  # the driver's own: forked test processes count in their own copy


class CountingAccount(LocalAccount):
    """A local node whose visits and health checks by the driver are counted."""

    @property
    def operating_system(self) -> str:
        WORK["visits"] += 1
        return super().operating_system

    def available(self) -> bool:
        WORK["health"] += 1
        return True


def counting_cluster(num_nodes: int) -> JsonCluster:
    nodes = [{"externally_routable_ip": "127.0.0.1",
              "ssh_config": {"host": f"node{i}", "hostname": "127.0.0.1", "port": 22, "user": "root"}}
             for i in range(num_nodes)]
    return JsonCluster({"nodes": nodes}, make_remote_account_func=CountingAccount)


SUITE = """
from ducktape.mark import matrix
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test


class Small(Test):
    @cluster(num_nodes=1)
    @matrix(run=list(range({count})))
    def test_one_node(self, run):
        pass

    @cluster(num_nodes=2)
    @matrix(run=list(range({count})))
    def test_two_nodes(self, run):
        pass
"""


def driver_work(tmp_path, monkeypatch, num_nodes: int, count: int) -> Counter:
    """What the driver did to run 2 * *count* tests on *num_nodes* nodes, four at a time."""
    where = tmp_path / f"n{num_nodes}-t{count}"
    package = f"flat_{num_nodes}_{count}"  # a module name of its own: the loader imports each once
    write_suite(where / "suite", {f"{package}/test_flat.py": SUITE.replace("{count}", str(count))})
    monkeypatch.chdir(where / "suite")
    session = SessionContext(session_id="s1", results_dir=str(where / "results" / "s1"), max_parallel=4)
    logger = logging.getLogger(f"flat-cost-{where.name}")
    tests = TestLoader(session, logger).load([package])
    cluster = counting_cluster(num_nodes)
    for ctx in tests:
        ctx.cluster = cluster
    runner = TestRunner(cluster, session, logger, tests)
    WORK.clear()
    results = runner.run_all_tests()
    work = Counter(WORK)
    assert len(results) == 2 * count and results.get_aggregate_success()
    assert cluster.num_available_nodes() == num_nodes
    return work


def test_driver_work_per_test_does_not_grow_with_the_cluster(tmp_path, monkeypatch):
    per_test = {}
    for num_nodes in (8, 64):
        few = driver_work(tmp_path, monkeypatch, num_nodes, 3)
        more = driver_work(tmp_path, monkeypatch, num_nodes, 9)
        per_test[num_nodes] = {kind: (more[kind] - few[kind]) / 12 for kind in ("visits", "health")}
    assert per_test[8] == per_test[64], per_test
    # a test of 1 or 2 nodes (1.5 on average): each node health-checked once when allocated,
    # and filed a few times (in use, then free again), not looked at with every other node
    assert per_test[8]["health"] == 1.5, per_test
    assert 0 < per_test[8]["visits"] <= 3 * 1.5, per_test


# ---- results: one more result costs the same after 10 or after 10,000 ----------------------------


class CountedResult(TestResult):
    """A result whose attribute reads are counted (every result of the session, old and new)."""

    def __getattribute__(self, name: str):
        WORK["result reads"] += 1
        return super().__getattribute__(name)


def _result(session: SessionContext, index: int) -> CountedResult:
    rel = f"Flat/test/{index}/"
    return CountedResult.from_json({
        "test_id": f"flat.Flat.test.run={index}", "module_name": "flat", "cls_name": "Flat", "function_name": "test",
        "description": "", "results_dir": f"{session.results_dir}/{rel}", "relative_results_dir": rel,
        "base_results_dir": f"{session.results_dir}/", "test_status": "pass", "summary": "", "start_time": 1.0,
        "stop_time": 2.0, "nodes_allocated": 1, "nodes_used": 1, "test_index": index}, session)


def reads_for_one_more_result(tmp_path, earlier: int) -> int:
    """Attribute reads of results while the session files its (*earlier* + 1)-th result and every
    reporter of a ``ducktape`` run hears of it, as the driver's ``_record`` does."""
    session = SessionContext(session_id=f"r{earlier}", results_dir=str(tmp_path / f"r{earlier}" / "s"))
    reporters = [ProgressReporter(session, stream=io.StringIO(), live=False), *make_reporters(session)]
    results = TestResults(session, None)
    for reporter in reporters:
        reporter.session_started(session, earlier + 1, cluster_size=8)
    for index in range(1, earlier + 1):
        result = _result(session, index)
        results.append(result)
        for reporter in reporters:
            reporter.test_finished(result)
    last = _result(session, earlier + 1)
    last.report()
    WORK.clear()
    results.append(last)
    for reporter in reporters:
        reporter.test_finished(last)
    return WORK["result reads"]


def test_one_more_result_costs_the_same_after_ten_or_ten_thousand(tmp_path):
    after_ten = reads_for_one_more_result(tmp_path, 10)
    assert after_ten > 0  # the reporters do read the new result
    assert reads_for_one_more_result(tmp_path, 10_000) == after_ten
