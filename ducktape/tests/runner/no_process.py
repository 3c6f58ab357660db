"""Results for tests that got no process: ignored, too big for the cluster, never started.

The driver writes these itself, with the same files a test process writes, so every test
of the session has a result on disk whatever kept it from running.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from ducktape.tests.result import TestResult
from ducktape.tests.status import FAIL, IGNORE
from ducktape.utils.plural import counted


class NoProcessResults:
    """Writes and records the results of tests the driver never forked a process for.
    *record* files a result with the session; *next_index* hands out test indexes;
    *written* says why a result could not be written, given the OSError."""

    def __init__(self, session_context: Any, logger: logging.Logger, record: Callable[[TestResult], None],
                 next_index: Callable[[], int], written: Callable[[str, OSError | None], None]) -> None:
        self._session_context = session_context
        self._logger = logger
        self._record = record
        self._next_index = next_index
        self._written = written

    def write(self, ctx: Any, index: int, status: Any, summary: str, start: float, **kwargs: Any) -> TestResult:
        result, err = no_process_result(ctx, index, self._session_context, status, summary, start, **kwargs)
        self._written(ctx.test_id, err)
        return result

    def failed(self, ctx: Any, summary: str) -> None:
        """A FAIL with *summary* for *ctx*, which never ran."""
        self._record(self.write(ctx, self._next_index(), FAIL, summary, time.time()))

    def ignored(self, tests: list) -> None:
        for ctx in tests:  # an ignored test takes no nodes: say so in its own report.json too
            self._record(self.write(ctx, self._next_index(), IGNORE, "", time.time(), nodes_allocated=0))

    def unschedulable(self, tests: list, scheduler: Any, cluster: Any) -> None:
        if tests:
            self._logger.error(f"{counted(len(tests), 'test')} cannot run: the cluster is too small for them")
        for ctx in tests:
            summary = unschedulable_summary(ctx, scheduler, cluster)
            self._logger.error(summary)
            self.failed(ctx, summary)

    def not_run(self, tests: list, reason: str) -> None:
        for ctx in tests:
            summary = f"Test not run: {reason}"
            self._logger.error(f"{ctx.test_id}: {summary}")
            self.failed(ctx, summary)


def no_process_result(ctx: Any, index: int, session_context: Any, status: Any, summary: str, start: float,
                      nodes: list | None = None, nodes_used: int = 0, nodes_allocated: int | None = None,
                      faults: list[dict] | None = None) -> tuple[TestResult, OSError | None]:
    """The result, written to disk; with the OSError that kept it off the disk, if any."""
    nodes = nodes or []
    if nodes_allocated is None:
        nodes_allocated = len(nodes) if nodes else expected_nodes(ctx)
    result = TestResult(ctx, index, session_context, status, summary, None, start, time.time(),
                        nodes_allocated=nodes_allocated, nodes_used=nodes_used, services=[])
    result.nodes = [node.account.hostname for node in nodes]
    result.faults = faults or []
    try:
        result.report()
    except OSError as err:
        return result, err
    return result, None


def unschedulable_summary(ctx: Any, scheduler: Any, cluster: Any) -> str:
    return (f"Test {ctx.test_id} requires more resources than are available in the whole cluster. "
            f"{scheduler.shortage(ctx)}{parked_note(cluster)}")


def parked_note(cluster: Any) -> str:
    """Which nodes the cluster parked after a failed health check, and why ("" if none)."""
    parked = cluster.parked()
    if not parked:
        return ""
    return "Parked after failing a health check: " + "; ".join(f"{host} ({why})" for host, why in parked.items())


def expected_nodes(ctx: Any) -> int:
    try:
        return ctx.expected_num_nodes
    except Exception:  # noqa: BLE001 - a broken spec must not stop the report of the test
        return 0
