"""Reading a results root as a history: flaky on one suite version, recurring signatures."""
from __future__ import annotations

from ducktape.tests.history import (
    flaky_by_suite_version,
    recurring_signatures,
    suite_key,
)


def _session(n: int, suite: str | None, tests: dict, groups=()) -> dict:
    return {"dir": f"s{n}", "start": 1000.0 + n, "suite": suite, "tests": tests, "groups": list(groups)}


def test_only_a_clean_known_commit_is_a_suite_version():
    assert suite_key({"commit": "abc", "dirty": False}) == "abc"
    assert suite_key({"commit": "abc", "dirty": True}) is None
    assert suite_key(None) is None and suite_key({"dirty": False}) is None


def test_flaky_means_pass_and_fail_on_the_same_suite_version():
    sessions = [
        _session(1, "v1", {"a": "PASS", "b": "PASS", "c": "PASS", "d": "FLAKY", "e": "OPASS"}),
        _session(2, "v1", {"a": "FAIL", "c": "PASS", "e": "OFAIL"}),
        _session(3, "v2", {"b": "FAIL", "c": "FAIL"}),  # b and c changed with the code: not flaky
        _session(4, None, {"c": "PASS"}),  # unknown version: never compared
    ]
    assert flaky_by_suite_version(sessions) == {"a": "v1", "d": "v1", "e": "v1"}


def test_recurring_signatures_count_tests_and_sessions_most_widespread_first():
    sessions = [
        _session(1, None, {}, [["S1", ["a"]], ["S2", ["b"]]]),
        _session(2, None, {}, [["S1", ["a", "c"]]]),
        _session(3, None, {}, []),
    ]
    assert recurring_signatures(sessions) == [
        {"sig": "S1", "tests": 2, "sessions": 2, "since": 1001.0, "last": 1002.0, "last_dir": "s2"},
        {"sig": "S2", "tests": 1, "sessions": 1, "since": 1001.0, "last": 1001.0, "last_dir": "s1"},
    ]
