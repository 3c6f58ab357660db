"""Split the sorted test list into ``--subsets`` parts, by count or by historical run time."""
from __future__ import annotations

import json
import os
from collections.abc import Sequence

from ducktape.errors import UsageError

HISTORY_HINT = 'a report.json from an earlier run: {"results": [{"test_id": ..., "run_time_seconds": ...}, ...]}'


def check_subset(subset: int, subsets: int) -> None:
    """Refuse a subset index outside [0, subsets)."""
    if subsets < 1:
        raise UsageError(f"--subsets must be at least 1, got {subsets}")
    if not 0 <= subset < subsets:
        raise UsageError(f"--subset {subset} is out of range for --subsets {subsets}",
                         hint=f"use 0 <= --subset <= {subsets - 1}")


def select_subset(tests: Sequence, subset: int, subsets: int, history: dict[str, float] | None = None) -> list:
    """Part *subset* of *tests*: every *subsets*-th test, or, with *history*, a greedy balance by run time."""
    if not history:
        return list(tests[subset::subsets])
    mean = sum(history.values()) / len(history)
    times = [history.get(t.test_id, mean) for t in tests]
    order = sorted(range(len(tests)), key=lambda i: times[i], reverse=True)
    parts: list[list] = [[] for _ in range(subsets)]
    loads = [0.0] * subsets
    for i in order:
        lightest = min(range(subsets), key=loads.__getitem__)
        parts[lightest].append(tests[i])
        loads[lightest] += times[i]
    return parts[subset]


def read_history(location: str) -> dict[str, float]:
    """``test_id -> run_time_seconds`` from a report.json at a local path or an http(s) URL."""
    try:
        if location.startswith(("http://", "https://")):
            import requests

            response = requests.get(location, timeout=60)
            response.raise_for_status()
            report = response.json()
        else:
            with open(os.path.expanduser(location)) as fp:
                report = json.load(fp)
        return {r["test_id"]: float(r["run_time_seconds"]) for r in report["results"]}
    except UsageError:
        raise
    except Exception as err:
        raise UsageError(f"cannot use --historical-report {location!r}: {type(err).__name__}: {err}",
                         hint=HISTORY_HINT) from err
