"""Where a non-linearizable history breaks: the first completion no order of operations explains.

A forward sweep keeps every configuration the key could be in: (model state, operations invoked
but not yet linearized). An invoke adds its operation to every configuration; a completion keeps
the configurations in which some order of pending operations, ending with the one completing,
is accepted by the model. The first completion that leaves none is the culprit; the window is it
plus the operations still pending beside it, and the states before it are the configurations' states.
The search in search.py decides; this sweep only explains, so it gives up past a deadline or
a size cap. Like the search, it applies identical unknown operations earliest first; it also
drops a configuration when another has the same state and pending known operations and more
unknown ones still pending (those are optional, so more left can only help).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ducktape.checkers.models import Model, Move, apply
from ducktape.checkers.operations import Operation
from ducktape.checkers.search import time_ordered, twins

MAX_CONFIGURATIONS = 200_000  # live configurations kept at once (memory)
_CHECK_CLOCK_EVERY = 4096


class _OutOfLimits(Exception):
    """The sweep ran out of time: the anomaly stays unexplained."""


class _Clock:
    def __init__(self, deadline: float | None):
        self.deadline, self.ticks = deadline, 0

    def tick(self) -> None:
        self.ticks += 1
        if self.deadline is not None and self.ticks % _CHECK_CLOCK_EVERY == 0 and time.monotonic() > self.deadline:
            raise _OutOfLimits


@dataclass(frozen=True)
class Anomaly:
    """The operation that cannot be linearized, the window around it and the states before it."""

    op: Operation
    window: list[Operation]
    states: list[Any]  # model states possible just before the window, frozen, sorted by repr


def _completions(config: tuple[Any, frozenset[int]], target: int, moves: list[Move],
                 twin: list[int | None], clock: _Clock) -> set[tuple[Any, frozenset[int]]]:
    """Configurations reached by linearizing pending operations in some order ending with *target*.
    Operations that could come after *target* stay pending: they can still be placed later."""
    if target not in config[1]:  # linearized already, on the way to an earlier completion
        return {config}
    done: set[tuple[Any, frozenset[int]]] = set()
    seen = {config}
    todo = [config]
    while todo:
        state, pending = todo.pop()
        for i in pending:
            if twin[i] in pending:  # an identical unknown operation goes first
                continue
            accepted, after = apply(state, moves[i])
            if not accepted:
                continue
            reached = (after, pending - {i})
            if i == target:
                done.add(reached)
            elif reached not in seen:
                seen.add(reached)
                todo.append(reached)
                clock.tick()
    return done


def _undominated(configs: set[tuple[Any, frozenset[int]]], unknown: frozenset[int]) -> set:
    """*configs* without those another one covers (same state and pending known operations,
    a superset of unknown ones pending)."""
    groups: dict[tuple[Any, frozenset[int]], list[frozenset[int]]] = {}
    for state, pending in configs:
        groups.setdefault((state, pending - unknown), []).append(pending & unknown)
    kept = set()
    for (state, known), optional in groups.items():
        maximal: list[frozenset[int]] = []
        for candidate in sorted(optional, key=len, reverse=True):
            if not any(candidate <= other for other in maximal):
                maximal.append(candidate)
        kept.update((state, known | extra) for extra in maximal)
    return kept


def find_anomaly(ops: list[Operation], model: Model, deadline: float | None = None) -> Anomaly | None:
    """The first completion of *ops* no linearization explains, or None when the sweep found
    none, passed *deadline* (a ``time.monotonic()`` value) or grew past ``MAX_CONFIGURATIONS``."""
    configs: set[tuple[Any, frozenset[int]]] = {(model.initial, frozenset())}
    clock = _Clock(deadline)
    twin = twins(ops)
    moves = [model.move(op) for op in ops]
    unknown = frozenset(i for i, op in enumerate(ops) if op.end is None)
    try:
        for _, is_return, i in time_ordered(ops):
            if not is_return:
                configs = {(state, pending | {i}) for state, pending in configs}
                continue
            reached: set[tuple[Any, frozenset[int]]] = set()
            for config in configs:
                reached |= _completions(config, i, moves, twin, clock)
            if not reached:
                return _anomaly(ops, i, configs)
            configs = _undominated(reached, unknown)
            if len(configs) > MAX_CONFIGURATIONS:
                return None
    except _OutOfLimits:
        return None
    return None


def _anomaly(ops: list[Operation], culprit: int, configs: set[tuple[Any, frozenset[int]]]) -> Anomaly:
    window = sorted({i for _, pending in configs for i in pending} | {culprit})
    states = sorted({state for state, _ in configs}, key=repr)
    return Anomaly(ops[culprit], [ops[i] for i in window], states)
