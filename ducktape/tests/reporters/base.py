"""The Reporter protocol: the hooks the runner calls, in order, for every reporter.

A reporter listens; it never drives the run, never sees a process, node or SSH
error, and never raises into the runner on purpose (``notify`` guards each call).
"""
from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path


class Reporter:
    """Base reporter: remembers the session, the session dir and the expected test count."""

    def __init__(self, session_context) -> None:
        self.session_context = session_context
        self.session_dir = Path(session_context.results_dir)
        self.expected_count: int | None = None

    def session_started(self, session_context, expected_count: int, **info) -> None:
        """Called once before the first test; *info* may carry ``cluster_size``."""
        self.session_context = session_context
        self.session_dir = Path(session_context.results_dir)
        self.expected_count = expected_count

    def test_started(self, test_context, test_index, **info) -> None:
        """Called when a test's process has been started (*info* may carry ``nodes``)."""

    def test_finished(self, result) -> None:
        """Called once per finished test, in finishing order."""

    def session_finished(self, results, interrupted: bool = False) -> None:
        """Called once at the end, also when the run was interrupted."""


def notify(reporters: list, hook: str, *args, logger: logging.Logger | None = None, **kwargs) -> list:
    """Call *hook* on every reporter; a failing reporter is logged and skipped, never fatal.

    Returns the exceptions raised (empty when all went well), so the caller may report them.
    """
    errors = []
    for reporter in reporters:
        try:
            getattr(reporter, hook)(*args, **kwargs)
        except Exception as err:
            errors.append(err)
            if logger is not None:
                logger.warning("%s.%s failed: %r", type(reporter).__name__, hook, err, exc_info=True)
    return errors


def write_atomic(path: Path, text: str) -> None:
    """Replace *path* with *text* in one step, so a killed run never leaves half a file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
