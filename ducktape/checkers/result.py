"""CheckResult: what a checker says about a history, as a value a test can return or assert on."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CheckResult:
    """``valid`` is True, False, or None when the checker could not decide (out of its time budget).
    ``summary`` is one line; ``details`` is plain JSON data."""

    valid: bool | None
    checker: str
    summary: str
    details: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        """``{"valid": ..., "checker": ..., "summary": ..., **details}``: a test returns it under "checker"."""
        return {"valid": self.valid, "checker": self.checker, "summary": self.summary, **self.details}


def verdict(data: Any) -> tuple[bool | None, str] | None:
    """(valid, summary) of the ``"checker"`` entry of a test's returned data, or None when it has none."""
    checker = data.get("checker") if isinstance(data, dict) else None
    if not isinstance(checker, dict) or "valid" not in checker:
        return None
    valid = checker["valid"]
    summary = checker.get("summary") or f"{checker.get('checker', 'checker')}: valid={valid}"
    return (valid if valid in (True, False) else None), str(summary)
