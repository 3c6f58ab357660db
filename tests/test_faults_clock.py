"""Clock faults: processes started under libfaketime on namespace nodes see skews, jumps and
strobing while a fault lasts and the real time after it heals; nothing else on the node does.
Plus the pure parts: schedules that draw clock faults, and the clock fault specs."""
from __future__ import annotations

import json
import time

import pytest

from ducktape.trogdor.faults import (
    FaultError,
    clock_jump,
    clock_skew,
    clock_strobe,
    faketime_command,
    fault_schedule,
    heal_nodes,
)
from ducktape.trogdor.faults.clock import offset_text
from ducktape.trogdor.faults.context import clock_fault
from ducktape.trogdor.faults.ledger import tasks_on_node
from ducktape.trogdor.faults.schedule import plan_schedule
from ducktape.trogdor.faults.shell import account_run
from ducktape.trogdor.spec import SpecError, TaskSpec
from ducktape.utils.util import wait_until
from tests.support.fault_nodes import allocated
from tests.support.suites import run_ducktape, write_suite
from tests.test_faults_agent_netns import NodeAgent

PROBE = "/tmp/clock-probe"
HOUR = 3600


@pytest.fixture
def nodes(netns_cluster):
    """Two nodes, each running a probe under libfaketime: a shell loop that writes its own
    ``date +%s`` to PROBE ten times a second."""
    with allocated(netns_cluster, 2) as nodes:
        loop = f"while :; do date +%s > {PROBE}.new && mv -f {PROBE}.new {PROBE}; sleep 0.1; done"
        pids = [int(n.account.ssh_output(f"nohup {faketime_command(loop)} >/dev/null 2>&1 </dev/null & echo $!")
                    .decode().strip()) for n in nodes]
        try:
            wait_until(lambda: all(_probe(n) is not None for n in nodes), timeout_sec=10,
                       err_msg="the probe under libfaketime never wrote the time")
            yield nodes
        finally:
            for node, pid in zip(nodes, pids):
                node.account.ssh(f"kill {pid}; rm -f {PROBE} {PROBE}.new", allow_fail=True)


def _probe(node) -> int | None:
    out = node.account.ssh_output(f"cat {PROBE} 2>/dev/null", allow_fail=True).decode().strip()
    return int(out) if out else None


def _offset(node) -> float:
    """How far the probe's clock is from the real one, in seconds (a second's rounding aside)."""
    return _probe(node) - time.time()


def _shows(node, offset: float) -> bool:
    return abs(_offset(node) - offset) < 30


def _clean(node) -> bool:
    """No ledger, no clock file, no clock changer left on *node*."""
    leftovers = node.account.ssh_output('ls /var/lib/ducktape-trogdor/clock/"$(hostname)" 2>/dev/null; '
                                        "pgrep -f dt-clock- || true", allow_fail=True).decode().split()
    return not leftovers and not tasks_on_node(account_run(node.account))


def test_skew_is_seen_by_processes_under_faketime_during_the_fault_and_not_after(nodes):
    n1, n2 = nodes
    with clock_skew([n1], HOUR) as fault:
        wait_until(lambda: _shows(n1, HOUR), timeout_sec=10, err_msg=lambda: f"n1 is off by {_offset(n1)} s")
        assert _shows(n2, 0), "a node outside the fault keeps its clock"
        real = int(n1.account.ssh_output("date +%s").decode())  # not started under libfaketime
        assert abs(real - time.time()) < 30
        assert fault.results[n1.account.hostname] == {"offset_s": HOUR}
    wait_until(lambda: _shows(n1, 0), timeout_sec=10, err_msg=lambda: f"after the heal n1 is off by {_offset(n1)} s")
    assert _clean(n1)


def test_skew_takes_one_offset_per_node(nodes):
    n1, n2 = nodes
    offsets = {n1.account.hostname: -HOUR, n2.account.hostname: 2 * HOUR}
    with clock_skew(nodes, offsets):
        wait_until(lambda: _shows(n1, -HOUR) and _shows(n2, 2 * HOUR), timeout_sec=10,
                   err_msg=lambda: f"offsets {_offset(n1)}, {_offset(n2)}")
    wait_until(lambda: _shows(n1, 0) and _shows(n2, 0), timeout_sec=10, err_msg="the clocks did not come back")
    with pytest.raises(FaultError, match="no offset for node"):
        clock_fault("clock_skew", nodes, offset_s={n1.account.hostname: 5})


def test_jumps_add_up_and_are_undone(nodes):
    n1, _ = nodes
    with clock_jump([n1], -HOUR, times=3, every_s=0.3):
        wait_until(lambda: _shows(n1, -3 * HOUR), timeout_sec=10, err_msg=lambda: f"n1 is off by {_offset(n1)} s")
    wait_until(lambda: _shows(n1, 0), timeout_sec=10, err_msg=lambda: f"after the heal n1 is off by {_offset(n1)} s")
    assert _clean(n1)


def test_strobe_flips_the_clock_and_stops_on_heal(nodes):
    n1, _ = nodes
    seen = set()
    with clock_strobe([n1], 2 * HOUR, period_s=0.3):
        def both_seen() -> bool:
            seen.add(round(_offset(n1) / HOUR))
            return {0, 2} <= seen
        wait_until(both_seen, timeout_sec=15, backoff_sec=0.05, err_msg=lambda: f"offsets seen (hours): {seen}")
    assert _clean(n1), "the clock changer is stopped and the clock file removed"
    time.sleep(1)  # a changer left running would flip the clock again within its period
    assert _shows(n1, 0)


def test_a_second_clock_fault_on_a_node_is_refused_and_the_first_kept(nodes):
    n1, _ = nodes
    with clock_skew([n1], HOUR):
        with pytest.raises(FaultError, match="another clock fault holds this node"), clock_jump([n1], HOUR):
            pass
        wait_until(lambda: _shows(n1, HOUR), timeout_sec=10, err_msg="the first fault was undone")
    assert _clean(n1)


def test_a_clock_fault_left_behind_is_healed_from_the_ledger(nodes):
    """What the runner does for a test process that died, and an agent after a restart."""
    n1, _ = nodes
    clock_fault("clock_strobe", [n1], delta_s=HOUR, period_s=0.2).apply()  # never healed by its owner
    wait_until(lambda: _shows(n1, HOUR), timeout_sec=10, err_msg="the strobe never started")
    problems = heal_nodes([n1])[n1.account.hostname]
    assert problems and not any(problems.values()), problems
    assert _clean(n1)
    wait_until(lambda: _shows(n1, 0), timeout_sec=10, err_msg="the clock did not come back")


def test_an_agent_heals_a_clock_fault_when_it_starts_again_after_sigkill(nodes):
    n1, _ = nodes
    agent = NodeAgent(n1, state_dir="/tmp/clock-agent-state").start()
    spec = {"class": "ducktape.trogdor.ClockStrobeFaultSpec", "startMs": int(time.time() * 1000), "durationMs": 600000,
            "nodeNames": [n1.account.hostname], "deltaMs": HOUR * 1000, "periodMs": 200}
    try:
        agent.client.post("/agent/worker/create", {"workerId": 1, "taskId": "strobe", "spec": spec})
        agent.wait_worker(1, lambda s: s.get("status", {}).get("state") == "applied", "applied")
        wait_until(lambda: _shows(n1, HOUR), timeout_sec=10, err_msg="the agent's strobe never moved the clock")
        agent.signal("KILL")
        assert not _clean(n1), "the fault outlives its agent..."
        agent.start()
        assert _clean(n1), "...until the agent is back"
        wait_until(lambda: _shows(n1, 0), timeout_sec=10, err_msg="the clock did not come back")
    finally:
        if agent.port:
            agent.signal("TERM")
        n1.account.ssh(f"rm -rf {agent.state_dir} /tmp/faults-agent*", allow_fail=True)


def test_a_schedule_applies_and_heals_clock_faults(nodes):
    kinds = ("clock_skew", "clock_jump", "clock_strobe")
    with fault_schedule(nodes, seed=5, kinds=kinds, duration_s=5, gap_s=(0.2, 0.4), length_s=(0.5, 1.0)) as nemesis:
        assert nemesis.wait(timeout=60)
    assert not nemesis.errors, nemesis.errors
    assert len(nemesis.applied) >= 3 and {step["kind"] for step in nemesis.applied} <= set(kinds)
    assert all(_clean(n) for n in nodes)
    wait_until(lambda: all(_shows(n, 0) for n in nodes), timeout_sec=10, err_msg="a clock did not come back")


def test_faketime_command_says_when_libfaketime_is_missing(nodes):
    n1, _ = nodes
    cmd = faketime_command("date +%s").replace("/usr/lib/*/faketime/", "/nonexistent/")
    result = n1.account.run(cmd, allow_fail=True)
    assert result.exit_status == 127 and b"apt-get install faketime" in result.stderr


# -- pure parts ---------------------------------------------------------------------------

def test_offsets_are_written_as_libfaketime_reads_them():
    assert [offset_text(x) for x in (5, -0.25, 0, 3600.5)] == ["+5", "-0.25", "+0", "+3600.5"]


def test_schedules_draw_clock_faults_from_the_seed():
    kinds = ("clock_skew", "clock_jump", "clock_strobe")
    steps = plan_schedule(11, ["a", "b", "c"], kinds, duration_s=60)
    assert steps == plan_schedule(11, ["a", "b", "c"], kinds, duration_s=60)
    assert {s.kind for s in steps} == set(kinds)
    for step in steps:
        assert len(step.nodes) == 1
        assert set(step.params) == {"clock_skew": {"offset_s"}, "clock_jump": {"delta_s"},
                                    "clock_strobe": {"delta_s", "period_s"}}[step.kind]


@pytest.mark.parametrize(("spec", "field"), [
    ({"class": "ducktape.trogdor.ClockSkewFaultSpec", "nodeNames": "a"}, "nodeNames"),
    ({"class": "ducktape.trogdor.ClockJumpFaultSpec", "nodeNames": ["a"], "times": 0}, "times"),
    ({"class": "ducktape.trogdor.ClockStrobeFaultSpec", "nodeNames": ["a"], "periodMs": 0}, "periodMs"),
])
def test_bad_clock_specs_name_the_field(spec, field):
    with pytest.raises(SpecError) as err:
        TaskSpec.from_json(spec)
    assert err.value.field == field


def test_clock_specs_round_trip_and_target_their_nodes():
    spec = TaskSpec.from_json({"class": "ducktape.trogdor.ClockJumpFaultSpec", "durationMs": 5000,
                               "nodeNames": ["b"], "deltaMs": -60000, "times": 2, "everyMs": 500})
    assert TaskSpec.from_json(spec.to_json()) == spec
    assert spec.target_nodes(["a", "b"]) == ["b"]



def test_a_clock_fault_is_in_the_results_and_drawn_in_the_report(suite_dir, netns_cluster, page):
    write_suite(suite_dir, {"clock/test_clock.py": '''
        from ducktape.mark.resource import cluster
        from ducktape.services.service import Service
        from ducktape.tests.test import Test
        from ducktape.trogdor.faults import clock_skew, faketime_command


        class Sleeper(Service):
            def start_node(self, node, **kwargs):
                pass

            def stop_node(self, node, **kwargs):
                pass

            def clean_node(self, node, **kwargs):
                pass


        class ClockTest(Test):
            @cluster(num_nodes=1)
            def test_skewed(self):
                service = Sleeper(self.test_context, num_nodes=1)
                service.start()
                node = service.nodes[0]
                with clock_skew([node], 7200):
                    seen = int(node.account.ssh_output(faketime_command("date +%s")).decode())
                real = int(node.account.ssh_output(faketime_command("date +%s")).decode())
                return {"skewed_by": seen - real}
    '''})
    done = run_ducktape(["clock", "--cluster-file", str(netns_cluster.cluster_file)], cwd=suite_dir, timeout=120)
    session = suite_dir / "results" / "latest"
    (result,) = json.loads((session / "report.json").read_text())["results"]
    assert result["test_status"] == "PASS", (result["summary"], done.stderr[-2000:])
    assert abs(result["data"]["skewed_by"] - 7200) < 30
    (fault,) = result["faults"]
    assert fault["kind"] == "clock_skew" and fault["end"] >= fault["start"]
    assert list(fault["detail"]["offset_s"].values()) == [7200.0]
    page.goto((session / "report.html").as_uri())
    bands = page.eval("Array.from(document.querySelectorAll('#timeline .tl-row[data-node] .fault-band'))"
                      ".map(b => [b.closest('.tl-row').dataset.node, b.dataset.kind])")
    assert bands == [[fault["nodes"][0], "clock_skew"]], bands
    assert page.console_errors() == []
