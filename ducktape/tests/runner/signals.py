"""Signals between the user, the driver and the test processes.

First Ctrl-C (or SIGTERM) at the driver: stop scheduling, tell the running tests, let them
tear down. Second: kill them (``KeyboardInterrupt`` out of the loop). Once the tests are
over and the session writes its reports, a signal is noted, not raised, unless it is the
third one: a single or double Ctrl-C just after the last test still leaves every report.
The driver tells a test its time is up with ``TIMEOUT_SIGNAL``.
"""
from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

TIMEOUT_SIGNAL = signal.SIGUSR1  # driver → test process: your time is up
HANDLED = (signal.SIGINT, signal.SIGTERM)


class DriverSignals:
    """The driver's SIGINT/SIGTERM handling; *on_first* is called with the signal's name."""

    def __init__(self, log: Callable[[int, str], None], on_first: Callable[[str], None]) -> None:
        self._log = log
        self._on_first = on_first
        self.holding = False  # holding() is active
        self.finishing = False  # the tests are over; the session is writing its reports
        self.late_signal = ""  # name of a signal received while the session reports were written
        self._seen = 0
        self._late = 0
        self._driver_pid = 0

    @contextmanager
    def holding_scope(self) -> Iterator[None]:
        """Keep the handling in force around the run and the session reports after it."""
        previous = self.install()
        self.holding = True
        try:
            yield
        finally:
            self.holding = False
            self.restore(previous)

    def install(self) -> dict:
        self._driver_pid = os.getpid()
        return {signum: signal.signal(signum, self._on_signal) for signum in HANDLED}

    @staticmethod
    def restore(previous: dict) -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    def _on_signal(self, signum: int, frame: Any) -> None:
        if os.getpid() != self._driver_pid:  # a test process before it installed its own
            raise KeyboardInterrupt
        if self.finishing:
            self._on_late_signal(signum)
            return
        self._seen += 1
        if self._seen > 1:
            for other in HANDLED:  # a third one must not cut the kill short
                signal.signal(other, signal.SIG_IGN)
            raise KeyboardInterrupt
        self._on_first(signal.Signals(signum).name)

    def _on_late_signal(self, signum: int) -> None:
        """A signal after the last test: the reports take a moment, and losing them would lose
        the run; the third such signal gives up (each report file is replaced in one step)."""
        self._late += 1
        self.late_signal = signal.Signals(signum).name
        self._log(logging.DEBUG, f"late signal {self._late} of 3: {self.late_signal}")
        if self._late >= 3:
            raise KeyboardInterrupt
        if self._late == 1:
            self._log(logging.WARNING, f"received {self.late_signal} while writing the session reports: "
                                       "finishing them first (press Ctrl-C twice more to abort)")
