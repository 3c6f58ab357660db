"""What faults this process applied, for the test's report and for healing at test end.

Test-side faults register here when applied and when healed. The test process calls
``heal_active()`` first thing in teardown, so a fault a test forgot, or one a schedule left
mid-flight, is undone before the nodes are freed, and reads ``records()`` into the test's
result (start, end, kind, nodes). The state is per process and every test runs in a fresh
fork of the driver, which applies no faults: it starts empty, and the records of all
``--deflake`` runs of one test stay together. Workloads (or tests) add per-second series with
``record_series`` so the report can draw them with the fault windows shaded.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

_lock = threading.Lock()
_records: list[dict] = []
_series: list[dict] = []
_active: dict[str, Any] = {}


def started(task_id: str, kind: str, nodes: Sequence[str], fault: Any, detail: dict | None = None) -> dict:
    """Note that *fault* (anything with ``heal()``) is being applied now."""
    record = {"task_id": task_id, "kind": kind, "nodes": sorted(nodes), "start": time.time(), "end": None,
              "detail": dict(detail or {})}
    with _lock:
        _records.append(record)
        _active[task_id] = fault
    return record


def ended(task_id: str, problems: Sequence[str] = ()) -> None:
    """Note that the fault *task_id* is healed (or that healing left *problems*)."""
    with _lock:
        _active.pop(task_id, None)
        for record in _records:
            if record["task_id"] == task_id and record["end"] is None:
                record["end"] = time.time()
                if problems:
                    record["heal_problems"] = list(problems)


def add_finished(task_id: str, kind: str, nodes: Sequence[str], start: float, end: float | None,
                 detail: dict | None = None) -> None:
    """Record a fault someone else applied and healed (a Trogdor agent): *end* None means now."""
    with _lock:
        _records.append({"task_id": task_id, "kind": kind, "nodes": sorted(nodes), "start": start,
                         "end": time.time() if end is None else end, "detail": dict(detail or {})})


def note(kind: str, detail: dict) -> None:
    """Record something that is not a fault but belongs with them (a schedule and its seed)."""
    now = time.time()
    with _lock:
        _records.append({"task_id": f"{kind}-{len(_records)}", "kind": kind, "nodes": [], "start": now, "end": now,
                         "detail": dict(detail)})


def record_series(name: str, points: Sequence[Sequence[float]], unit: str = "") -> None:
    """Add a series of ``(unix time, value)`` points (a workload's latency per second, ...)."""
    with _lock:
        _series.append({"name": name, "unit": unit, "points": [[float(t), float(v)] for t, v in points]})


def record_samples(name: str, samples: Sequence[Sequence[float]]) -> None:
    """Turn ``(unix time, latency seconds, ok)`` samples of a workload into two per-second
    series: ``<name> latency`` (mean of the second, ms) and ``<name> throughput`` (ok/s)."""
    seconds: dict[int, list] = {}
    for t, latency, ok in samples:
        seconds.setdefault(int(t), []).append((latency, ok))
    latency_points, throughput_points = [], []
    for second in sorted(seconds):
        values = seconds[second]
        latency_points.append((second + 0.5, 1000.0 * sum(v[0] for v in values) / len(values)))
        throughput_points.append((second + 0.5, float(sum(1 for v in values if v[1]))))
    record_series(f"{name} latency", latency_points, "ms")
    record_series(f"{name} throughput", throughput_points, "ops/s")


def records() -> list[dict]:
    with _lock:
        return [dict(r) for r in _records]


def series() -> list[dict]:
    with _lock:
        return [dict(s) for s in _series]


def heal_active() -> None:
    """Heal every fault still applied, each tried even when another fails; FaultError naming
    the problems if any is left (the test process's first teardown step)."""
    from ducktape.trogdor.faults.shell import FaultError

    with _lock:
        active = list(_active.values())
    problems: list[str] = []
    for fault in active:
        try:
            fault.heal()
        except Exception as err:  # noqa: BLE001 - one fault's failure must not keep the others applied
            problems.append(f"{err}")
    if problems:
        raise FaultError("faults left applied by the test could not all be healed: " + "; ".join(problems))
