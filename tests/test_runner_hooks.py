"""The after-test hook list (ducktape/tests/runner/hooks.py), on a real TestRunner over a
LocalhostCluster: each hook point runs where and when the docs say, with what they say it gets,
and a broken hook costs neither a result nor a node."""
from __future__ import annotations

import logging
import os

import pytest

from ducktape.cluster import process_tag
from ducktape.cluster.localhost import LocalhostCluster
from ducktape.tests.loader import TestLoader
from ducktape.tests.runner import TestRunner
from ducktape.tests.runner.hooks import AfterTestHooks
from ducktape.tests.session import SessionContext
from tests.support.suites import write_suite

SUITE = {"hooked/test_hooked.py": """
    import os
    from ducktape.mark.resource import cluster
    from ducktape.tests.test import Test

    class HookedTest(Test):
        @cluster(num_nodes=1)
        def test_passes(self):
            pass

        @cluster(num_nodes=1)
        def test_dies(self):
            os._exit(3)  # no result, no teardown: the driver's after_lost hooks run
    """}


@pytest.fixture
def run_with(tmp_path, monkeypatch):
    def run(hooks: AfterTestHooks | None) -> tuple[TestRunner, dict]:
        write_suite(tmp_path / "suite", SUITE)
        monkeypatch.chdir(tmp_path / "suite")
        session = SessionContext(session_id="s1", results_dir=str(tmp_path / "results" / "s1"))
        logger = logging.getLogger(f"hooks-test-{tmp_path.name}")
        tests = TestLoader(session, logger).load(["hooked"])
        cluster = LocalhostCluster(num_nodes=1)
        for ctx in tests:
            ctx.cluster = cluster
        runner = TestRunner(cluster, session, logger, tests, after_test=hooks)
        return runner, {r.function_name: r for r in runner.run_all_tests()}
    return run


def test_each_hook_point_runs_where_the_docs_say(run_with, tmp_path):
    marker = tmp_path / "teardown-pids"
    seen_lost, seen_exit = [], []

    def before_teardown() -> None:  # in the test process
        with open(marker, "a") as out:
            out.write(f"{os.getpid()}\n")

    def decorate(result) -> None:  # in the test process, before the result is written and sent
        result.faults = [{"task_id": "hooked", "kind": "demo", "nodes": [], "start": None, "end": None,
                          "detail": {"pid": os.getpid()}}]

    def after_lost(ended) -> list[dict]:  # in the driver
        seen_lost.append(ended)
        return [{"task_id": "left", "kind": "demo", "nodes": [], "start": None, "end": None, "detail": {}}]

    def after_exit(ended) -> tuple[list[str], list[str]]:  # in the driver
        seen_exit.append((ended, os.getpid()))
        return [], []

    hooks = AfterTestHooks(before_teardown=[("mark", before_teardown)], decorate_result=[decorate],
                           after_lost=[after_lost], after_exit=[after_exit])
    runner, results = run_with(hooks)

    passed, died = results["test_passes"], results["test_dies"]
    assert passed.test_status == "PASS" and died.test_status == "FAIL"
    teardown_pids = marker.read_text().split()
    assert len(teardown_pids) == 1 and int(teardown_pids[0]) != os.getpid()  # the passing test's own process
    assert [f["task_id"] for f in passed.faults] == ["hooked"]
    assert passed.faults[0]["detail"]["pid"] == int(teardown_pids[0])
    assert [f["task_id"] for f in died.faults] == ["left"]  # after_lost's records go into the FAIL
    assert [e.test_id for e in seen_lost] == [died.test_id]
    assert sorted(e.test_id for e, _ in seen_exit) == sorted([passed.test_id, died.test_id])
    assert all(pid == os.getpid() for _, pid in seen_exit)
    for ended, _ in seen_exit:
        assert ended.tag == process_tag.tag_for(runner.process_tag, ended.index)
        assert [n.account.hostname for n in ended.reachable] == [n.account.hostname for n in ended.nodes]
        assert ended.search  # no --no-teardown
    dead = next(e for e, _ in seen_exit if e.test_id == died.test_id)
    assert dead.dirty  # a process that died may have left anything behind


def test_a_broken_hook_costs_neither_result_nor_node(run_with):
    def broken(_ended):
        raise RuntimeError("hook bug")

    runner, results = run_with(AfterTestHooks(after_lost=[broken], after_exit=[broken]))
    assert results["test_passes"].test_status == "PASS"
    assert results["test_dies"].summary.startswith("Test process exited with status 3 before it reported a result")
    assert runner.cluster.num_available_nodes() == 1


def test_a_bare_runner_runs_tests_and_nothing_else(run_with):
    runner, results = run_with(None)
    assert results["test_passes"].test_status == "PASS" and results["test_passes"].faults == []
    assert results["test_dies"].faults == []
    assert runner.cluster.num_available_nodes() == 1
