"""A test's recorded operation history in the compact form the HTML report draws.

Reads ``<test results dir>/history/**/*.jsonl`` (ducktape.checkers' format). At most ``MAX_OPS``
operations are kept: with an anomaly, those nearest it in time (the window always included);
otherwise the first ones. Times become wall-clock through each event's ``"wall"`` field when every
process has one, so faults (wall-clock) can be drawn beside the operations.
"""
from __future__ import annotations

import json
import os
from typing import Any

from ducktape.checkers.history import load_history
from ducktape.checkers.operations import Operation, operations
from ducktape.checkers.storage import HISTORY_DIR

MAX_OPS = 2000
_VALUE_CHARS = 40
_MARK_WINDOW, _MARK_CULPRIT, _MARK_WRITER = 1, 2, 3


def history_view(results_dir: str, data: Any, test_start: float | None = None) -> dict | None:
    """``{"n", "cap", "aligned", "lanes", "ops", "check"}`` for the report, None without a history."""
    directory = os.path.join(results_dir, HISTORY_DIR)
    if not os.path.isdir(directory):
        return None
    try:
        events = load_history(directory)
        ops = operations(events)
    except ValueError as err:
        return {"error": str(err).splitlines()[0]}
    if not ops:
        return None
    offsets = _wall_offsets(events)
    aligned = all(op.process in offsets for op in ops)
    if not aligned:  # no wall clock recorded: assume the history began when the test did
        base = (test_start or 0.0) - min(op.start for op in ops)
        offsets = {op.process: base for op in ops}
    check = _checker(data)
    marks = _marks(check)
    shown = _capped(ops, marks)
    lanes = sorted({op.process for op in ops}, key=lambda p: (isinstance(p, str), p))
    lane_of = {p: i for i, p in enumerate(lanes)}
    rows = [_row(op, lane_of[op.process], offsets[op.process], marks) for op in shown]
    return {"n": len(ops), "cap": MAX_OPS, "aligned": aligned, "lanes": [str(p) for p in lanes],
            "ops": rows, "check": check}


def _wall_offsets(events: list[dict]) -> dict[Any, float]:
    offsets: dict[Any, float] = {}
    for event in events:
        wall = event.get("wall")
        if event["process"] not in offsets and isinstance(wall, (int, float)) and not isinstance(wall, bool):
            offsets[event["process"]] = wall - event["time"]
    return offsets


def _checker(data: Any) -> dict | None:
    checker = data.get("checker") if isinstance(data, dict) else None
    if not isinstance(checker, dict):
        return None
    keep = ("valid", "checker", "summary", "key", "states", "op", "window", "writers", "errors")
    return {k: checker[k] for k in keep if k in checker}


def _marks(check: dict | None) -> dict[tuple[Any, float], int]:
    """(process, invoke time) of the anomaly's operations: the culprit, then the rest of its window."""
    if not check or check.get("valid") is not False:
        return {}
    marks = {}
    for op in check.get("writers") or []:
        if isinstance(op, dict):
            marks[(op.get("process"), op.get("start"))] = _MARK_WRITER
    for op in check.get("window") or []:
        if isinstance(op, dict):
            marks[(op.get("process"), op.get("start"))] = _MARK_WINDOW
    # the operation that cannot be linearized, a set's final read, a counter's reads out of bounds
    culprits = [check.get("op")] + [e.get("op") for e in check.get("errors") or [] if isinstance(e, dict)]
    for op in culprits:
        if isinstance(op, dict):
            marks[(op.get("process"), op.get("start"))] = _MARK_CULPRIT
    return marks


def _capped(ops: list[Operation], marks: dict) -> list[Operation]:
    if len(ops) <= MAX_OPS:
        return ops
    marked = [op for op in ops if (op.process, op.start) in marks]
    if not marked:
        return ops[:MAX_OPS]
    centre = max(op.start for op in marked)
    nearest = sorted(ops, key=lambda op: ((op.process, op.start) not in marks, abs(op.start - centre)))
    return sorted(nearest[:MAX_OPS], key=lambda op: op.index)


def _row(op: Operation, lane: int, offset: float, marks: dict) -> list:
    value = op.to_json()["value"]
    text = "" if value is None and op.f == "read" and op.type != "ok" else json.dumps(value)
    if len(text) > _VALUE_CHARS:
        text = text[:_VALUE_CHARS - 1] + "…"
    end = op.completed if op.completed is not None else None
    return [lane, op.f, op.key, text, op.start + offset, None if end is None else end + offset, op.type,
            marks.get((op.process, op.start), 0)]
