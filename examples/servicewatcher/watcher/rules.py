"""The placement rules as a check: what a placement (computed, or observed on the nodes)
must satisfy for given live members and failed units. The partitioner's unit tests and
the cluster suite both judge placements with it."""
from __future__ import annotations

from collections.abc import Iterable

from .config import Config


def broken_rules(placement: dict, members: Iterable[str], config: Config,
                 failed: Iterable[tuple[str, str]] = ()) -> list[str]:
    """Every rule *placement* (unit -> hosts) breaks; empty when it keeps them all."""
    members, failed = set(members), set(failed)
    problems = []
    for service in config.services:
        units = [service.name] if service.kind == "global" else sorted(service.counts)
        for unit in units:
            hosts = list(placement.get(unit, ()))
            eligible = {h for h in members if (h, unit) not in failed}
            if not service.enabled:
                if hosts:
                    problems.append(f"{unit} is disabled but runs on {hosts}")
                continue
            if len(hosts) != len(set(hosts)):
                problems.append(f"{unit} runs twice on one node: {hosts}")
            if set(hosts) - eligible:
                problems.append(f"{unit} runs on {sorted(set(hosts) - eligible)}, not live members where it may run")
            if service.kind == "global":
                want = eligible
            elif unit in service.force:
                want = {service.force[unit]} & eligible
            else:
                if len(set(hosts)) != min(service.counts[unit], len(eligible)):
                    problems.append(f"{unit} runs on {len(set(hosts))} nodes, wants "
                                    f"min({service.counts[unit]}, {len(eligible)} eligible)")
                continue
            if set(hosts) != want:
                problems.append(f"{unit} runs on {sorted(set(hosts))}, should on {sorted(want)}")
    return problems
