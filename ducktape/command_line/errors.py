"""Errors in what the user typed or pointed us at. command_line/main turns them into
one line on stderr and exit status 2; nothing below command_line prints or exits."""
from __future__ import annotations

USAGE_EXIT = 2


class UsageError(Exception):
    """Bad input: a path, a suite file, a flag value, a cluster file.

    *message* says what is wrong and quotes the input as given; *hint* gives the
    accepted form or the fix when one is known.
    """

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\nhint: {self.hint}"
        return self.message
