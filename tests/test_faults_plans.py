"""Partition plans are pure data: checked here without a cluster."""
from __future__ import annotations

import random

import pytest

from ducktape.trogdor.faults import FaultError, partition

NODES = ["n1", "n2", "n3", "n4", "n5"]


def can_talk(plan, a, b):
    return b not in plan.get(a, frozenset()) and a not in plan.get(b, frozenset())


def test_groups_cut_only_between_groups_and_leave_outsiders_alone():
    plan = partition.plan_from_groups([["n1"], ["n2", "n3"]])
    assert plan == {"n1": frozenset({"n2", "n3"}), "n2": frozenset({"n1"}), "n3": frozenset({"n1"})}
    assert "n4" not in plan and all("n4" not in lost for lost in plan.values())


def test_overlapping_groups_let_the_shared_node_talk_to_both():
    plan = partition.plan_from_groups([["n1", "n2", "n3"], ["n3", "n4", "n5"]])
    assert "n3" not in plan
    assert plan["n1"] == {"n4", "n5"} and plan["n5"] == {"n1", "n2"}


def test_isolate_and_majority_split():
    plan = partition.isolate(NODES, "n3")
    assert plan["n3"] == {"n1", "n2", "n4", "n5"} and plan["n1"] == {"n3"}
    split = partition.majority_split(NODES)
    assert split["n1"] == {"n3", "n4", "n5"} and split["n5"] == {"n1", "n2"}


def test_majorities_ring_every_node_sees_a_distinct_majority():
    for count in (5, 6, 7):
        nodes = NODES + ["n6", "n7"][: count - 5]
        plan = partition.majorities_ring(nodes)
        seen = [frozenset(nodes) - plan[n] for n in nodes]
        assert all(n in s for n, s in zip(nodes, seen))
        assert all(len(s) > count // 2 for s in seen)
        assert len(set(seen)) == count


def test_bridge_middle_node_talks_to_both_halves():
    plan = partition.bridge(NODES)
    assert "n3" not in plan
    assert not can_talk(plan, "n1", "n5") and can_talk(plan, "n1", "n3") and can_talk(plan, "n3", "n5")


def test_bad_plans_name_the_problem():
    with pytest.raises(FaultError, match="at least two groups"):
        partition.plan_from_groups([["n1", "n2"]])
    with pytest.raises(FaultError, match="not one of"):
        partition.isolate(NODES, "n9")
    with pytest.raises(FaultError, match="at least 5 nodes"):
        partition.majorities_ring(NODES[:4])


def test_random_plan_is_replayable():
    first = [partition.random_plan(NODES, random.Random(7)) for _ in range(3)]
    assert first == [partition.random_plan(NODES, random.Random(7)) for _ in range(3)]
