"""Test statuses: str() lower case, to_json() upper case, equality case-insensitive."""
from __future__ import annotations


class TestStatus:
    """One outcome of a test (pass, fail, ignore, flaky, opass, ofail)."""

    __test__ = False  # not a pytest class

    def __init__(self, status: str) -> None:
        self._status = str(status).lower()

    def __eq__(self, other: object) -> bool:
        return str(self).lower() == str(other).lower()

    def __hash__(self) -> int:
        return hash(self._status)

    def __str__(self) -> str:
        return self._status

    def __repr__(self) -> str:
        return f"TestStatus({self._status!r})"

    def to_json(self) -> str:
        return self._status.upper()


PASS = TestStatus("pass")
FLAKY = TestStatus("flaky")
FAIL = TestStatus("fail")
IGNORE = TestStatus("ignore")
# @ok_to_fail outcomes (fork extension): neither changes the exit status.
OPASS = TestStatus("opass")
OFAIL = TestStatus("ofail")
