"""Values and errors shared by every kind of account: a command's result, the
errors raised for failed or timed-out commands, and the streaming line iterator."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ducktape.errors import DucktapeError


@dataclass(frozen=True)
class CommandResult:
    """What one finished command did on one node."""

    node: str
    command: str
    exit_status: int
    stdout: bytes = b""
    stderr: bytes = b""
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        return self.exit_status == 0

    def tail(self, stream: str = "stderr", lines: int = 10) -> str:
        """The last *lines* lines of ``stdout`` or ``stderr``, decoded leniently."""
        data = getattr(self, stream).decode(errors="replace").rstrip("\n")
        return "\n".join(data.splitlines()[-lines:])

    def __repr__(self) -> str:
        return f"<CommandResult {self.node} exit={self.exit_status} {self.duration:.3f}s {self.command!r}>"


class LineStream:
    """A running command's output handed out a line at a time (str, newline kept, "" at the end).

    Subclasses implement ``_fill()``: wait for more output and append it to ``self._buffer``,
    or set ``self._eof`` when there is none left (raising socket.timeout when the wait is too long).
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._eof = False

    def _fill(self) -> None:
        raise NotImplementedError

    def readline(self) -> str:
        while b"\n" not in self._buffer and not self._eof:
            self._fill()
        cut = self._buffer.find(b"\n") + 1 or len(self._buffer)
        line = bytes(self._buffer[:cut])
        del self._buffer[:cut]
        return line.decode(errors="replace")


class RemoteAccountError(DucktapeError):
    """An action on a node failed; ``str`` is ``"<account>: <msg>"``."""

    def __init__(self, account: Any, msg: Any):
        super().__init__(str(account), msg)
        self.account_str = str(account)
        self.msg = msg

    def __str__(self) -> str:
        return f"{self.account_str}: {self.msg}"

    def __reduce__(self) -> tuple:
        return type(self), (self.account_str, self.msg)


class RemoteCommandError(RemoteAccountError):
    """A command exited non-zero. ``msg`` is its stderr (bytes); ``result`` the whole outcome."""

    def __init__(self, account: Any, cmd: str, exit_status: int, msg: Any, result: CommandResult | None = None):
        super().__init__(account, msg)
        self.cmd = cmd
        self.exit_status = exit_status
        self.result = result

    def __reduce__(self) -> tuple:
        return type(self), (self.account_str, self.cmd, self.exit_status, self.msg, self.result)

    def __str__(self) -> str:
        text = f"{self.account_str}: Command '{self.cmd}' returned non-zero exit status {self.exit_status}."
        if self.msg:
            text += f" Remote error message: {self.msg}"
        return text


class RemoteCommandTimeoutError(RemoteAccountError):
    """A command ran past its timeout and was stopped (its process group was killed)."""

    def __init__(self, account: Any, cmd: str, timeout_sec: float, result: CommandResult | None = None):
        super().__init__(account, f"Command '{cmd}' timed out after {timeout_sec}s and was killed.")
        self.cmd = cmd
        self.timeout_sec = timeout_sec
        self.result = result

    def __reduce__(self) -> tuple:
        return type(self), (self.account_str, self.cmd, self.timeout_sec, self.result)


class NodeConnectionError(RemoteAccountError):
    """The node could not be reached (connect, authentication or channel failure)."""


class SSHOutputIter:
    """An iterator over a running command's output with ``has_next(timeout_sec)``.

    *iter_obj_func* makes the underlying generator; it is made again after a timed-out
    ``has_next`` (the generator died with the timeout). *channel_file* is anything with a
    ``.channel`` offering ``gettimeout``/``settimeout`` (a paramiko ChannelFile or our
    local equivalent); without it ``has_next`` cannot bound its wait.
    """

    _EMPTY = object()

    def __init__(self, iter_obj_func: Callable[[], Iterator[Any]], channel_file: Any = None):
        self.iter_obj_func = iter_obj_func
        self.iter_obj = iter_obj_func()
        self.channel_file = channel_file
        self.sentinel = self._EMPTY
        self.cached = self._EMPTY

    def __iter__(self) -> SSHOutputIter:
        return self

    def __next__(self) -> Any:
        if self.cached is self._EMPTY:
            return next(self.iter_obj)
        value, self.cached = self.cached, self._EMPTY
        return value

    next = __next__

    def has_next(self, timeout_sec: float | None = None) -> bool:
        """True if another item arrives within *timeout_sec* (None: wait as long as needed)."""
        if self.cached is not self._EMPTY:
            return True
        if timeout_sec is not None and self.channel_file is None:
            raise ValueError("has_next(timeout_sec) needs the command's channel to bound the wait")
        channel = self.channel_file.channel if self.channel_file is not None else None
        previous = channel.gettimeout() if channel is not None else None
        if channel is not None:
            channel.settimeout(timeout_sec)
        try:
            self.cached = next(self.iter_obj, self._EMPTY)
        except TimeoutError:
            self.iter_obj = self.iter_obj_func()
            self.cached = self._EMPTY
        finally:
            if channel is not None:
                channel.settimeout(previous)
        return self.cached is not self._EMPTY
