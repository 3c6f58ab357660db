"""Waiting for a pattern to show up in a node's log after a known byte offset.

Inside a test the wait also ends early, with the log's last lines, once nothing is left to
write the pattern: the log grew, no process has it open, and every process the test
started since the monitor opened (found by its process tag) has exited, twice in a row.
Only root on the node can see every process's open files, so only then.
That is a service whose process died at start; its error is what the log ends with."""
from __future__ import annotations

import shlex
from typing import Any

from ducktape.cluster.process_tag import current_tag, tagged_command
from ducktape.errors import TimeoutError

TAIL_LINES = 15


class LogWriterExitedError(TimeoutError):
    """The processes that could write the awaited pattern are gone (a TimeoutError, so code
    that catches the wait's timeout catches this too)."""


def parse_pids(output: bytes | str) -> set[int]:
    text = output.decode(errors="replace") if isinstance(output, bytes) else output
    return {int(word) for word in text.split() if word.isdigit()}


class LogMonitor:
    """Made by ``account.monitor_log(path)``; ``offset`` (public, writable) is where the
    search starts, in bytes. Typical use::

        with node.account.monitor_log("/var/log/app.log") as monitor:
            node.account.ssh("start-app")
            monitor.wait_until("started", timeout_sec=30, err_msg="app did not start")

    *started_before* (the test's tagged pids when the monitor opened) turns on the early end.
    """

    def __init__(self, acct: Any, log: str, offset: int, started_before: set[int] | None = None):
        self.acct = acct
        self.log = log
        self.offset = offset
        self.started_before = started_before

    def command(self, pattern: str) -> str:
        """The shell command that succeeds once *pattern* (basic grep regex) is past offset.
        The log path is expanded by the shell as upstream; the pattern is one literal word."""
        return f"tail -c +{int(self.offset) + 1} {self.log} | grep -q -- {shlex.quote(pattern)}"

    def found(self, pattern: str) -> bool:
        """True if *pattern* occurs in the log after ``offset`` now."""
        return self.acct.ssh(self.command(pattern), allow_fail=True) == 0

    def wait_until(self, pattern: str, **kwargs: Any) -> Any:
        """Poll until *pattern* appears; kwargs go to ``ducktape.utils.util.wait_until``
        (``timeout_sec`` required; raises ducktape.errors.TimeoutError, or its subclass
        LogWriterExitedError when whatever could write the pattern has exited)."""
        from ducktape.utils.util import wait_until

        tag = current_tag()
        if self.started_before is None or tag is None:
            return wait_until(lambda: self.found(pattern), **kwargs)
        gone_in_a_row = [0]

        def condition() -> bool:
            state = self._poll(pattern, tag)
            gone_in_a_row[0] = gone_in_a_row[0] + 1 if state == "gone" else 0
            if gone_in_a_row[0] >= 2:
                raise LogWriterExitedError(self._gone_message(pattern, kwargs.get("err_msg", "")))
            return state == "found"

        kwargs = {**kwargs, "retry_on_exc": False}  # the early end must not be retried away
        return wait_until(condition, **kwargs)

    def _poll(self, pattern: str, tag: str) -> str:
        """``found``, ``waiting``, or ``gone`` (grew, no process has it open, no new tagged process)."""
        script = (
            f"{self.command(pattern)} && echo found && exit 0; "
            f"__dt_size=$(wc -c < {self.log} 2>/dev/null || echo 0); "
            f"__dt_abs=$(readlink -f {self.log} 2>/dev/null); "
            '__dt_open=$(find /proc/[0-9]*/fd -lname "$__dt_abs" 2>/dev/null | head -n 1); '
            # only root sees every process's open files (a daemon of another user, started by sudo)
            '[ "$(id -u)" = 0 ] || __dt_open=unknown; '
            f'echo "size $__dt_size open ${{__dt_open:+yes}}"; {tagged_command(tag)}'
        )
        out = self.acct.ssh_output(script, allow_fail=True, combine_stderr=False).decode(errors="replace")
        lines = out.splitlines()
        if not lines or lines[0] == "found":
            return "found" if lines else "waiting"
        words = lines[0].split()
        size = int(words[1]) if len(words) > 1 and words[1].isdigit() else 0
        still_open = len(words) > 3 and words[3] == "yes"
        new = parse_pids("\n".join(lines[1:])) - self.started_before
        return "gone" if size > self.offset and not still_open and not new else "waiting"

    def _gone_message(self, pattern: str, err_msg: Any) -> str:
        said = err_msg() if callable(err_msg) else err_msg
        tail = self.acct.ssh_output(f"tail -c +{int(self.offset) + 1} {self.log} | tail -n {TAIL_LINES}",
                                    allow_fail=True, combine_stderr=False).decode(errors="replace").rstrip()
        host = getattr(self.acct, "hostname", "the node")
        return (f"{said + ': ' if said else ''}{self.log} on {host} ended without {pattern!r}, and every process "
                f"started to write it has exited; its last lines:\n{tail}")
