"""A whole session through the runner: tell the reporters, run every test, write the reports.

``run_and_report`` is what ``tests/session_run.py`` calls once the cluster and reporters
exist. It keeps room on the disk for the session reports while the tests run, and holds
Ctrl-C/SIGTERM (runner/signals.py) until the reports are written.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SessionRun:
    """How the session's run ended."""

    results: Any  # TestResults
    stopped: bool  # interrupted, or a signal came while the reports were written
    disk_full: bool  # the results root filled up: what is on disk is not the whole story


def run_and_report(runner: Any, expected: int, suite_version: Any,
                   annotate: Callable[[Any], None] | None = None) -> SessionRun:
    """Run *runner*'s tests between ``session_started`` and ``session_finished``; *annotate*
    adds to the results (the quarantine report) before the reporters see them."""
    runner.reporting.session_started(runner.session_context, expected, len(runner.cluster), suite_version)
    runner.disk.reserve()  # room for the session reports should the tests fill the disk
    with runner.holding_signals():  # Ctrl-C while the reports are written must not lose them
        try:
            results = runner.run_all_tests()
        finally:
            runner.disk.release()
        results.suite_version = suite_version
        if annotate is not None:
            annotate(results)
        errors = runner.reporting.session_finished(results, runner.interrupted)
    runner.disk.check(errors)
    return SessionRun(results, bool(runner.interrupted or runner.late_signal), runner.disk.hit)
