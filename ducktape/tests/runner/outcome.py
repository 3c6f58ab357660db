"""How one phase of a test ended, and one summary for every run of a test.

Pure values and functions: the test process (runner/runner_client.py) builds them, nothing here
touches a process, a pipe or a node.
"""
from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ducktape.tests.status import FLAKY, TestStatus

_RUNNER_DIR = os.path.dirname(os.path.abspath(__file__))


class TestTimedOut(BaseException):
    """Raised into a test at its deadline. A BaseException, like KeyboardInterrupt, so that
    a test's own ``except Exception`` cannot swallow it."""

    __test__ = False


@dataclass
class PhaseOutcome:
    """How one phase of a test ended: ``error`` is None when it completed."""

    phase: str
    value: Any = None
    error: BaseException | None = None
    trace: str = ""

    @classmethod
    def capture(cls, phase: str, fn: Callable[[], Any]) -> PhaseOutcome:
        """Run *fn* and keep its value or whatever it raised (Ctrl-C and timeouts included)."""
        try:
            return cls(phase, value=fn())
        except BaseException as err:  # noqa: BLE001 - every ending of a phase is an outcome
            return cls(phase, error=err, trace=_user_traceback(err))

    @property
    def ok(self) -> bool:
        return self.error is None

    def summary_lines(self) -> list[str]:
        """``repr(error)`` then the traceback, as lines (empty when the phase completed)."""
        if self.ok:
            return []
        from ducktape.utils.util import safe_repr

        return f"{safe_repr(self.error)}\n{self.trace}".rstrip("\n").split("\n")


def _user_traceback(err: BaseException) -> str:
    """The traceback of *err* without the runner's own frames, at most 16 frames."""
    tb = err.__traceback__
    while tb is not None and os.path.dirname(os.path.abspath(tb.tb_frame.f_code.co_filename)) == _RUNNER_DIR:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(err), err, tb, limit=16))


def merge_run_summaries(summaries: list[list[str]], status: TestStatus, num_runs: int) -> list[str]:
    """One summary for all runs of a test: identical failures grouped by run number,
    groups separated by a line of ``~``; a final pass is labelled with its own run number."""
    if not summaries:
        return ["Test Passed"]
    if num_runs == 1:
        return summaries[0]
    groups: dict[tuple[str, ...], list[int]] = {}
    for run, summary in enumerate(summaries, start=1):
        groups.setdefault(tuple(summary), []).append(run)
    blocks = [[f"run{'s' if len(runs) > 1 else ''} {', '.join(map(str, runs))} summary:", *lines]
              for lines, runs in groups.items()]
    if status == FLAKY:
        blocks.append([f"run {num_runs}: PASSED"])
    merged: list[str] = []
    for block in blocks[:-1]:
        merged.extend(block)
        merged.append("~" * max(len(line) for line in merged))
    merged.extend(blocks[-1])
    return merged
