"""Record one client process's operations as JSON lines, the format history.py reads.

Each event is written and flushed at once, so a client killed mid-run keeps all it recorded.
Besides the format's fields every event carries ``"wall"`` (``time.time()``), which lets the
report place the history beside faults, whose times are wall-clock.
"""
from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from typing import Any

_UNSET = object()


class HistoryRecorder:
    """Appends one process's events to *path*: ``invoke``, then one of ``ok``/``fail``/``info``."""

    def __init__(self, path: str | os.PathLike, process: int | str,
                 clock: Callable[[], float] = time.monotonic):
        if isinstance(process, bool) or not isinstance(process, (int, str)):
            raise TypeError(f"process must be an integer or a string, not {process!r}")
        self.path = os.fspath(path)
        self.process = process
        self._clock = clock
        self._lock = threading.Lock()
        self._in_flight: dict | None = None
        directory = os.path.dirname(self.path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - open until close()

    def __repr__(self) -> str:
        return f"<HistoryRecorder process={self.process!r} {self.path}>"

    def __enter__(self) -> HistoryRecorder:  # noqa: PYI034
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def in_flight(self) -> dict | None:
        """The invoke event of the operation in flight, or None."""
        return self._in_flight

    def invoke(self, f: str, key: Any = None, value: Any = None) -> dict:
        """Start an operation; raises ValueError while another is in flight."""
        if not isinstance(f, str) or not f:
            raise ValueError(f"f must be a non-empty string such as 'read', not {f!r}")
        with self._lock:
            if self._in_flight is not None:
                raise ValueError(f"process {self.process!r} already has {self._in_flight['f']!r} in flight; "
                                 "complete it with ok(), fail() or info() first")
            event = self._write("invoke", f, key, value)
            self._in_flight = event
            return event

    def ok(self, value: Any = _UNSET) -> dict:
        """The operation happened; *value* is what a read returned (default: the invoke's value)."""
        return self._complete("ok", value)

    def fail(self) -> dict:
        """The operation certainly did not happen."""
        return self._complete("fail", _UNSET)

    def info(self) -> dict:
        """The outcome is unknown (timeout, crash): the operation may or may not have happened."""
        return self._complete("info", _UNSET)

    def close(self) -> None:
        with self._lock:
            self._file.close()

    def _complete(self, kind: str, value: Any) -> dict:
        with self._lock:
            invoked = self._in_flight
            if invoked is None:
                raise ValueError(f"process {self.process!r} has no operation in flight to mark {kind}; "
                                 "call invoke() first")
            event = self._write(kind, invoked["f"], invoked["key"], invoked["value"] if value is _UNSET else value)
            self._in_flight = None
            return event

    def _write(self, kind: str, f: str, key: Any, value: Any) -> dict:
        event = {"process": self.process, "type": kind, "f": f, "key": key, "value": value,
                 "time": self._clock(), "wall": time.time()}
        self._file.write(json.dumps(event) + "\n")
        self._file.flush()
        return event
