"""LoggerMaker: configure a named logger once (handlers added on first use); close_logger."""
from __future__ import annotations

import logging


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


def close_logger(logger: logging.Logger | None) -> None:
    """Close and detach every handler of *logger*."""
    if logger is None:
        return
    for handler in logger.handlers[:]:
        handler.close()
        logger.removeHandler(handler)
