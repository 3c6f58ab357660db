"""Pair a history's events into operations: one invoke and what became of it."""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ducktape.checkers.history import validate_history


@dataclass(frozen=True)
class Operation:
    """One operation. ``type`` is its outcome: ``ok``, ``fail``, or ``info`` (unknown, which is
    also what an invoke never completed becomes). ``value`` is the invoke's value, ``result`` the
    completion's (what a read returned). ``end`` is None when the outcome is unknown."""

    index: int  # position among the history's operations, in invoke order
    process: Any
    f: str
    key: Any
    value: Any
    result: Any
    type: str
    start: float
    end: float | None
    completed: float | None = None  # when the completion was recorded, whatever its type

    @property
    def determinate(self) -> bool:
        return self.type == "ok"

    def to_json(self) -> dict:
        shown = self.result if self.type == "ok" else self.value
        return {"index": self.index, "process": self.process, "type": self.type, "f": self.f,
                "key": self.key, "value": shown, "start": self.start, "end": self.end}

    def describe(self) -> str:
        """One phrase, e.g. ``read x -> 1 by process 2``."""
        key = "" if self.key is None else f" {self.key}"
        if self.f == "read":
            what = f"read{key} -> {json.dumps(self.result)}" if self.type == "ok" else f"read{key}"
        else:
            what = f"{self.f}{key} {json.dumps(self.value)}"
        return f"{what} by process {self.process}" + ("" if self.type == "ok" else f" ({self.type})")


def operations(history: Iterable[dict]) -> list[Operation]:
    """The operations of *history* (events sorted by time), in invoke order.

    Raises ValueError when a process completes what it never invoked, invokes twice, or a
    completion names another function or key than its invoke."""
    events = validate_history(history)
    in_flight: dict[Any, tuple[int, dict]] = {}
    pairs: list[list] = []
    for number, event in enumerate(events):
        process, kind = event["process"], event["type"]
        if kind == "invoke":
            if process in in_flight:
                raise ValueError(f"history event #{number}: process {process!r} invokes {event['f']!r} while "
                                 f"event #{in_flight[process][0]} is still in flight\n"
                                 "hint: a process has at most one operation in flight; complete it first")
            in_flight[process] = (len(pairs), event)
            pairs.append([event, None])
            continue
        if process not in in_flight:
            raise ValueError(f"history event #{number}: process {process!r} completes ({kind}) an operation "
                             "it never invoked\nhint: every ok/fail/info follows an invoke of the same process")
        slot, invoked = in_flight.pop(process)
        if event["f"] != invoked["f"] or event.get("key") != invoked.get("key"):
            raise ValueError(f"history event #{number}: process {process!r} completes {event['f']!r} on key "
                             f"{event.get('key')!r} but invoked {invoked['f']!r} on key {invoked.get('key')!r}")
        if event["time"] < invoked["time"]:
            raise ValueError(f"history event #{number}: process {process!r} completes {event['f']!r} at "
                             f"{event['time']}, before its invoke at {invoked['time']}\n"
                             "hint: record both with the same monotonic clock")
        pairs[slot][1] = event
    return [_operation(index, invoked, completed) for index, (invoked, completed) in enumerate(pairs)]


def _operation(index: int, invoked: dict, completed: dict | None) -> Operation:
    kind = completed["type"] if completed else "info"
    return Operation(index=index, process=invoked["process"], f=invoked["f"], key=invoked.get("key"),
                     value=invoked.get("value"), result=completed.get("value") if completed else None,
                     type=kind, start=float(invoked["time"]),
                     end=float(completed["time"]) if completed and kind != "info" else None,
                     completed=float(completed["time"]) if completed else None)


def by_key(ops: Iterable[Operation]) -> dict[Any, list[Operation]]:
    """Operations grouped by key, each group in invoke order."""
    groups: dict[Any, list[Operation]] = {}
    for op in ops:
        groups.setdefault(op.key, []).append(op)
    return groups


def freeze(value: Any) -> Any:
    """A hashable form of a JSON value (lists become tuples, objects sorted item tuples)."""
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, freeze(v)) for k, v in value.items()))
    return value


def thaw(value: Any) -> Any:
    """The JSON form of a frozen value, as far as it can tell (tuples become lists)."""
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value
