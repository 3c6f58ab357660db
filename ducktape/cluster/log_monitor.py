"""Waiting for a pattern to show up in a node's log after a known byte offset."""
from __future__ import annotations

import shlex
from typing import Any


class LogMonitor:
    """Made by ``account.monitor_log(path)``; ``offset`` (public, writable) is where the
    search starts, in bytes. Typical use::

        with node.account.monitor_log("/var/log/app.log") as monitor:
            node.account.ssh("start-app")
            monitor.wait_until("started", timeout_sec=30, err_msg="app did not start")
    """

    def __init__(self, acct: Any, log: str, offset: int):
        self.acct = acct
        self.log = log
        self.offset = offset

    def command(self, pattern: str) -> str:
        """The shell command that succeeds once *pattern* (basic grep regex) is past offset.
        The log path is expanded by the shell as upstream; the pattern is one literal word."""
        return f"tail -c +{int(self.offset) + 1} {self.log} | grep -q -- {shlex.quote(pattern)}"

    def found(self, pattern: str) -> bool:
        """True if *pattern* occurs in the log after ``offset`` now."""
        return self.acct.ssh(self.command(pattern), allow_fail=True) == 0

    def wait_until(self, pattern: str, **kwargs: Any) -> Any:
        """Poll until *pattern* appears; kwargs go to ``ducktape.utils.util.wait_until``
        (``timeout_sec`` required; raises ducktape.errors.TimeoutError)."""
        from ducktape.utils.util import wait_until

        return wait_until(lambda: self.found(pattern), **kwargs)
