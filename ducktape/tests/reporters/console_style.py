"""How ducktape writes to the terminal: one line format, colour only on a terminal, verbosity.

Every console line, from the driver or from a test process, has the session log's format
``[LEVEL:time]: message``; a test process adds its test id after the colon. Colour follows
pytest's habits: only when the stream is a terminal, never when ``NO_COLOR`` is set to a
non-empty value. On a terminal the progress reporter keeps a live line at the bottom; every
console record first erases that line, so a log line or a traceback never mixes with it (the
progress reporter redraws it within a second).
"""
from __future__ import annotations

import logging
import os
from typing import TextIO

from ducktape.defaults import ConsoleDefaults

ERASE_LINE = "\r\x1b[K"
_RESET = "\x1b[0m"
_CODES = {
    "PASS": "32", "OPASS": "36", "FAIL": "31;1", "OFAIL": "35", "FLAKY": "33", "IGNORE": "90",
    "DEBUG": "90", "WARNING": "33", "ERROR": "31;1", "CRITICAL": "31;1",
}


def is_terminal(stream: TextIO) -> bool:
    """True when *stream* is a terminal (False for anything without ``isatty``)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def colour_enabled(stream: TextIO) -> bool:
    """Colour on a terminal, unless ``NO_COLOR`` is set and not empty (https://no-color.org)."""
    return is_terminal(stream) and not os.environ.get("NO_COLOR")


def paint(text: str, key: str, enabled: bool) -> str:
    """*text* in the colour of *key* (a status such as PASS or a level such as WARNING) when *enabled*."""
    code = _CODES.get(key.upper())
    return f"\x1b[{code}m{text}{_RESET}" if enabled and code else text


def console_level(debug: bool, verbosity: int, in_test: bool) -> int:
    """The lowest level shown on the console.

    Driver: INFO; ``-q`` WARNING, ``-qq`` ERROR, ``-vv`` DEBUG. Test processes: WARNING;
    ``-v`` INFO, ``-vv`` DEBUG, ``-qq`` ERROR. ``--debug`` shows DEBUG from both.
    """
    if debug:
        return logging.DEBUG
    if verbosity >= 2:
        return logging.DEBUG
    if verbosity <= -2:
        return logging.ERROR
    if in_test:
        return logging.INFO if verbosity == 1 else logging.WARNING
    return logging.WARNING if verbosity == -1 else logging.INFO


class ConsoleFormatter(logging.Formatter):
    """The session log format, the level coloured on a terminal, the test id after the colon
    for a test process's records."""

    def __init__(self, colour: bool, test_id: str | None = None) -> None:
        super().__init__(ConsoleDefaults.SESSION_LOG_FORMATTER)
        self.colour = colour
        self.test_id = test_id

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if self.test_id:
            head, sep, message = text.partition("]: ")
            # RunnerClient lines already name the test (in the test log files, as upstream's do)
            message = message.removeprefix(f"RunnerClient: {self.test_id}: ")
            text = f"{head}{sep}{self.test_id}: {message}"
        if self.colour and record.levelname in _CODES:
            text = text.replace(record.levelname, paint(record.levelname, record.levelname, True), 1)
        return text


class ConsoleHandler(logging.StreamHandler):
    """A stream handler that erases the progress reporter's live line before each record on a terminal."""

    def __init__(self, stream: TextIO, test_id: str | None = None) -> None:
        super().__init__(stream)
        self.setFormatter(ConsoleFormatter(colour_enabled(stream), test_id))

    def setStream(self, stream: TextIO) -> TextIO | None:
        old = super().setStream(stream)
        self.setFormatter(ConsoleFormatter(colour_enabled(stream), getattr(self.formatter, "test_id", None)))
        return old

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return ERASE_LINE + text if is_terminal(self.stream) else text
