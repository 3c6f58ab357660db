"""The partitioner: a pure function from (members, config, failed units) to a placement.

Every node computes it from the same view of ZooKeeper, so they agree without a leader.
Each instance ranks the eligible members by a hash of (instance, member) -- rendezvous
hashing -- and takes the first ``count``: adding or losing a member moves only the
instances that member gains or held. Rules:

- global: every member, except those where the unit failed;
- shared / multi instance: ``min(count, eligible members)`` members, at most one each;
- force: exactly the forced host when it is a member and the unit has not failed there,
  else nowhere;
- disabled services are placed nowhere.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from .config import Config

Placement = dict  # unit -> tuple of hosts, sorted
INSTANCE_REF = re.compile(r"\{instance:([^}]+)\}")


def _rank(instance: str, host: str) -> str:
    return hashlib.sha256(f"{instance}\0{host}".encode()).hexdigest()


def place(members: Iterable[str], config: Config, failed: Iterable[tuple[str, str]] = ()) -> Placement:
    """Where each enabled unit runs, given the live *members* and the *failed* (host, unit) pairs."""
    members = sorted(set(members))
    failed = set(failed)
    placement: Placement = {}
    for service in config.services:
        if not service.enabled:
            continue
        if service.kind == "global":
            placement[service.name] = tuple(h for h in members if (h, service.name) not in failed)
            continue
        for instance, count in sorted(service.counts.items()):
            eligible = [h for h in members if (h, instance) not in failed]
            if instance in service.force:
                forced = service.force[instance]
                placement[instance] = (forced,) if forced in eligible and count else ()
                continue
            chosen = sorted(eligible, key=lambda h, i=instance: _rank(i, h))[:count]
            placement[instance] = tuple(sorted(chosen))
    return placement


def units_of(placement: Placement, host: str) -> set[str]:
    """The units *host* runs under *placement*."""
    return {unit for unit, hosts in placement.items() if host in hosts}


def by_host(placement: Placement, hosts: Iterable[str]) -> dict[str, set[str]]:
    return {host: units_of(placement, host) for host in hosts}


def render(template: str, placement: Placement, **values: str) -> str:
    """Fill ``{instance:name@X}`` with the hosts running that instance (comma-separated,
    empty when none) and ``{key}`` with *values*."""
    text = INSTANCE_REF.sub(lambda m: ",".join(placement.get(m.group(1), ())), template)
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text
