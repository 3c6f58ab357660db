"""Console progress while tests run: a live line on a terminal, one line per test otherwise.

A reporter like the others (it only listens); the final summary is printed by the
summary reporters, so this one clears its live line when the session ends. On a
terminal a ticker thread redraws the line every second, so elapsed time moves during
long tests, and the line names the tests that are running, the longest-running first.
The line is cut to the terminal's width, so it never wraps (a wrapped line cannot be
redrawn in place). Verbosity (``-v``/``-q``) and colour follow ``console_style``.
"""
from __future__ import annotations

import shutil
import sys
import threading
import time
from typing import Any, TextIO

from ducktape.tests.reporters.base import Reporter
from ducktape.tests.reporters.console_style import (
    ERASE_LINE,
    colour_enabled,
    is_terminal,
    paint,
)
from ducktape.tests.status import status_of

_COUNTED = (("PASS", "passed"), ("FAIL", "failed"), ("FLAKY", "flaky"), ("IGNORE", "ignored"))


def _clock(seconds: float) -> str:
    seconds = int(max(0, seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _short_name(ctx: Any) -> str:
    """Class.method[.params] of a test context (its test id when those are missing)."""
    parts = [getattr(ctx, name, "") for name in ("cls_name", "function_name", "injected_args_name")]
    return ".".join(p for p in parts if p) or str(getattr(ctx, "test_id", "?"))


class ProgressReporter(Reporter):
    """Counts finished tests by status and shows done/total, elapsed time, an estimate and the running tests."""

    console = True

    def __init__(self, session_context: Any, stream: TextIO | None = None, live: bool | None = None,
                 tick_seconds: float = 1.0, colour: bool | None = None, width: int | None = None) -> None:
        super().__init__(session_context)
        self.stream = stream or sys.stdout
        self.live = is_terminal(self.stream) if live is None else live
        self.colour = colour_enabled(self.stream) if colour is None else colour
        self.width = width
        self.verbosity = session_context.verbosity
        self.total = 0
        self.done = 0
        self.counts: dict[str, int] = {}
        self.running: dict[Any, tuple[str, float]] = {}  # test index -> (name, start)
        self.start = time.time()
        self.tick_seconds = tick_seconds
        self._lock = threading.Lock()  # the ticker and the runner's hooks write the same line
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def session_started(self, session_context: Any, expected_count: int, **info: Any) -> None:
        super().session_started(session_context, expected_count, **info)
        self.total = expected_count
        self.start = time.time()
        if self.live:
            self._ticker = threading.Thread(target=self._tick, name="ducktape-progress", daemon=True)
            self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(self.tick_seconds):
            self._redraw()

    def test_started(self, test_context: Any, test_index: Any, **info: Any) -> None:
        self.running[test_index] = (_short_name(test_context), time.time())
        if self.live:
            self._redraw()

    def test_finished(self, result: Any) -> None:
        self.done += 1
        self.running.pop(getattr(result, "test_index", None), None)
        status = result.test_status.to_json()
        self.counts[status] = self.counts.get(status, 0) + 1
        quiet = self.verbosity < 0 and status_of(result.test_status).quiet_hidden  # -q: what needs a look
        if self.live:
            if self.verbosity > 0:
                self._write(ERASE_LINE + self._finished_line(status, result) + "\n")
            elif status_of(result.test_status).fails_run:
                self._write(f"{ERASE_LINE}{paint('FAIL', 'FAIL', self.colour)} {result.test_id}\n")
            self._redraw()
        elif not quiet:
            self._write(self._finished_line(status, result) + "\n")

    def _finished_line(self, status: str, result: Any) -> str:
        width = len(str(self.total))
        label = paint(f"{status:<6}", status, self.colour)
        return f"[{self.done:>{width}}/{self.total}] {label} {result.test_id} ({result.run_time_seconds:.3f} s)"

    def session_finished(self, results: Any, interrupted: bool = False) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self.live and (self.done or self._ticker is not None):
            self._write(ERASE_LINE)

    def line(self) -> str:
        """The live line: done/total, counts of the statuses seen, elapsed time, an estimate of what is left, and
        the running tests, cut to the terminal width (uncoloured)."""
        now = time.time()
        elapsed = now - self.start
        shown = [f"{self.counts[s]} {label}" for s, label in _COUNTED if self.counts.get(s)]
        extra = sum(n for s, n in self.counts.items() if s not in dict(_COUNTED))
        if extra:
            shown.append(f"{extra} other")
        counts = ", ".join(shown) or "0 passed"  # statuses that occurred, as pytest counts
        left = elapsed / self.done * (self.total - self.done) if self.done else 0
        estimate = f", ~{_clock(left)} left" if 0 < self.done < self.total else ""  # no data, no guess
        line = f"[{self.done}/{self.total}] {counts} | {_clock(elapsed)} elapsed{estimate}"
        running = sorted(self.running.values(), key=lambda item: item[1])
        if running:
            line += " | running: " + ", ".join(f"{name} ({_clock(now - start)})" for name, start in running)
        return _cut(line, (self.width or shutil.get_terminal_size().columns) - 1)

    def _redraw(self) -> None:
        self._write(ERASE_LINE + self._painted(self.line()) + "\r")  # cursor home: the next line erases it

    def _painted(self, line: str) -> str:
        """The live line with its non-zero status counts coloured."""
        if not self.colour:
            return line
        for status, label in _COUNTED:
            count = self.counts.get(status, 0)
            if count:
                line = line.replace(f" {count} {label}", " " + paint(f"{count} {label}", status, True), 1)
        return line

    def _write(self, text: str) -> None:
        with self._lock:
            self.stream.write(text)
            self.stream.flush()


def _cut(line: str, width: int) -> str:
    return line if len(line) <= width or width < 2 else line[: width - 1] + "…"
