"""Failure signatures: normalising messages, finding the test's own frame, grouping failures."""
from __future__ import annotations

import pytest

from ducktape.tests.signature import (
    attempt_blocks,
    failure_groups,
    failure_of,
    normalise,
    result_failure,
)


@pytest.mark.parametrize("text, expected", [
    ("timed out after 12.3 s waiting for worker3", "timed out after <duration> waiting for <host>"),
    ("took 250ms, then 3 minutes", "took <duration>, then <duration>"),
    ("at 2026-12-06T06:45:51.123Z and 2026-12-06 06:45:51,123", "at <time> and <time>"),
    ("since 07:01:02", "since <time>"),
    ("cannot open /tmp/tmpk3j2h1x9/kafka.log: gone", "cannot open <tmp>: gone"),
    ("object at 0x7f3a2b1c00d0 and id deadbeef1234", "object at <hex> and id <hex>"),
    ("uuid 123e4567-e89b-12d3-a456-426614174000", "uuid <hex>"),
    ("connect to 10.0.0.3:9092 refused", "connect to <addr> refused"),
    ("fe80::1 is not fe80:0:0:0:0:0:0:2", "<addr> is not <addr>"),
    ("ip-10-0-1-17.ec2.internal and broker-2.kafka.local down", "<host> and <host> down"),
    ("3 of 100 messages lost", "<n> of <n> messages lost"),
])
def test_normalise_replaces_what_differs_between_runs(text, expected):
    assert normalise(text) == expected


def test_normalise_replaces_the_nodes_the_test_held_whatever_their_names():
    assert normalise("zk-alpha is down, zk-alphabet is fine", ["zk-alpha"]) == "<host> is down, zk-alphabet is fine"


TRACE = """TimeoutError('timed out after {secs} s waiting for worker{n}')
Traceback (most recent call last):
  File "/work/suite/tests/seeded_test.py", line 9, in test_varying
    wait_for(self.svc, {secs})
  File "/work/suite/tests/seeded_test.py", line 5, in wait_for
    wait_until(lambda: False, timeout_sec=secs)
  File "/usr/lib/python3/site-packages/ducktape/utils/util.py", line 40, in wait_until
    raise TimeoutError(err_msg)
ducktape.errors.TimeoutError: timed out after {secs} s waiting for worker{n}"""


def test_two_timeouts_with_different_numbers_and_nodes_share_a_signature():
    a = failure_of(TRACE.format(secs=12.3, n=3), "/work/suite/tests/seeded_test.py")
    b = failure_of(TRACE.format(secs=45.1, n=1), "/work/suite/tests/seeded_test.py")
    assert a.signature == b.signature == (
        "ducktape.errors.TimeoutError: timed out after <duration> waiting for <host> @ seeded_test.py:wait_for")
    assert a.example == "ducktape.errors.TimeoutError: timed out after 12.3 s waiting for worker3"
    assert a.kind == "ducktape.errors.TimeoutError"


def test_the_innermost_frame_is_the_test_modules_own_not_the_librarys():
    other_file = failure_of(TRACE.format(secs=1, n=1), "/elsewhere/other_test.py")
    # not the test's file: the innermost frame outside installed packages
    assert other_file.signature.endswith("@ seeded_test.py:wait_for")
    only_library = failure_of(TRACE.format(secs=1, n=1).replace("/work/suite/tests/", "/venv/site-packages/x/"))
    assert "@" not in only_library.signature


def test_a_chained_exception_is_signed_by_the_one_that_ended_the_test():
    text = """RuntimeError('restart failed')
Traceback (most recent call last):
  File "/s/t_test.py", line 3, in helper
    raise OSError(5, 'EIO')
OSError: [Errno 5] EIO

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/s/t_test.py", line 8, in test_restart
    raise RuntimeError("restart failed")
RuntimeError: restart failed"""
    assert failure_of(text, "/s/t_test.py").signature == "RuntimeError: restart failed @ t_test.py:test_restart"


def test_a_summary_without_traceback_is_its_first_line_normalised():
    found = failure_of("Test requested 3 nodes, used only 1")
    assert found.signature == failure_of("Test requested 5 nodes, used only 2").signature
    assert found.signature == "Test requested <n> nodes, used only <n>" and found.kind == ""
    assert failure_of("ValueError('bad 7')").kind == "ValueError"


MERGED = """runs 1, 3 summary:
AssertionError('lost 3 messages')
~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
run 2 summary:
RuntimeError('broker 2 died')
~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
run 4: PASSED"""


def test_attempt_blocks_split_a_deflaked_summary():
    assert attempt_blocks(MERGED) == [([1, 3], "AssertionError('lost 3 messages')"),
                                      ([2], "RuntimeError('broker 2 died')")]
    assert attempt_blocks("ValueError('x')") == [([1], "ValueError('x')")]
    assert attempt_blocks("") == []


def test_a_result_is_signed_by_its_last_failed_attempt():
    assert result_failure(MERGED).example == "AssertionError('lost 3 messages')"  # attempt 3 is the last failure


def test_failure_groups_are_largest_first_and_list_each_test_once():
    results = [
        {"test_id": "a", "failure": {"signature": "S1", "example": "e1"}},
        {"test_id": "b", "failure": {"signature": "S2", "example": "e2"}},
        {"test_id": "c", "failure": {"signature": "S2", "example": "e3"}},
        {"test_id": "c", "failure": {"signature": "S2", "example": "e4"}},  # --repeat: the same test again
        {"test_id": "d"},  # passed
    ]
    assert failure_groups(results) == [
        {"signature": "S2", "example": "e2", "test_ids": ["b", "c"]},
        {"signature": "S1", "example": "e1", "test_ids": ["a"]},
    ]
