"""The linearizability search of Wing and Gong with Lowe's memoisation, over one key's operations.

Calls and returns sit in one time-ordered linked list. The search linearizes (lifts out) the first
call whose operation the model accepts, unless the pair (set of linearized operations, model state)
was already explored; on reaching a return whose operation is not yet linearized, it backtracks.
An operation of unknown outcome has a call but no return: it may be lifted anywhere after its call,
or never, so the search succeeds once no return is left in the list. Of identical unknown
operations the earliest is always tried first (see ``twins``).
"""
from __future__ import annotations

import time
from typing import Any

from ducktape.checkers.models import ANY, SAME, Model, Move
from ducktape.checkers.operations import Operation, freeze

_CHECK_CLOCK_EVERY = 1024  # search steps between looks at the deadline


class _Entry:
    __slots__ = ("bit", "effect", "guard", "is_call", "match", "next", "op", "prev", "twin")

    def __init__(self, op: Operation | None, bit: int, is_call: bool, twin: int = 0, move: Move = (ANY, SAME)):
        self.op, self.bit, self.is_call = op, bit, is_call
        self.guard, self.effect = move
        self.twin = twin  # the bit of an identical unknown operation that must be linearized first
        self.match: _Entry | None = None  # a call's return entry, when its outcome is known
        self.prev: _Entry | None = None
        self.next: _Entry | None = None


def twins(ops: list[Operation]) -> list[int | None]:
    """For each operation of unknown outcome, the previous one (in invoke order) identical to it
    (same function and value), else None. Identical unknown operations are interchangeable once
    both are invoked, so a search need only ever apply the earlier one first: without this, a
    failing search over many unknown writes tries every subset of them."""
    last: dict[tuple[str, Any], int] = {}
    found: list[int | None] = []
    for i, op in enumerate(ops):
        if op.end is not None:
            found.append(None)
            continue
        kind = (op.f, freeze(op.value))
        found.append(last.get(kind))
        last[kind] = i
    return found


def time_ordered(ops: list[Operation]) -> list[tuple[float, int, int]]:
    """(time, 0 for a call / 1 for a return, operation position) for every call and known return;
    at equal times calls sort first, so operations that touch in time count as concurrent."""
    events = [(op.start, 0, i) for i, op in enumerate(ops)]
    events += [(op.end, 1, i) for i, op in enumerate(ops) if op.end is not None]
    events.sort()
    return events


def _linked(ops: list[Operation], model: Model) -> _Entry:
    head = _Entry(None, 0, False)
    calls: dict[int, _Entry] = {}
    before = twins(ops)
    last = head
    for _, is_return, i in time_ordered(ops):
        twin = before[i]
        entry = _Entry(ops[i], 1 << i, not is_return, 0 if twin is None else 1 << twin, model.move(ops[i]))
        if is_return:
            calls[i].match = entry
        else:
            calls[i] = entry
        entry.prev, last.next = last, entry
        last = entry
    return head


def _lift(call: _Entry) -> None:
    call.prev.next = call.next
    if call.next:
        call.next.prev = call.prev
    ret = call.match
    if ret is not None:
        ret.prev.next = ret.next
        if ret.next:
            ret.next.prev = ret.prev


def _unlift(call: _Entry) -> None:
    ret = call.match
    if ret is not None:
        ret.prev.next = ret
        if ret.next:
            ret.next.prev = ret
    call.prev.next = call
    if call.next:
        call.next.prev = call


def linearizable(ops: list[Operation], model: Model, deadline: float | None = None) -> bool | None:
    """Whether *ops* (one key's, fails and unknown reads already dropped) have a linearization
    under *model*; None when *deadline* (a ``time.monotonic()`` value) passed first."""
    head = _linked(ops, model)
    state: Any = model.initial
    linearized = 0
    seen: set[tuple[int, Any]] = set()
    stack: list[tuple[_Entry, Any]] = []
    returns_left = sum(1 for op in ops if op.end is not None)
    entry = head.next
    steps = 0
    while returns_left:
        steps += 1
        if deadline is not None and steps % _CHECK_CLOCK_EVERY == 0 and time.monotonic() > deadline:
            return None
        if entry.is_call:
            guard, after = entry.guard, entry.effect
            if after is SAME:
                after = state
            if (guard is ANY or guard == state) and linearized & entry.twin == entry.twin:
                config = (linearized | entry.bit, after)
                if config not in seen:
                    seen.add(config)
                    stack.append((entry, state))
                    state, linearized = after, config[0]
                    _lift(entry)
                    if entry.match is not None:
                        returns_left -= 1
                    entry = head.next
                    continue
            entry = entry.next
        else:
            if not stack:
                return False
            entry, state = stack.pop()
            linearized &= ~entry.bit
            _unlift(entry)
            if entry.match is not None:
                returns_left += 1
            entry = entry.next
    return True
