"""What each status means to the reports, asked of the status instead of compared as text."""
from __future__ import annotations

import pytest

from ducktape.tests.status import (
    FAIL,
    FLAKY,
    IGNORE,
    OFAIL,
    OPASS,
    PASS,
    SUMMARY_ORDER,
    TestStatus,
    status_of,
)

# status: fails_run, failed, shows_summary, junit_element, junit_counted, quiet_hidden
TABLE = {
    PASS: (False, False, False, None, True, True),
    FLAKY: (False, False, True, None, True, False),
    FAIL: (True, True, True, "failure", True, False),
    IGNORE: (False, False, False, "skipped", True, True),
    OPASS: (False, False, False, "skipped", False, True),
    OFAIL: (False, True, True, "skipped", False, False),
}


@pytest.mark.parametrize("status", list(TABLE), ids=str)
def test_each_status_carries_its_reporting_traits_in_any_spelling(status):
    for same in (status, TestStatus(status.to_json()), status_of(str(status)), status_of(status.to_json())):
        traits = (same.fails_run, same.failed, same.shows_summary, same.junit_element, same.junit_counted,
                  same.quiet_hidden)
        assert traits == TABLE[status]
    assert str(status) == str(status).lower() and status.to_json() == str(status).upper()


def test_only_fail_fails_the_run_and_the_table_order_covers_every_status():
    assert [s for s in TABLE if s.fails_run] == [FAIL]
    assert sorted(map(str, SUMMARY_ORDER)) == sorted(map(str, TABLE))
    unknown = TestStatus("running")
    assert not (unknown.fails_run or unknown.failed or unknown.shows_summary or unknown.junit_counted)
    assert status_of(FAIL) is FAIL
