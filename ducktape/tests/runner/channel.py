"""The test process's end of the event pipe, and the heartbeat that keeps the driver sure it lives."""
from __future__ import annotations

import os
import signal
import threading
from typing import Any

from ducktape.tests import events


class EventChannel:
    """The child's end of the pipe; safe to use from the heartbeat thread too."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self.lost = False

    def send(self, event: dict) -> bool:
        """Send *event*; False (and ``lost`` set) once the driver is gone."""
        if self.lost:
            return False
        try:
            with self._lock:
                self._conn.send_bytes(events.encode(event))
            return True
        except (OSError, ValueError):
            self.lost = True
            return False


def beat(channel: EventChannel, interval: float, stop: threading.Event) -> None:
    """Heartbeat until *stop*; if the driver has gone, interrupt the test so it tears down."""
    while not stop.wait(interval):
        if not channel.send(events.heartbeat()):
            os.kill(os.getpid(), signal.SIGINT)
            return
