"""Seeded fault schedules (a nemesis generator): which fault, on which nodes, when, for how long.

Which kinds a schedule may draw, and how each draws its step, comes from the registry in
``kinds.py``. ``plan_schedule`` is pure: the same seed, nodes and options give the same steps, so a
failure seen under a schedule can be replayed exactly. Faults come one at a time: a gap,
a fault for its length, healed, a gap, the next one; the last one ends before ``duration_s``.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from ducktape.trogdor.faults import kinds as fault_kinds
from ducktape.trogdor.faults.shell import FaultError


@dataclass(frozen=True)
class Step:
    """One fault of a schedule: start ``offset_s`` after the schedule starts, last ``length_s``."""

    offset_s: float
    length_s: float
    kind: str
    nodes: tuple
    params: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"offset_s": self.offset_s, "length_s": self.length_s, "kind": self.kind,
                "nodes": list(self.nodes), "params": self.params}


def new_seed() -> int:
    return random.SystemRandom().randrange(1, 2**31)


def plan_schedule(seed: int, nodes: Sequence[str], kinds: Sequence[str] = ("partition",), duration_s: float = 30.0,
                  gap_s: tuple = (0.5, 3.0), length_s: tuple = (1.0, 5.0)) -> list[Step]:
    """The steps of a schedule of faults drawn from *kinds* over *nodes* (names)."""
    known = fault_kinds.names(scheduled=True)
    unknown = sorted(set(kinds) - set(known))
    if unknown or not kinds:
        raise FaultError(f"unknown fault kinds {unknown or list(kinds)}; choose from {known}")
    crowded = [k for k in kinds if fault_kinds.get(k).min_nodes > len(nodes)]
    if crowded:
        raise FaultError(f"{' and '.join(sorted(set(crowded)))} faults need at least "
                         f"{max(fault_kinds.get(k).min_nodes for k in crowded)} nodes")
    nodes = sorted(nodes)
    rng = random.Random(seed)
    steps: list[Step] = []
    offset = rng.uniform(*gap_s)
    while True:
        length = rng.uniform(*length_s)
        if offset + length > duration_s:
            return steps
        kind = rng.choice(list(kinds))
        step_nodes, params = fault_kinds.get(kind).draw(rng, nodes)
        steps.append(Step(round(offset, 3), round(length, 3), kind, step_nodes, params))
        offset += length + rng.uniform(*gap_s)
