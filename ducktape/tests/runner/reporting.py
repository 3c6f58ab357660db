"""The one place the runner tells reporters anything (tests/reporters/base.py ``notify``).

A reporter that fails is logged and skipped by ``notify``; the errors it returns go to the
disk-full check, so a full results root is said once, not once per reporter and test.
"""
from __future__ import annotations

import logging
from typing import Any

from ducktape.tests.disk_full import DiskFull
from ducktape.tests.reporters.base import notify


class Reporting:
    """The session's reporters, told of the session and of each test as they happen."""

    def __init__(self, reporters: list, logger: logging.Logger, disk: DiskFull) -> None:
        self.reporters = reporters
        self._logger = logger
        self._disk = disk

    def session_started(self, session_context: Any, expected: int, cluster_size: int, suite_version: Any) -> None:
        notify(self.reporters, "session_started", session_context, expected, cluster_size=cluster_size,
               suite_version=suite_version, logger=self._logger)

    def test_started(self, ctx: Any, index: int, nodes: list[str]) -> None:
        notify(self.reporters, "test_started", ctx, index, nodes=nodes, logger=self._logger)

    def test_finished(self, result: Any) -> None:
        self._disk.check(notify(self.reporters, "test_finished", result, logger=self._logger))

    def session_finished(self, results: Any, interrupted: bool) -> list:
        """The session reports; returns the errors, for the disk check once the signals are let go."""
        return notify(self.reporters, "session_finished", results, interrupted=interrupted, logger=self._logger)
