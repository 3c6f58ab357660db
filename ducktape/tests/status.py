"""Test statuses: str() lower case, to_json() upper case, equality case-insensitive.

Each status also says how reporting treats it, so reporters ask the status instead of
comparing strings: ``fails_run`` (only FAIL: exit status, rerun list, JUnit failures),
``failed`` (the test failed, ok-to-fail or not: all logs are collected),
``shows_summary`` (its summary is printed), ``junit_element`` and ``junit_counted``,
``quiet_hidden`` (``-q`` does not print it). ``SUMMARY_ORDER`` is the order of the
console's status table.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class _Traits:
    fails_run: bool = False
    failed: bool = False
    shows_summary: bool = False
    junit_element: str | None = None  # "failure", "skipped" or None (a plain <testcase>)
    junit_counted: bool = False  # counted in <testsuites tests=…>
    quiet_hidden: bool = False


_TRAITS = {
    "pass": _Traits(junit_counted=True, quiet_hidden=True),
    "flaky": _Traits(shows_summary=True, junit_counted=True),
    "fail": _Traits(fails_run=True, failed=True, shows_summary=True, junit_element="failure", junit_counted=True),
    "ignore": _Traits(junit_element="skipped", junit_counted=True, quiet_hidden=True),
    "opass": _Traits(junit_element="skipped", quiet_hidden=True),
    "ofail": _Traits(failed=True, shows_summary=True, junit_element="skipped"),
}
_UNKNOWN = _Traits()


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

    @property
    def _traits(self) -> _Traits:
        return _TRAITS.get(self._status, _UNKNOWN)

    @property
    def fails_run(self) -> bool:
        """True for FAIL only: it makes the run unsuccessful and is listed for a rerun."""
        return self._traits.fails_run

    @property
    def failed(self) -> bool:
        """True when the test failed, ok-to-fail (OFAIL) included: every log is collected."""
        return self._traits.failed

    @property
    def shows_summary(self) -> bool:
        """True when reports print the test's summary (FAIL, FLAKY, OFAIL)."""
        return self._traits.shows_summary

    @property
    def junit_element(self) -> str | None:
        """The child of the JUnit ``<testcase>``: ``"failure"``, ``"skipped"`` or None."""
        return self._traits.junit_element

    @property
    def junit_counted(self) -> bool:
        """True when the JUnit ``<testsuites tests=…>`` total counts it (not the ok-to-fail ones)."""
        return self._traits.junit_counted

    @property
    def quiet_hidden(self) -> bool:
        """True when ``-q`` leaves the test's line out (PASS, OPASS, IGNORE)."""
        return self._traits.quiet_hidden


def status_of(value: object) -> TestStatus:
    """*value* (a TestStatus or a status name in any case) as a TestStatus."""
    return value if isinstance(value, TestStatus) else TestStatus(str(value))


PASS = TestStatus("pass")
FLAKY = TestStatus("flaky")
FAIL = TestStatus("fail")
IGNORE = TestStatus("ignore")
# @ok_to_fail outcomes (fork extension): neither changes the exit status.
OPASS = TestStatus("opass")
OFAIL = TestStatus("ofail")

SUMMARY_ORDER = (FAIL, FLAKY, OFAIL, OPASS, IGNORE, PASS)
"""The order of statuses in the console's status table."""
