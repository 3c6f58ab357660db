"""Telling runs of one test apart: ``--repeat`` numbers and ``--deflake`` attempts.

``--repeat N`` gives a test id N results; each is numbered by its test index ("run 2 of 3").
``--deflake N`` keeps one result whose summary holds a header per group of failed
attempts (``runs 1, 2 summary:``) and, when a later attempt passed, ``run 3: PASSED``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

RUN_HEADER = re.compile(r"^runs? ([\d, ]+) summary:$")
RUN_PASSED = re.compile(r"^run (\d+): PASSED$")


def repeat_numbers(keys: Iterable[tuple[str, int | None]]) -> list[tuple[int, int]]:
    """For each (test_id, test_index), its run number among the results of that id and how many there are."""
    keys = list(keys)
    by_id: dict[str, list[int]] = {}
    for position, (test_id, _) in enumerate(keys):
        by_id.setdefault(test_id, []).append(position)
    numbers: list[tuple[int, int]] = [(1, 1)] * len(keys)
    for positions in by_id.values():
        ordered = sorted(positions, key=lambda p: (keys[p][1] is None, keys[p][1] or 0, p))
        for run, position in enumerate(ordered, start=1):
            numbers[position] = (run, len(ordered))
    return numbers


def run_label(run: int, total: int) -> str:
    """``run 2 of 3``, or "" for a test that ran once."""
    return f"run {run} of {total}" if total > 1 else ""


def deflake_attempts(summary: str | None) -> str:
    """``attempts 1, 2 failed, attempt 3 passed`` from a deflaked summary; "" when it holds no run headers.

    "attempt", not "run": the ``--repeat`` runs of a test are numbered "run 2 of 3"."""
    failed: list[int] = []
    passed = ""
    for line in (summary or "").splitlines():
        line = line.strip()
        header = RUN_HEADER.match(line)
        if header:
            failed += [int(n) for n in header.group(1).replace(" ", "").split(",") if n]
        elif RUN_PASSED.match(line):
            passed = RUN_PASSED.match(line).group(1)
    if not failed:
        return ""
    failed.sort()
    label = f"attempt{'s' if len(failed) > 1 else ''} {', '.join(map(str, failed))} failed"
    return f"{label}, attempt {passed} passed" if passed else label
