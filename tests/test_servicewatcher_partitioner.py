"""examples/servicewatcher without a cluster: the config rules, the pure partitioner and
its placement rules, and the supervisor unit backend on real processes."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from itertools import combinations
from pathlib import Path

import pytest

from examples.servicewatcher.watcher import config as config_mod
from examples.servicewatcher.watcher.partitioner import by_host, place, render
from examples.servicewatcher.watcher.rules import broken_rules
from examples.servicewatcher.watcher.units import ACTIVE, FAILED, INACTIVE, Supervisor

HOSTS = ["w1", "w2", "w3", "w4"]


def make(services: dict):
    return config_mod.parse({"zookeeper": "zk1:2181", "services": services})


ALL_KINDS = make({
    "agent": {"kind": "global"},
    "web": {"kind": "shared", "count": 3},
    "big": {"kind": "shared", "count": 9},
    "db": {"kind": "multi", "instances": {"a": 2, "b": 1, "c": 4}},
    "pin": {"kind": "shared", "count": 1, "force": "w3"},
    "job": {"kind": "multi", "instances": {"x": 1, "y": 1}, "force": {"x": "w2"}},
    "off": {"kind": "shared", "count": 2, "enabled": False},
})


def check_rules(placement, members, cfg, failed=()):
    assert broken_rules(placement, members, cfg, failed) == []


def test_the_rules_check_catches_broken_placements():
    good = place(HOSTS, ALL_KINDS)
    assert broken_rules({**good, "web": ("w1", "w1", "w2")}, HOSTS, ALL_KINDS)
    assert broken_rules({**good, "web": ("w1",)}, HOSTS, ALL_KINDS)
    assert broken_rules({**good, "pin": ("w1",)}, HOSTS, ALL_KINDS)
    assert broken_rules({**good, "off": ("w1",)}, HOSTS, ALL_KINDS)
    assert broken_rules({**good, "agent": ("w1",)}, HOSTS, ALL_KINDS)
    assert broken_rules(good, HOSTS, ALL_KINDS, {(good["web"][0], "web")})


@pytest.mark.parametrize("size", range(5))
def test_placement_rules_hold_for_every_set_of_members(size):
    for members in combinations(HOSTS, size):
        check_rules(place(members, ALL_KINDS), members, ALL_KINDS)
        for failed_host in members:
            failed = {(failed_host, "web"), (failed_host, "db@c"), (failed_host, "pin"), (failed_host, "agent")}
            check_rules(place(members, ALL_KINDS, failed), members, ALL_KINDS, failed)


def test_losing_a_member_moves_only_its_instances():
    before = place(HOSTS, ALL_KINDS)
    after = place(HOSTS[:-1], ALL_KINDS)
    for unit, hosts in before.items():
        kept = set(hosts) - {"w4"}
        assert kept <= set(after[unit]), f"{unit} moved off a node that stayed: {hosts} -> {after[unit]}"


def test_force_runs_only_on_its_host_and_only_while_it_is_up():
    assert place(HOSTS, ALL_KINDS)["pin"] == ("w3",)
    assert place(["w1", "w2", "w4"], ALL_KINDS)["pin"] == ()
    assert place(HOSTS, ALL_KINDS, {("w3", "pin")})["pin"] == ()
    assert place(HOSTS, ALL_KINDS)["job@x"] == ("w2",)


def test_a_failed_unit_moves_and_its_node_is_excluded_until_reset():
    before = place(HOSTS, ALL_KINDS)
    victim = before["web"][0]
    after = place(HOSTS, ALL_KINDS, {(victim, "web")})
    assert victim not in after["web"] and len(after["web"]) == 3
    assert after["db@a"] == before["db@a"], "only the failed service moves"
    assert place(HOSTS, ALL_KINDS) == before


def test_placement_does_not_depend_on_member_order():
    assert place(reversed(HOSTS), ALL_KINDS) == place(HOSTS, ALL_KINDS)


def test_prestart_sees_the_placement():
    placement = {"db@a": ("w1", "w3"), "web": ("w2",)}
    out = render("peers={instance:db@a} web={instance:web} none={instance:db@z} me={host}", placement, host="w9")
    assert out == "peers=w1,w3 web=w2 none= me=w9"
    assert by_host(placement, ["w1", "w2"]) == {"w1": {"db@a"}, "w2": {"web"}}


@pytest.mark.parametrize("services, message", [
    ({"x": {"kind": "replicated"}}, "kind 'replicated'"),
    ({"x": {"kind": "shared", "count": 2, "force": "w1"}}, "needs a count of 1"),
    ({"x": {"kind": "multi", "instances": {"a": 1}, "force": {"b": "w1"}}}, "not one of its instances"),
    ({"x": {"kind": "global", "force": "w1"}}, "shared and multi"),
    ({"x": {"kind": "multi"}}, "needs instances"),
    ({"x": {"kind": "shared", "count": -1}}, "whole number"),
])
def test_bad_configs_name_the_service_and_the_rule(services, message):
    with pytest.raises(config_mod.ConfigError, match=message):
        make(services)


def test_supervisor_units_start_stop_fail_and_reset(tmp_path):
    units = Supervisor(str(tmp_path))
    name = f"sw-test-{os.getpid()}"
    try:
        units.start("ok", f"exec -a {name}-ok sleep 60")
        assert units.state("ok") == ACTIVE
        units.stop("ok")
        assert units.state("ok") == INACTIVE
        units.start("dies", f"exec -a {name}-dies sleep 60")
        child = int((tmp_path / "dies" / "pid").read_text())
        grandchildren = [int(p) for p in os.listdir("/proc") if p.isdigit() and _ppid(int(p)) == child]
        assert grandchildren, "the unit's command runs under its supervisor"
        os.kill(grandchildren[0], signal.SIGKILL)
        deadline = time.time() + 10
        while units.state("dies") != FAILED and time.time() < deadline:
            time.sleep(0.05)
        assert units.state("dies") == FAILED
        assert (tmp_path / "dies" / "result").read_text().strip() == str(-signal.SIGKILL)
        units.reset_failed("dies")
        assert units.state("dies") == INACTIVE
        assert units.known() == ["dies", "ok"]
    finally:
        for unit in units.known():
            units.stop(unit)


def _ppid(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return -1


def test_a_bad_config_is_a_usage_error_with_a_hint(tmp_path):
    bad = tmp_path / "sw.yaml"
    bad.write_text("zookeeper: zk1:2181\nservices:\n  web: {kind: shared, count: 2, force: w1}\n")
    done = subprocess.run([sys.executable, "-m", "watcher", "status", "--config", str(bad)], capture_output=True,
                          text=True, cwd=Path(config_mod.__file__).parents[1], check=False)
    assert done.returncode == 2
    assert "web: force web needs a count of 1" in done.stderr and "hint:" in done.stderr
    assert "Traceback" not in done.stderr
