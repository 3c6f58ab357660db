"""check_linearizable: is a register history linearizable, key by key, and if not, where not."""
from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from ducktape.checkers.explain import Anomaly, find_anomaly
from ducktape.checkers.models import Model, check_functions, model_named
from ducktape.checkers.operations import Operation, by_key, freeze, operations, thaw
from ducktape.checkers.result import CheckResult
from ducktape.checkers.search import linearizable

CHECKER = "linearizable"
EXPLAIN_SECONDS = 60.0  # for finding the anomaly's window when no time_limit was given


def searched_operations(ops: list[Operation]) -> list[Operation]:
    """What the search replays: failed operations did not happen and a read of unknown outcome
    says nothing, so both are left out."""
    return [op for op in ops if op.type != "fail" and not (op.f == "read" and op.type != "ok")]


def check_linearizable(history: Iterable[dict], model: str = "register",
                       time_limit: float | None = None) -> CheckResult:
    """Check *history* against *model* (``"register"`` or ``"cas-register"``), each key on its own.

    ``valid`` is False when some key has no linearization, None when *time_limit* seconds ran out
    before every key was decided (and none was found invalid), else True."""
    chosen = model_named(model)
    ops = operations(history)
    check_functions(chosen, ops)
    deadline = None if time_limit is None else time.monotonic() + time_limit
    undecided: list[Any] = []
    invalid: list[tuple[Any, list[Operation]]] = []
    keys = by_key(ops)
    for key, key_ops in keys.items():
        replayed = searched_operations(key_ops)
        verdict = linearizable(replayed, chosen, deadline)
        if verdict is None:
            undecided.append(key)
        elif verdict is False:
            invalid.append((key, replayed))
    counts = {"model": chosen.name, "operations": len(ops), "keys": len(keys)}
    if invalid:
        return _invalid(chosen, invalid, counts, deadline or time.monotonic() + EXPLAIN_SECONDS)
    if undecided:
        return CheckResult(None, CHECKER, f"unknown: out of time ({time_limit} s) with {len(undecided)} of "
                           f"{len(keys)} keys undecided", {**counts, "undecided_keys": undecided[:10]})
    return CheckResult(True, CHECKER, f"linearizable: {len(ops)} operations on {len(keys)} keys", counts)


def _invalid(model: Model, invalid: list[tuple[Any, list[Operation]]], counts: dict, deadline: float) -> CheckResult:
    key, replayed = invalid[0]
    details: dict[str, Any] = {**counts, "invalid_keys": [k for k, _ in invalid][:10], "key": key}
    anomaly = find_anomaly(replayed, model, deadline)
    if anomaly is None:
        summary = f"not linearizable: key {key!r} ({len(invalid)} key(s) in all; window not found within limits)"
        return CheckResult(False, CHECKER, summary, {**details, "op": None, "window": [], "states": None,
                                                    "writers": []})
    states = [thaw(s) for s in anomaly.states]
    op = anomaly.op
    shown = ", ".join(json.dumps(s) for s in states[:5]) + (", ..." if len(states) > 5 else "")
    others = len(anomaly.window) - 1
    beside = f" with any order of the {others} operation(s) pending beside it" if others else ""
    summary = (f"not linearizable: key {key!r}: {op.describe()} (ended at t={op.end:.3f}) cannot follow "
               f"state(s) {shown}{beside}")
    if len(invalid) > 1:
        summary += f" ({len(invalid)} keys invalid)"
    return CheckResult(False, CHECKER, summary, {**details, "op": op.to_json(),
                                                 "window": [o.to_json() for o in anomaly.window],
                                                 "states": states,
                                                 "writers": [o.to_json() for o in _writers(replayed, anomaly)]})


def _writers(ops: list[Operation], anomaly: Anomaly) -> list[Operation]:
    """For each state before the anomaly, the last operation outside the window that wrote that
    value and began before the anomaly's operation ended: where the state most likely came from."""
    window = {o.index for o in anomaly.window}
    found = []
    for state in anomaly.states:
        candidates = [o for o in ops if o.index not in window and o.start <= anomaly.op.end
                      and freeze(o.value[1] if o.f == "cas" else o.value) == state and o.f != "read"]
        if candidates:
            found.append(max(candidates, key=lambda o: o.start))
    return found
