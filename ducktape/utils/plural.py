"""Counts in messages: "1 test", "2 tests", so no message says "1 tests"."""
from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``counted(1, "test")`` is "1 test", ``counted(2, "process", "processes")`` "2 processes"."""
    return f"{count} {noun if count == 1 else (plural or noun + 's')}"
