"""Exceptions that test suites import by path (contract: ducktape.errors)."""
from __future__ import annotations


class DucktapeError(RuntimeError):
    """Base of ducktape's own errors."""


class TimeoutError(DucktapeError):  # the contract name shadows the builtin on purpose
    """A wait ran out of time; suites catch it as ducktape.errors.TimeoutError."""


USAGE_EXIT = 2  # the exit status of a usage error, as argparse's


class UsageError(Exception):
    """Bad input: a path, a suite file, a flag value, a cluster file.

    *message* says what is wrong and quotes the input as given; *hint* gives the
    accepted form or the fix when one is known. Any layer raises it; only
    ``command_line`` prints it (one line on stderr) and exits with ``USAGE_EXIT``.
    """

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\nhint: {self.hint}"
        return self.message
