"""Seeded fault schedules (a nemesis generator): which fault, on which nodes, when, for how long.

``plan_schedule`` is pure: the same seed, nodes and options give the same steps, so a
failure seen under a schedule can be replayed exactly. Faults come one at a time: a gap,
a fault for its length, healed, a gap, the next one; the last one ends before ``duration_s``.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from ducktape.trogdor.faults.partition import random_plan
from ducktape.trogdor.faults.shell import FaultError

KINDS = ("partition", "degrade", "process_stop", "process_kill", "clock_skew", "clock_jump", "clock_strobe")


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
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown or not kinds:
        raise FaultError(f"unknown fault kinds {unknown or list(kinds)}; choose from {list(KINDS)}")
    if len(nodes) < 2 and set(kinds) & {"partition", "degrade"}:
        raise FaultError("partition and degrade faults need at least 2 nodes")
    nodes = sorted(nodes)
    rng = random.Random(seed)
    steps: list[Step] = []
    offset = rng.uniform(*gap_s)
    while True:
        length = rng.uniform(*length_s)
        if offset + length > duration_s:
            return steps
        kind = rng.choice(list(kinds))
        if kind == "partition":
            plan = random_plan(nodes, rng)
            step = Step(round(offset, 3), round(length, 3), kind, tuple(sorted(plan)),
                        {"plan": {k: sorted(v) for k, v in sorted(plan.items())}})
        elif kind == "degrade":
            victim = rng.choice(nodes)
            step = Step(round(offset, 3), round(length, 3), kind, (victim,),
                        {"peers": [n for n in nodes if n != victim]})
        else:
            step = Step(round(offset, 3), round(length, 3), kind, (rng.choice(nodes),), _clock_params(kind, rng))
        steps.append(step)
        offset += length + rng.uniform(*gap_s)


def _clock_params(kind: str, rng: random.Random) -> dict:
    """How far a clock fault moves the clock (seconds, either way); nothing for other kinds."""
    sign = rng.choice([-1, 1]) if kind.startswith("clock_") else 0
    if kind == "clock_skew":
        return {"offset_s": round(sign * rng.uniform(1, 10), 3)}
    if kind == "clock_jump":
        return {"delta_s": round(sign * rng.uniform(5, 300), 3)}
    if kind == "clock_strobe":
        return {"delta_s": round(sign * rng.uniform(1, 10), 3), "period_s": round(rng.uniform(0.1, 1.0), 3)}
    return {}
