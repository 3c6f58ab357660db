"""Running commands over one SSH connection without paying the login shell every time.

sshd starts every command through the user's login shell, which on many hosts
sources start-up files (Debian's bash reads ~/.bashrc for commands run by sshd);
with pyenv, nvm and friends that costs 50-200 ms per command. A ``RemoteShell`` is
that login shell (bash) started once per channel, reading commands from its stdin
and running each in a subshell of its own process group: a command costs a fork,
and a timed-out command can be killed with everything it started. A small pool serves concurrent callers;
``exec_command`` on a fresh channel remains the fallback (no bash, pool full).
"""
from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from ducktape.cluster.channel_wait import ChannelWaiter

MAX_SHELLS = 4
KILL_GRACE_SEC = 2.0
# Runs in the login shell sshd starts (after its start-up files, so their functions and
# variables stay visible); re-execs bash only when the login shell is not bash.
# fd 3 keeps the channel's stderr for commands and markers; the shell's own stderr
# (job-control notices such as "[1]+ Exit 4") goes to /dev/null.
COMMAND_LOOP = 'exec 3>&2 2>/dev/null; set -m; while IFS= read -r __dt_line; do eval "$__dt_line"; done'
START_SHELL = (
    'if [ -z "$BASH_VERSION" ]; then command -v bash >/dev/null 2>&1 || exit 127; '
    f"exec bash -c '{COMMAND_LOOP}'; fi; {COMMAND_LOOP}"
)


# Sets __dt_a to 0 when a process other than this shell (a daemon an earlier command started
# without redirecting its output) holds the shell's stdout or stderr: it could write into
# the commands of whoever uses the shell next. Builtins only, run by the shell itself after
# every inline script (no fork at all).
ALONE_CHECK = (
    '__dt_a=1; for __dt_f in /proc/[0-9]*/fd/[12]; do case $__dt_f in /proc/$$/*) continue;; esac; '
    'if [ "$__dt_f" -ef /proc/$$/fd/1 ] || [ "$__dt_f" -ef /proc/$$/fd/3 ]; then __dt_a=0; break; fi; done'
)
CHECK_TIMEOUT_SEC = 5.0


def bash_quote(text: str) -> str:
    """*text* as one bash ``$'...'`` word on a single line (newlines escaped)."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
    return f"$'{escaped}'"


class ShellBroken(Exception):
    """The channel died before the command's end marker arrived."""


class CommandTimedOut(Exception):
    """Raised inside this module when the deadline passed; the caller names the node."""

    def __init__(self, stdout: bytes, stderr: bytes):
        super().__init__("timed out")
        self.stdout = stdout
        self.stderr = stderr


class _Reader:
    """Drain a channel's stdout and stderr until a condition holds or a deadline passes."""

    def __init__(self, chan: Any):
        self.chan = chan
        self.out = bytearray()
        self.err = bytearray()
        self._waiter = ChannelWaiter(chan)

    def drain(self) -> None:
        """Move whatever the channel holds now into ``out`` and ``err``."""
        chan = self.chan
        while chan.recv_ready():
            self.out += chan.recv(1 << 20)
        while chan.recv_stderr_ready():
            self.err += chan.recv_stderr(1 << 20)

    def pump(self, done: Callable[[], bool], deadline: float | None) -> bool:
        """Read until ``done()``; False on deadline; ShellBroken on EOF before done."""
        chan = self.chan
        while True:
            self._waiter.arm()
            self.drain()
            if done():
                self.drain()
                return True
            if chan.eof_received or chan.closed:
                self.drain()
                if done():
                    return True
                raise ShellBroken("channel closed")
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                return False
            self._waiter.wait(1.0 if wait is None else min(wait, 1.0))


def find_marker(data: bytes | bytearray, head: bytes, start: int = 0) -> tuple[int, int, int] | None:
    """The first complete ``<head><digits>\n`` in *data* from *start*: (where it starts, where
    it ends, the number), or None. Plain searches: a regex per command token costs more
    CPU than the command's whole round trip."""
    at = data.find(head, start)
    while at >= 0:
        digits_from = at + len(head)
        newline = data.find(b"\n", digits_from)
        if newline < 0:
            return None
        digits = data[digits_from:newline]
        if digits.isdigit():
            return at, newline + 1, int(digits)
        at = data.find(head, at + 1)
    return None


def strip_pid_line(data: bytes | bytearray, tok: str) -> bytes:
    """*data* without its ``<tok>P<pid>\n`` line."""
    found = find_marker(data, tok.encode() + b"P")
    return bytes(data) if found is None else bytes(data[: found[0]] + data[found[1]:])


def strip_stderr(err: bytes | bytearray, tok: str) -> bytes:
    """The command's own stderr: without the pid line, the end marker and what followed it."""
    end = (tok + "E\n").encode()
    at = err.find(end)
    return strip_pid_line(err if at < 0 else err[:at], tok)


class RemoteShell:
    """One long-lived bash on one channel; runs one command at a time."""

    def __init__(self, chan: Any):
        self.chan = chan
        self.fresh = True  # no command has completed on it yet
        self.stray = False  # output came after a command's end markers
        self.known_alone: bool | None = None  # ALONE_CHECK's answer, until the next command
        chan.exec_command(START_SHELL)

    def usable(self) -> bool:
        """Open, connected, and quiet: output arriving between commands (a background
        process still writing to the shell's stdout) means it can no longer be trusted."""
        chan = self.chan
        if self.stray or chan.closed or chan.eof_received or not chan.get_transport().is_active():
            return False
        return not (chan.recv_ready() or chan.recv_stderr_ready())

    def alone(self) -> bool:
        """True when the shell is idle, quiet, and no other process holds its output: it can
        serve another test process as a fresh one would."""
        if not self.usable():
            return False
        if self.known_alone is None:
            try:
                self.run_inline(":", time.monotonic() + CHECK_TIMEOUT_SEC)
            except (ShellBroken, CommandTimedOut):
                return False
        return bool(self.known_alone) and self.usable()

    def start(self, cmd: str, combine_stderr: bool) -> str:
        """Send *cmd* to the shell; return the token framing its output.

        stdout ends with ``<tok>S<status>\\n`` (glued to an unterminated last line, if
        any); stderr carries ``<tok>P<pid>\\n`` (the
        command's process group) and ends with ``<tok>E\\n``.
        """
        tok = secrets.token_hex(8)
        redirect = "2>&1" if combine_stderr else "2>&3"
        self.known_alone = None
        self._send(f"( eval {bash_quote(cmd)} ) </dev/null {redirect} 3>&- & __dt_p=$!; "
                   f"printf '{tok}P%s\\n' \"$__dt_p\" >&3; wait \"$__dt_p\"; __dt_s=$?; ", tok)
        return tok

    def _send(self, head: str, tok: str) -> None:
        """Send *head* (which sets ``__dt_s``) and the end markers, as one line."""
        self.chan.sendall(f"{head}printf '{tok}S%s\\n' \"$__dt_s\"; printf '{tok}E\\n' >&3\n".encode())

    def run(self, cmd: str, combine_stderr: bool, deadline: float | None, kill: Callable[[int], None]) -> tuple:
        """Run *cmd*; return (exit_status, stdout, stderr). CommandTimedOut after killing it."""
        return self.collect(self.start(cmd, combine_stderr), deadline, kill)

    def run_inline(self, script: str, deadline: float | None) -> bytes:
        """Run *script* in the shell itself, not in a subshell, then ALONE_CHECK; return its
        stdout. Only for builtin-only scripts of ours that neither read stdin nor exit: it
        costs no fork, and the check's answer is kept in ``known_alone``.
        Its stderr is dropped. CommandTimedOut (the shell closed) if it outlives *deadline*."""
        tok = secrets.token_hex(8)
        self._send(f"eval {bash_quote(script)}; {ALONE_CHECK}; printf '{tok}A%s\\n' \"$__dt_a\"; __dt_s=0; ", tok)
        _status, out, _err = self.collect(tok, deadline, lambda _cmd: None)
        found = find_marker(out, (tok + "A").encode())
        self.known_alone = found is not None and found[2] == 1
        return out if found is None else out[: found[0]] + out[found[1]:]

    def collect(self, tok: str, deadline: float | None, kill: Callable[[int], None]) -> tuple:
        """Read the output of the command framed by *tok* up to its end markers.

        The markers are looked for anywhere, not only at the end: a background process an
        earlier command left holding the channel (``a && b &`` keeps a bash that reports
        "Killed" when ``b`` is killed) may write right after them. What follows a marker is
        no part of this command; it marks the shell as no longer to be trusted."""
        reader = _Reader(self.chan)
        end_out = (tok + "S").encode()
        end_err = (tok + "E\n").encode()
        found: list = []  # the stdout marker (start, end, status), once seen
        scanned = 0  # stdout before this offset holds no marker (it is not searched again)

        def finished() -> bool:
            nonlocal scanned
            if not found:
                marker = find_marker(reader.out, end_out, scanned)
                if marker is None:
                    scanned = max(0, len(reader.out) - 64)
                    return False
                found.append(marker)
            return end_err in reader.err

        try:
            if not reader.pump(finished, deadline):
                self._stop(reader, tok, finished, kill)
        except ShellBroken:
            started = find_marker(reader.err, (tok + "P").encode()) is not None
            if not started or not self.chan.get_transport().is_active():
                raise
            # The command started and took its shell with it (``kill -9 $$``): it ended by
            # a signal, as it would have under upstream's one-shell-per-command. Not re-run.
            return -1, bytes(reader.out), strip_stderr(reader.err, tok)
        start, end, status = found[0]
        if end < len(reader.out) or not reader.err.endswith(end_err):
            self.stray = True
        return status, bytes(reader.out[:start]), strip_stderr(reader.err, tok)

    def _stop(self, reader: _Reader, tok: str, finished: Callable[[], bool], kill: Callable[[int], None]) -> None:
        """Kill the command's process group (TERM, then KILL) and raise CommandTimedOut."""
        found = find_marker(reader.err, (tok + "P").encode())
        if found:
            pid = found[2]
            for sig in ("TERM", "KILL"):
                kill_cmd = f"kill -{sig} -- -{pid} 2>/dev/null; kill -{sig} {pid} 2>/dev/null; true"
                kill(kill_cmd)
                try:
                    if reader.pump(finished, time.monotonic() + KILL_GRACE_SEC):
                        break
                except ShellBroken:
                    break
        if not finished():
            self.chan.close()
        raise CommandTimedOut(bytes(reader.out), bytes(reader.err))

    def close(self) -> None:
        self.chan.close()


def exec_run(conn: Any, cmd: str, combine_stderr: bool, deadline: float | None) -> tuple:
    """Run *cmd* on a fresh channel through the login shell: (exit_status, stdout, stderr)."""
    tok = secrets.token_hex(8)
    chan = conn.open_channel()
    try:
        chan.set_combine_stderr(combine_stderr)
        chan.exec_command(f"printf '{tok}P%s\\n' $$ >&2; {cmd}")
        reader = _Reader(chan)
        if not reader.pump(lambda: chan.eof_received, deadline):
            found = find_marker(reader.out if combine_stderr else reader.err, (tok + "P").encode())
            if found:
                pid = found[2]
                exec_run(conn, f"kill -KILL -- -{pid} 2>/dev/null; kill -KILL {pid}; true", True, None)
            raise CommandTimedOut(bytes(reader.out), bytes(reader.err))
        status = chan.recv_exit_status()
        if combine_stderr:
            return status, strip_pid_line(reader.out, tok), b""
        return status, bytes(reader.out), strip_pid_line(reader.err, tok)
    finally:
        chan.close()


class ShellPool:
    """Idle RemoteShells of one connection, handed out one caller at a time."""

    def __init__(self, conn: Any):
        self.conn = conn
        self._lock = threading.Lock()
        self._idle: list[RemoteShell] = []
        self._busy = 0
        self.disabled = False

    def _take(self) -> RemoteShell | None:
        with self._lock:
            while self._idle:
                shell = self._idle.pop()
                if shell.usable():
                    self._busy += 1
                    return shell
                shell.close()
            if self.disabled or self._busy >= MAX_SHELLS:
                return None
            self._busy += 1
        try:
            return RemoteShell(self.conn.open_channel())
        except BaseException:
            with self._lock:
                self._busy -= 1
            raise

    def _give_back(self, shell: RemoteShell, keep: bool) -> None:
        with self._lock:
            self._busy -= 1
            if keep and shell.usable():
                self._idle.append(shell)
                return
        shell.close()

    def run(self, cmd: str, combine_stderr: bool, timeout_sec: float | None) -> tuple:
        """(exit_status, stdout, stderr) of *cmd*; CommandTimedOut after killing it."""
        deadline = None if timeout_sec is None else time.monotonic() + timeout_sec
        result = self._on_shell(lambda shell: shell.run(cmd, combine_stderr, deadline, self._kill))
        return exec_run(self.conn, cmd, combine_stderr, deadline) if result is None else result

    def run_inline(self, script: str, timeout_sec: float) -> bytes | None:
        """stdout of *script*, a builtin-only bash script, run by a shell itself
        (``RemoteShell.run_inline``); None when this node has no shell free for it."""
        deadline = time.monotonic() + timeout_sec
        return self._on_shell(lambda shell: shell.run_inline(script, deadline))

    def _on_shell(self, work: Callable[[RemoteShell], Any]) -> Any:
        """``work(shell)`` on an idle shell; None when there is none to have (the pool is full,
        or this node's login shell cannot run our loop)."""
        shell = self._take()
        if shell is None:
            return None
        keep = False
        try:
            result = work(shell)
            keep = True
            shell.fresh = False
            return result
        except ShellBroken as err:
            if not shell.fresh or not self.conn.connected():
                self.conn.explain(err)  # the multiplexer's connection names a dead multiplexer
                raise
            # The shell died before running anything: no bash, or a login shell that
            # cannot run our loop. Use plain exec channels on this node from now on.
            self.disabled = True
            return None
        finally:
            self._give_back(shell, keep)

    def _kill(self, kill_cmd: str) -> None:
        exec_run(self.conn, kill_cmd, True, time.monotonic() + 10)

    def close(self) -> None:
        """Close the idle shells; through the session's multiplexer, give back those no other
        process holds (the next test process on the node then finds its shell started)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for shell in idle:
            if self.conn.keeps_shells and shell.alone():
                shell.chan.release()
            else:
                shell.close()
