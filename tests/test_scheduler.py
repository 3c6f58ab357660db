"""TestScheduler on a real LocalhostCluster of four nodes and real TestContexts."""
from __future__ import annotations

import pytest

from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.cluster.localhost import LocalhostCluster
from ducktape.tests.scheduler import TestScheduler
from ducktape.tests.session import SessionContext
from ducktape.tests.test import Test
from ducktape.tests.test_context import TestContext


class SizedTest(Test):
    def test_a(self):
        pass

    def test_b(self):
        pass


@pytest.fixture
def cluster():
    return LocalhostCluster(num_nodes=4)


def make_context(cluster, num_nodes, name="test_a", greedy=False, **metadata):
    session = SessionContext(session_id="s", results_dir="/tmp/ducktape-scheduler-test", fail_greedy_tests=greedy)
    if num_nodes is not None:
        metadata["num_nodes"] = num_nodes
    return TestContext(session_context=session, cluster=cluster, module="m", cls=SizedTest,
                       function=getattr(SizedTest, name), injected_args={"n": num_nodes},
                       cluster_use_metadata=metadata)


def test_largest_first_and_ties_keep_their_order(cluster):
    tests = [make_context(cluster, n) for n in (1, 3, 2, 3, 1)]
    scheduler = TestScheduler(tests, cluster)
    assert [ctx.expected_num_nodes for ctx in scheduler] == [3, 3, 2, 1, 1]
    ordered = list(scheduler)
    assert ordered[0] is tests[1] and ordered[1] is tests[3]


def test_peek_offers_the_first_test_that_fits_the_free_nodes(cluster):
    big, medium, small = (make_context(cluster, n) for n in (3, 2, 1))
    scheduler = TestScheduler([small, medium, big], cluster)
    assert scheduler.peek() is big
    held = cluster.alloc(ClusterSpec.simple_linux(2))  # two nodes left: big no longer fits
    assert scheduler.peek() is medium
    cluster.alloc(ClusterSpec.simple_linux(1))  # one left
    assert scheduler.peek() is small
    cluster.free(held)
    assert scheduler.peek() is big


def test_peek_is_none_when_nothing_fits_or_nothing_is_left(cluster):
    test = make_context(cluster, 2)
    scheduler = TestScheduler([test], cluster)
    cluster.alloc(ClusterSpec.simple_linux(3))
    assert scheduler.peek() is None
    scheduler.remove(test)
    assert len(scheduler) == 0 and scheduler.peek() is None


def test_remove_takes_out_only_that_object(cluster):
    first, copy = make_context(cluster, 1), make_context(cluster, 1)  # --repeat makes equal copies
    scheduler = TestScheduler([first, copy], cluster)
    scheduler.remove(copy)
    remaining = list(scheduler)
    assert len(remaining) == 1 and remaining[0] is first


def test_remove_takes_out_one_entry_of_a_repeated_context(cluster):
    repeated = make_context(cluster, 1)
    scheduler = TestScheduler([repeated, repeated], cluster)  # --repeat 2
    scheduler.remove(repeated)
    assert len(scheduler) == 1 and scheduler.peek() is repeated


def test_too_big_tests_are_filtered_out_with_a_reason(cluster):
    fits, too_big = make_context(cluster, 4), make_context(cluster, 5, name="test_b")
    scheduler = TestScheduler([fits, too_big], cluster)
    assert scheduler.shortage(too_big)
    assert "5" in scheduler.shortage(too_big)
    assert scheduler.filter_unschedulable_tests() == [too_big]
    assert list(scheduler) == [fits]


def test_missing_spec_under_fail_greedy_tests_is_unschedulable(cluster):
    greedy = make_context(cluster, None, greedy=True)
    scheduler = TestScheduler([greedy], cluster)
    assert scheduler.shortage(greedy) == "Invalid or missing cluster spec"
    assert scheduler.filter_unschedulable_tests() == [greedy]


def test_typed_request_fits_only_typed_nodes(cluster):
    typed = make_context(cluster, 1, node_type="large")
    scheduler = TestScheduler([typed], cluster)
    assert scheduler.filter_unschedulable_tests() == [typed]


def test_drain_returns_everything_pending(cluster):
    tests = [make_context(cluster, n) for n in (1, 2)]
    scheduler = TestScheduler(tests, cluster)
    assert scheduler.drain_remaining_tests() == [tests[1], tests[0]]
    assert len(scheduler) == 0


class CountedContext(TestContext):
    """A TestContext whose reads of its node request are counted."""

    reads = 0

    @property
    def expected_cluster_spec(self):
        CountedContext.reads += 1
        return super().expected_cluster_spec

    @property
    def expected_num_nodes(self):
        CountedContext.reads += 1
        return super().expected_num_nodes


def _reads_per_decision(cluster, pending: int) -> int:
    session = SessionContext(session_id="s", results_dir="/tmp/ducktape-scheduler-test")
    tests = [CountedContext(session_context=session, cluster=cluster, module="m", cls=SizedTest,
                            function=SizedTest.test_a, injected_args={"i": i},
                            cluster_use_metadata={"num_nodes": 1 + i % 3}) for i in range(pending)]
    scheduler = TestScheduler(tests, cluster)
    held = cluster.alloc(ClusterSpec.simple_linux(4))
    CountedContext.reads = 0
    for _ in range(5):
        assert scheduler.peek() is None  # no node free: every pending test is looked at, or none
    cluster.free(held[:2])
    first = scheduler.peek()
    scheduler.remove(first)
    cluster.free(held[2:])
    return CountedContext.reads


def test_a_decision_looks_at_each_distinct_request_not_every_pending_test(cluster):
    assert _reads_per_decision(cluster, 12) == _reads_per_decision(cluster, 1200)
