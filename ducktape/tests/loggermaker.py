"""LoggerMaker: configure a named logger once (handlers added on first use); close_logger."""
from __future__ import annotations

import logging
import os
import sys

from ducktape.tests.reporters.console_style import ConsoleHandler


class LoggerMaker:
    """Subclasses add handlers in ``configure_logger``; a logger with handlers counts as configured."""

    def __init__(self, logger_name: str) -> None:
        self.logger_name = logger_name

    @property
    def logger(self) -> logging.Logger:
        if not hasattr(self, "_logger"):
            self._logger = logging.getLogger(self.logger_name)
        if not self.configured:
            self.configure_logger()
        return self._logger

    @property
    def configured(self) -> bool:
        return len(logging.getLogger(self.logger_name).handlers) > 0

    def configure_logger(self) -> None:
        raise NotImplementedError("configure_logger must be implemented by a subclass")


class _GuardedHandler(logging.Handler):
    """A handler that stops writing, silently, once its stream fails with an OS error: a full
    disk or a closed stdout (``ducktape ... | head``) must not print a traceback per log line.
    The session notices such failures where it writes its results and says so once."""

    def handleError(self, record: logging.LogRecord) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            self.setLevel(logging.CRITICAL + 1)
            return
        super().handleError(record)


class GuardedFileHandler(_GuardedHandler, logging.FileHandler):
    """A FileHandler that goes quiet when its file cannot be written."""


class GuardedConsoleHandler(_GuardedHandler, ConsoleHandler):
    """The console handler, quiet once stdout is closed or full."""


def add_file_and_console_handlers(logger: logging.Logger, log_dir: str, prefix: str, log_format: str,
                                  console_level: int, test_id: str | None = None) -> None:
    """Send *logger* to ``<prefix>.info`` and ``<prefix>.debug`` in *log_dir* (in *log_format*),
    and to stdout at *console_level* in the one console format (naming *test_id* when given):
    the layout shared by the session log and every test log."""
    logger.setLevel(logging.DEBUG)
    formatter = logging.Formatter(log_format)
    for name, level in ((f"{prefix}.info", logging.INFO), (f"{prefix}.debug", logging.DEBUG)):
        handler = GuardedFileHandler(os.path.join(log_dir, name))
        handler.setLevel(level)
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    console = GuardedConsoleHandler(sys.stdout, test_id)
    console.setLevel(console_level)
    logger.addHandler(console)


def close_logger(logger: logging.Logger | None) -> None:
    """Close and detach every handler of *logger*."""
    if logger is None:
        return
    for handler in logger.handlers[:]:
        try:
            handler.close()
        except OSError:  # its last flush hit a full disk: what was written stays
            pass
        logger.removeHandler(handler)
