"""The test-process side: phase capture and the deflake summary, without a cluster."""
from __future__ import annotations

import pytest

from ducktape.tests.runner_client import PhaseOutcome, TestTimedOut, merge_run_summaries
from ducktape.tests.status import FAIL, FLAKY, PASS


def test_capture_keeps_the_value():
    outcome = PhaseOutcome.capture("test", lambda: {"x": 1})
    assert outcome.ok and outcome.value == {"x": 1} and outcome.summary_lines() == []


def test_capture_keeps_the_error_and_traceback():
    def boom():
        raise ValueError("bad value")

    outcome = PhaseOutcome.capture("setUp", boom)
    assert not outcome.ok
    lines = outcome.summary_lines()
    assert lines[0] == "ValueError('bad value')"
    assert any("in boom" in line for line in lines)


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), SystemExit(3), TestTimedOut("late")])
def test_capture_keeps_base_exceptions(exc):
    def raise_it():
        raise exc

    outcome = PhaseOutcome.capture("test", raise_it)
    assert outcome.error is exc and not outcome.ok
    assert outcome.summary_lines()[0] == repr(exc)


def test_timeout_is_not_an_exception_a_test_can_swallow():
    assert not issubclass(TestTimedOut, Exception)


def test_clean_pass_summary():
    assert merge_run_summaries([], PASS, 1) == ["Test Passed"]


def test_single_failure_summary_is_kept_as_is():
    assert merge_run_summaries([["E1", "tb"]], FAIL, 1) == ["E1", "tb"]


def test_deflake_groups_identical_failures():
    merged = merge_run_summaries([["E1"], ["E2"], ["E1"]], FAIL, 3)
    assert merged[0] == "runs 1, 3 summary:"
    assert merged[1] == "E1"
    assert set(merged[2]) == {"~"}
    assert merged[3:] == ["run 2 summary:", "E2"]


def test_flaky_pass_is_labelled_with_its_own_run_number():
    merged = merge_run_summaries([["E1"], ["E1"]], FLAKY, 3)
    assert merged[0] == "runs 1, 2 summary:"
    assert merged[-1] == "run 3: PASSED"


def make_client(tmp_path):
    import multiprocessing

    from ducktape.tests.runner_client import RunnerClient
    from ducktape.tests.session import SessionContext
    from ducktape.tests.test import Test
    from ducktape.tests.test_context import TestContext

    class ClientTest(Test):
        def test_x(self):
            pass

    session = SessionContext(session_id="s", results_dir=str(tmp_path))
    ctx = TestContext(session_context=session, module="m", cls=ClientTest, function=ClientTest.test_x)
    ctx.test_index = 1
    _reader, writer = multiprocessing.Pipe(duplex=False)
    return RunnerClient(ctx, 1, session, writer)


def test_a_signal_between_phases_ends_the_next_phase_unrun(tmp_path):
    client = make_client(tmp_path)
    client._deliver(KeyboardInterrupt("received SIGINT"))  # outside any phase: kept, not raised
    ran = []
    outcome = client._phase("test", lambda: ran.append(1))
    assert ran == [] and isinstance(outcome.error, KeyboardInterrupt)
    assert client._phase("test", lambda: ran.append(2)).ok and ran == [2]  # kept once only


def test_a_signal_inside_a_step_raises_there(tmp_path):
    client = make_client(tmp_path)

    def step():
        client._deliver(TestTimedOut("late"))
        raise AssertionError("not reached")

    outcome = client._step("tearDown", step)
    assert isinstance(outcome.error, TestTimedOut) and client._pending is None
