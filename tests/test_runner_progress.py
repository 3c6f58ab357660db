"""Console progress: one line per test off a terminal, a live line on one."""
from __future__ import annotations

import io
import time

from ducktape.tests.progress import ProgressReporter
from ducktape.tests.session import SessionContext
from ducktape.tests.status import FAIL, FLAKY, IGNORE, PASS
from ducktape.utils.util import wait_until


class Finished:
    """What progress reads from a TestResult."""

    def __init__(self, test_id, status, run_time=1.5):
        self.test_id, self.test_status, self.run_time_seconds = test_id, status, run_time


def session():
    return SessionContext(session_id="s", results_dir="/tmp/ducktape-progress-test")


def test_plain_lines_when_not_a_terminal():
    out = io.StringIO()
    progress = ProgressReporter(session(), stream=out)
    assert progress.live is False  # StringIO is not a terminal
    progress.session_started(session(), 12)
    progress.test_finished(Finished("m.C.test_a", PASS))
    progress.test_finished(Finished("m.C.test_b", FAIL, 0.25))
    progress.session_finished([], interrupted=False)
    assert out.getvalue().splitlines() == ["[ 1/12] PASS   m.C.test_a (1.500 s)",
                                           "[ 2/12] FAIL   m.C.test_b (0.250 s)"]


def test_live_line_counts_and_estimates():
    out = io.StringIO()
    progress = ProgressReporter(session(), stream=out, live=True, tick_seconds=3600)
    progress.session_started(session(), 4)
    for test_id, status in [("a", PASS), ("b", FLAKY), ("c", IGNORE)]:
        progress.test_finished(Finished(test_id, status))
    line = progress.line()
    assert line.startswith("[3/4] 1 passed, 1 flaky, 1 ignored | ")
    assert "elapsed, ~" in line and line.endswith("left")
    assert out.getvalue().startswith("\r\x1b[K[1/4]") and out.getvalue().endswith("left\r")
    progress.session_finished([], interrupted=False)


def test_live_mode_prints_failures_above_the_line_and_clears_it_at_the_end():
    out = io.StringIO()
    progress = ProgressReporter(session(), stream=out, live=True, tick_seconds=3600)
    progress.session_started(session(), 1)
    progress.test_finished(Finished("m.C.test_x", FAIL))
    progress.session_finished([], interrupted=False)
    text = out.getvalue()
    assert "FAIL m.C.test_x\n" in text
    assert "left" not in progress.line()  # nothing left once all are done
    assert text.endswith("\r\x1b[K")


def test_live_line_ticks_while_a_test_runs_and_stops_at_the_end():
    out = io.StringIO()
    progress = ProgressReporter(session(), stream=out, live=True, tick_seconds=0.01)
    progress.session_started(session(), 2)
    wait_until(lambda: out.getvalue().count("[0/2] ") >= 3, timeout_sec=30, backoff_sec=0.01,
               err_msg="the live line was not redrawn while no test finished")
    assert "left" not in progress.line()  # no test finished yet: no estimate to give
    progress.session_finished([], interrupted=False)
    assert not progress._ticker.is_alive()
    settled = out.getvalue()
    assert settled.endswith("\r\x1b[K")
    time.sleep(0.05)  # a ticker still running would write again
    assert out.getvalue() == settled
