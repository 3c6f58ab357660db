"""Where a non-linearizable history breaks: the first completion no order of operations explains.

A forward sweep keeps every configuration the key could be in: (model state, operations invoked
but not yet linearized). An invoke adds its operation to every configuration; a completion keeps
the configurations in which some order of pending operations, ending with the one completing,
is accepted by the model. The first completion that leaves none is the culprit; the window is it
plus the operations still pending beside it, and the states before it are the configurations' states.
The search in search.py decides; this sweep only explains, so it gives up past a size cap.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ducktape.checkers.models import Model
from ducktape.checkers.operations import Operation
from ducktape.checkers.search import time_ordered, twins

MAX_CONFIGURATIONS = 20_000

Config = "tuple[Any, frozenset[int]]"


@dataclass(frozen=True)
class Anomaly:
    """The operation that cannot be linearized, the window around it and the states before it."""

    op: Operation
    window: list[Operation]
    states: list[Any]  # model states possible just before the window, frozen, sorted by repr


def _completions(config: tuple[Any, frozenset[int]], target: int, ops: list[Operation], model: Model,
                 twin: list[int | None], budget: list[int]) -> set[tuple[Any, frozenset[int]]]:
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
            accepted, after = model.step(state, ops[i])
            if not accepted:
                continue
            reached = (after, pending - {i})
            if i == target:
                done.add(reached)
            elif reached not in seen:
                seen.add(reached)
                todo.append(reached)
                budget[0] -= 1
                if budget[0] < 0:
                    raise OverflowError
    return done


def _undominated(configs: set[tuple[Any, frozenset[int]]], unknown: frozenset[int]) -> set:
    """*configs* without those another one covers: the same state and known-outcome operations
    pending, and more unknown ones still pending (they are optional, so more left only helps)."""
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


def find_anomaly(ops: list[Operation], model: Model) -> Anomaly | None:
    """The first completion of *ops* no linearization explains, or None when the sweep found
    none or grew past ``MAX_CONFIGURATIONS``."""
    configs: set[tuple[Any, frozenset[int]]] = {(model.initial, frozenset())}
    budget = [MAX_CONFIGURATIONS]
    twin = twins(ops)
    unknown = frozenset(i for i, op in enumerate(ops) if op.end is None)
    try:
        for _, is_return, i in time_ordered(ops):
            if not is_return:
                configs = {(state, pending | {i}) for state, pending in configs}
                continue
            reached: set[tuple[Any, frozenset[int]]] = set()
            for config in configs:
                reached |= _completions(config, i, ops, model, twin, budget)
            if not reached:
                return _anomaly(ops, i, configs)
            configs = _undominated(reached, unknown)
            if len(configs) > MAX_CONFIGURATIONS:
                return None
    except OverflowError:
        return None
    return None


def _anomaly(ops: list[Operation], culprit: int, configs: set[tuple[Any, frozenset[int]]]) -> Anomaly:
    window = sorted({i for _, pending in configs for i in pending} | {culprit})
    states = sorted({state for state, _ in configs}, key=repr)
    return Anomaly(ops[culprit], [ops[i] for i in window], states)
