"""An exception or a return value whose __repr__ (and __str__) raises is reported like any
other; it never crashes the test process."""
from __future__ import annotations

import json

from ducktape.utils.util import safe_repr
from tests.support.suites import run_ducktape, write_suite

SUITE = """
from ducktape.tests.test import Test


class Unprintable:
    def __repr__(self):
        raise RuntimeError("repr boom")
    __str__ = __repr__


class UnprintableError(Exception):
    def __repr__(self):
        raise RuntimeError("repr boom")
    __str__ = __repr__


class ReprTest(Test):
    def test_returns(self):
        return Unprintable()

    def test_returns_in_a_dict(self):
        return {"x": Unprintable()}

    def test_raises(self):
        raise UnprintableError()
"""


def test_unprintable_errors_and_values_are_reported(suite_dir):
    write_suite(suite_dir, {"r/test_repr.py": SUITE})
    proc = run_ducktape(["r"], suite_dir)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Process ducktape-test" not in proc.stderr and "exited with status" not in proc.stdout, proc.stderr
    report = json.loads((suite_dir / "results" / "latest" / "report.json").read_text())
    results = {r["function_name"]: r for r in report["results"]}
    assert {name: r["test_status"] for name, r in results.items()} == {
        "test_raises": "FAIL", "test_returns": "PASS", "test_returns_in_a_dict": "PASS"}
    assert results["test_raises"]["summary"].startswith("<UnprintableError object; repr() raised RuntimeError>")
    assert "test_repr.py\", line 25, in test_raises" in results["test_raises"]["summary"]
    assert results["test_returns"]["data"] == "<Unprintable object; repr() raised RuntimeError>"
    assert results["test_returns_in_a_dict"]["data"] == "<dict object; repr() raised RuntimeError>"


def test_safe_repr():
    class Loud:
        def __repr__(self):
            raise ValueError("no")

    assert safe_repr([1, "a"]) == "[1, 'a']"
    assert safe_repr(Loud()) == "<Loud object; repr() raised ValueError>"
