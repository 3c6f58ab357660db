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

    console = False  # True for reporters that write to the terminal rather than the results root

    def __init__(self, session_context) -> None:
        self.session_context = session_context
        self.session_dir = Path(session_context.results_dir)
        self.expected_count: int | None = None
        self.notes: list[str] = []  # one-line remarks ``notify`` logs after each hook

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

    Each reporter's first failure is one warning line (the traceback goes to the debug log
    only); later failures of the same reporter, such as a progress line on a closed pipe
    after every test, are logged at debug level. A reporter's ``notes`` (one-line remarks
    such as a skipped file) are logged after the hook. Returns the exceptions raised by
    reporters that write files (empty when all went well), so the caller may act on them
    (a full results root); a console reporter's failure (a closed stdout) is only logged.
    """
    errors = []
    for reporter in reporters:
        try:
            getattr(reporter, hook)(*args, **kwargs)
        except Exception as err:  # noqa: BLE001 - logged in _log_failure; a reporter never ends the run
            if not getattr(reporter, "console", False):
                errors.append(err)
            if logger is not None:
                _log_failure(logger, reporter, hook, err)
        notes = getattr(reporter, "notes", None)
        while notes:
            note = notes.pop(0)
            if logger is not None:
                logger.warning("%s", note)
    return errors


def _log_failure(logger: logging.Logger, reporter, hook: str, err: Exception) -> None:
    from ducktape.tests.disk_full import is_no_space

    name = type(reporter).__name__
    said_once_by_the_session = is_no_space(err) and not getattr(reporter, "console", False)
    first = not getattr(reporter, "_failure_logged", False) and not said_once_by_the_session
    try:
        reporter._failure_logged = True
    except AttributeError:  # a reporter with __slots__: log every failure
        first = True
    logger.log(logging.WARNING if first else logging.DEBUG, "%s.%s failed: %s", name, hook, describe_error(err))
    logger.debug("%s.%s failed", name, hook, exc_info=err)


def describe_error(err: BaseException) -> str:
    """One line for a failed write: the OS error's text and file name, else ``repr``."""
    if isinstance(err, OSError) and err.strerror:
        where = f": {err.filename}" if err.filename else ""
        return f"{err.strerror}{where}"
    return repr(err)


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
