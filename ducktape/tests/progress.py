"""Console progress while tests run: a live line on a terminal, one line per test otherwise.

A reporter like the others (it only listens); the final summary is printed by the
summary reporters, so this one clears its live line when the session ends. On a
terminal a ticker thread redraws the line every second, so elapsed time moves during
long tests.
"""
from __future__ import annotations

import sys
import threading
import time
from typing import Any, TextIO

from ducktape.tests.reporters.base import Reporter


def _clock(seconds: float) -> str:
    seconds = int(max(0, seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class ProgressReporter(Reporter):
    """Counts finished tests by status and shows done/total, elapsed time and an estimate."""

    console = True

    def __init__(self, session_context: Any, stream: TextIO | None = None, live: bool | None = None,
                 tick_seconds: float = 1.0) -> None:
        super().__init__(session_context)
        self.stream = stream or sys.stdout
        self.live = self.stream.isatty() if live is None else live
        self.total = 0
        self.done = 0
        self.counts: dict[str, int] = {}
        self.start = time.time()
        self.tick_seconds = tick_seconds
        self._lock = threading.Lock()  # the ticker and test_finished write the same line
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
            self._write("\r\x1b[K" + self.line() + "\r")

    def test_finished(self, result: Any) -> None:
        self.done += 1
        status = result.test_status.to_json()
        self.counts[status] = self.counts.get(status, 0) + 1
        if self.live:
            if status == "FAIL":
                self._write(f"\r\x1b[KFAIL {result.test_id}\n")
            self._write("\r\x1b[K" + self.line() + "\r")  # cursor home: a log line printed next overwrites it
        else:
            width = len(str(self.total))
            self._write(f"[{self.done:>{width}}/{self.total}] {status:<6} {result.test_id} "
                        f"({result.run_time_seconds:.3f} s)\n")

    def session_finished(self, results: Any, interrupted: bool = False) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self.live and (self.done or self._ticker is not None):
            self._write("\r\x1b[K")

    def line(self) -> str:
        """The live line: done/total, counts by status, elapsed time and an estimate of what is left."""
        elapsed = time.time() - self.start
        counts = ", ".join(f"{self.counts.get(s, 0)} {label}" for s, label in
                           (("PASS", "passed"), ("FAIL", "failed"), ("FLAKY", "flaky"), ("IGNORE", "ignored")))
        extra = sum(n for s, n in self.counts.items() if s not in ("PASS", "FAIL", "FLAKY", "IGNORE"))
        if extra:
            counts += f", {extra} other"
        left = elapsed / self.done * (self.total - self.done) if self.done else 0
        estimate = f", ~{_clock(left)} left" if 0 < self.done < self.total else ""  # no data, no guess
        return f"[{self.done}/{self.total}] {counts} | {_clock(elapsed)} elapsed{estimate}"

    def _write(self, text: str) -> None:
        with self._lock:
            self.stream.write(text)
            self.stream.flush()
