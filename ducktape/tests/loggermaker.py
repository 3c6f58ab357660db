"""LoggerMaker: configure a named logger once (handlers added on first use); close_logger."""
from __future__ import annotations

import logging
import os
import sys

from ducktape.tests.console_style import ConsoleHandler


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


def add_file_and_console_handlers(logger: logging.Logger, log_dir: str, prefix: str, log_format: str,
                                  console_level: int, test_id: str | None = None) -> None:
    """Send *logger* to ``<prefix>.info`` and ``<prefix>.debug`` in *log_dir* (in *log_format*),
    and to stdout at *console_level* in the one console format (naming *test_id* when given):
    the layout shared by the session log and every test log."""
    logger.setLevel(logging.DEBUG)
    formatter = logging.Formatter(log_format)
    for name, level in ((f"{prefix}.info", logging.INFO), (f"{prefix}.debug", logging.DEBUG)):
        handler = logging.FileHandler(os.path.join(log_dir, name))
        handler.setLevel(level)
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    console = ConsoleHandler(sys.stdout, test_id)
    console.setLevel(console_level)
    logger.addHandler(console)


def close_logger(logger: logging.Logger | None) -> None:
    """Close and detach every handler of *logger*."""
    if logger is None:
        return
    for handler in logger.handlers[:]:
        handler.close()
        logger.removeHandler(handler)
