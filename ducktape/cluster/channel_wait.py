"""Wait for output on a paramiko channel without the channel's ``fileno()``.

``Channel.fileno()`` (what ``select`` on a channel calls) makes an OS pipe that
paramiko's transport thread writes to whenever data arrives. Closing the channel
closes that pipe, and if data for it is still arriving (an abandoned ``ssh_capture``
iterator, a discarded shell) the transport thread's write fails with EBADF, which
ends the whole transport: every other channel of the node's connection dies with it.
A ``threading.Event`` on the channel's buffers cannot fail that way.

The one event serves both buffers, and a read that empties one buffer clears it: a
stderr chunk that arrives while stdout is being read loses its wake-up. So ``wait``
looks at the channel itself before it sleeps.
"""
from __future__ import annotations

import threading
from typing import Any


class ChannelWaiter:
    """Wakes when *chan* has stdout or stderr data, reaches EOF, or closes."""

    def __init__(self, chan: Any):
        self._chan = chan
        self._ready = threading.Event()
        chan.in_buffer.set_event(self._ready)
        chan.in_stderr_buffer.set_event(self._ready)

    def arm(self) -> None:
        """Forget earlier wake-ups; call before checking the channel, then ``wait``."""
        self._ready.clear()

    def wake(self) -> None:
        """Wake a ``wait`` now (the relay is told to stop)."""
        self._ready.set()

    def wait(self, timeout: float | None) -> bool:
        """True when the channel has something (now or within *timeout* seconds; None: no
        limit), False after *timeout*."""
        chan = self._chan
        if chan.recv_ready() or chan.recv_stderr_ready() or chan.eof_received or chan.closed:
            return True
        return self._ready.wait(timeout)
