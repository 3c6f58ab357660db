"""Upstream's import path of the test process; the code lives in the runner package
(``ducktape/tests/runner/runner_client.py`` and its neighbours)."""
from ducktape.tests.runner.outcome import (
    PhaseOutcome,
    TestTimedOut,
    merge_run_summaries,
)
from ducktape.tests.runner.runner_client import RunnerClient
from ducktape.tests.runner.signals import TIMEOUT_SIGNAL

__all__ = ["TIMEOUT_SIGNAL", "PhaseOutcome", "RunnerClient", "TestTimedOut", "merge_run_summaries"]
