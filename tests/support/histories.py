"""Seeded histories of a simulated register (and helpers to build events by hand) for checker tests.

The simulation runs a real, atomic register shared by concurrent clients: each operation takes
effect at one instant between its invoke and its completion, so the history it records is
linearizable by construction. Some operations time out (``info``) after taking effect or not.
"""
from __future__ import annotations

import heapq
import random


def event(process, kind, f, key, value, time):
    return {"process": process, "type": kind, "f": f, "key": key, "value": value, "time": time}


def op(process, f, key, value, start, end, result=None, kind="ok"):
    """An invoke and its completion (``result`` is a read's value; None completion for kind None)."""
    invoke = event(process, "invoke", f, key, None if f == "read" else value, start)
    if kind is None:
        return [invoke]
    done = result if f == "read" else value
    return [invoke, event(process, kind, f, key, done, end)]


def history(*ops):
    """Events of hand-built operations, merged and sorted by time."""
    return sorted((e for o in ops for e in o), key=lambda e: e["time"])


def simulate(ops=1000, processes=10, keys=100, seed=0, cas=True, info_rate=0.02, values=5):
    """A linearizable history of *ops* operations by *processes* clients over *keys* keys."""
    rng = random.Random(seed)
    state: dict = {}
    events = []
    # (effect time, sequence, process) heap of operations in flight, each applied at its effect time
    clock = {p: rng.random() for p in range(processes)}
    pending = []
    for n in range(ops):
        process = min(clock, key=clock.get)
        start = clock[process]
        effect = start + rng.expovariate(10.0)
        end = effect + rng.expovariate(10.0)
        f = rng.choice(("read", "write", "cas") if cas else ("read", "write"))
        key = f"k{rng.randrange(keys)}"
        value = [rng.randrange(values), rng.randrange(values)] if f == "cas" else rng.randrange(values)
        heapq.heappush(pending, (effect, n, process, f, key, value, start, end))
        clock[process] = end + rng.expovariate(50.0)
    while pending:
        effect, n, process, f, key, value, start, end = heapq.heappop(pending)
        lost = rng.random() < info_rate
        applied = not (lost and rng.random() < 0.5)
        current = state.get(key)
        kind, result = "ok", value
        if f == "read":
            result = current
        elif f == "cas" and current != value[0]:
            kind, applied = "fail", False
        if applied and f != "read":
            state[key] = value[1] if f == "cas" else value
        if lost:
            kind = "info"
        events.append(event(process, "invoke", f, key, None if f == "read" else value, start))
        events.append(event(process, kind, f, key, result if f == "read" else value, end))
    return sorted(events, key=lambda e: e["time"])
