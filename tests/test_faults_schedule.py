"""Seeded schedules: the same seed plans, and applies, the same faults at the same offsets."""
from __future__ import annotations

import itertools

import pytest

from ducktape.trogdor.faults import FaultError, fault_schedule, journal
from ducktape.trogdor.faults.schedule import plan_schedule
from tests.support.fault_nodes import allocated

NODES = ["n1", "n2", "n3", "n4", "n5"]
KINDS = ("partition", "degrade", "process_stop", "process_kill")


def test_same_seed_same_plan_and_it_ends_in_time():
    first = plan_schedule(1234, NODES, KINDS, duration_s=600)
    assert first == plan_schedule(1234, list(reversed(NODES)), KINDS, duration_s=600)
    assert first != plan_schedule(1235, NODES, KINDS, duration_s=600)
    assert {s.kind for s in first} == set(KINDS)
    assert all(s.offset_s + s.length_s <= 600 for s in first)
    assert all(a.offset_s + a.length_s < b.offset_s for a, b in itertools.pairwise(first))  # one at a time


def test_bad_kinds_are_named():
    with pytest.raises(FaultError, match="bogus"):
        plan_schedule(1, NODES, ["bogus"])


def test_replayed_schedule_applies_the_same_faults_at_the_same_offsets(netns_cluster, capfd):
    runs = []
    with allocated(netns_cluster, 3) as nodes:
        for _ in range(2):
            with fault_schedule(nodes, seed=42, kinds=("partition", "degrade"), duration_s=3.0,
                                gap_s=(0.1, 0.3), length_s=(0.2, 0.5), delay_ms=20) as nemesis:
                assert nemesis.wait(30)
            runs.append(nemesis)
        rules = [n.account.ssh_output("iptables -w -S INPUT; tc qdisc show").decode() for n in nodes]
    assert "fault schedule seed=42" in capfd.readouterr().err
    planned = [s.to_json() for s in runs[0].steps]
    assert planned and runs[0].errors == [] and runs[1].errors == []
    for run in runs:
        applied = [{k: v for k, v in r.items() if not k.endswith("_at_s")} for r in run.applied]
        assert applied == planned
        assert all(r["applied_at_s"] >= r["offset_s"] for r in run.applied)
    assert all("dt-fault:" not in r and "htb" not in r for r in rules)
    notes = [r for r in journal.records() if r["kind"] == "schedule"]
    assert [n["detail"]["seed"] for n in notes[-2:]] == [42, 42]
