"""SIGTERM handled like Ctrl-C, so EC2 clean-up code in ``finally``/``except`` runs.

Only the process that installed the handler raises; a forked child that inherited
it dies of SIGTERM as usual.
"""
from __future__ import annotations

import os
import signal
import threading
from typing import Any


class SigtermAsInterrupt:
    """``install()`` makes SIGTERM raise KeyboardInterrupt in this process; ``restore()`` undoes it."""

    def __init__(self) -> None:
        self._pid = os.getpid()
        self._previous: Any = None
        self._installed = False

    def install(self) -> None:
        if self._installed or threading.current_thread() is not threading.main_thread():
            return
        self._pid = os.getpid()
        self._previous = signal.signal(signal.SIGTERM, self._on_sigterm)
        self._installed = True

    def restore(self) -> None:
        if self._installed and os.getpid() == self._pid and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._previous if self._previous is not None else signal.SIG_DFL)
            self._installed = False

    def _on_sigterm(self, signum: int, frame: Any) -> None:
        if os.getpid() != self._pid:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        raise KeyboardInterrupt("SIGTERM")

    def __enter__(self) -> SigtermAsInterrupt:  # noqa: PYI034
        self.install()
        return self

    def __exit__(self, *exc: object) -> None:
        self.restore()
