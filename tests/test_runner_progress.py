"""Console progress: one line per test off a terminal, a live line on one."""
from __future__ import annotations

import io
import time

from ducktape.tests.reporters.progress import ProgressReporter
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


class Started:
    """What progress reads from a TestContext when its process starts."""

    def __init__(self, cls_name, function_name, injected_args_name=""):
        self.cls_name, self.function_name, self.injected_args_name = cls_name, function_name, injected_args_name
        self.test_id = f"m.{cls_name}.{function_name}"


def quiet_or_verbose(verbosity):
    ctx = session()
    ctx.verbosity = verbosity
    return ctx


def test_live_line_names_running_tests_oldest_first_and_forgets_finished_ones():
    progress = ProgressReporter(session(), stream=io.StringIO(), live=True, tick_seconds=3600, width=200)
    progress.session_started(session(), 3)
    progress.test_started(Started("KafkaTest", "test_upgrade", "from=2.8"), 1)
    progress.test_started(Started("KafkaTest", "test_quick"), 2)
    assert progress.line().endswith("| running: KafkaTest.test_upgrade.from=2.8 (0:00), KafkaTest.test_quick (0:00)")
    finished = Finished("m.KafkaTest.test_quick", PASS)
    finished.test_index = 2
    progress.test_finished(finished)
    assert progress.line().endswith("| running: KafkaTest.test_upgrade.from=2.8 (0:00)")
    progress.session_finished([], interrupted=False)


def test_live_line_is_cut_to_the_terminal_width():
    progress = ProgressReporter(session(), stream=io.StringIO(), live=True, tick_seconds=3600, width=40)
    progress.session_started(session(), 3)
    progress.test_started(Started("SomeVeryLongClassName", "test_with_a_long_name"), 1)
    line = progress.line()
    assert len(line) == 39 and line.endswith("…")
    progress.session_finished([], interrupted=False)


def test_verbose_prints_every_test_above_the_live_line_and_quiet_only_what_did_not_pass():
    out = io.StringIO()
    progress = ProgressReporter(quiet_or_verbose(1), stream=out, live=True, tick_seconds=3600, colour=False)
    progress.session_started(session(), 2)
    progress.test_finished(Finished("m.C.test_a", PASS))
    progress.session_finished([], interrupted=False)
    assert "\r\x1b[K[1/2] PASS   m.C.test_a (1.500 s)\n" in out.getvalue()

    out = io.StringIO()
    progress = ProgressReporter(quiet_or_verbose(-1), stream=out)
    progress.session_started(session(), 3)
    for test_id, status in [("m.C.test_a", PASS), ("m.C.test_b", FAIL), ("m.C.test_c", IGNORE)]:
        progress.test_finished(Finished(test_id, status))
    progress.session_finished([], interrupted=False)
    assert out.getvalue().splitlines() == ["[2/3] FAIL   m.C.test_b (1.500 s)"]


def test_colour_only_when_asked():
    plain, painted = io.StringIO(), io.StringIO()
    for out, colour in ((plain, False), (painted, True)):
        progress = ProgressReporter(session(), stream=out, live=False, colour=colour)
        progress.session_started(session(), 1)
        progress.test_finished(Finished("m.C.test_b", FAIL))
    assert "\x1b" not in plain.getvalue()
    assert painted.getvalue().startswith("[1/1] \x1b[31;1mFAIL  \x1b[0m m.C.test_b")
