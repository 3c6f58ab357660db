"""The test process's side of the multiplexer: channels that look like paramiko's.

``MuxConnection`` stands where ``SSHConnection`` stands in a RemoteAccount: the shell
pool, ``ssh_capture`` streams and SFTP use it unchanged. Each channel is one connection
to the mux's Unix socket; ``MuxChannel`` offers the part of paramiko's Channel that
ducktape uses, with the streams in paramiko's own buffers so waiting works the same way.
``ssh_client`` (a real paramiko client, for port forwarding) is the one thing that
still logs in directly, and only when asked for.
"""
from __future__ import annotations

import errno
import select
import socket
import threading
from collections.abc import Callable
from typing import Any

import paramiko
from paramiko.buffered_pipe import BufferedPipe, PipeTimeout

from ducktape.cluster.mux import frames
from ducktape.cluster.shell import START_SHELL
from ducktape.cluster.ssh import SSHConnection

BUFFER_LIMIT = 4 << 20  # unread output a channel holds before it stops reading (its window closes)
NO_MUX_HINT = "rerun with --no-mux to connect to the nodes directly"


class MuxUnavailable(paramiko.SSHException):
    """The multiplexer process does not answer: the test fails, the session goes on."""


class MuxTransport:
    """What callers ask a channel's transport: is the node's connection up, who is the server."""

    def __init__(self, remote_version: str):
        self.remote_version = remote_version
        self.active = True

    def is_active(self) -> bool:
        return self.active


class MuxChannel:
    """A session channel relayed by the mux (see frames.py for the wire format). Nothing is
    asked of the mux until ``exec_command``: opening the channel and starting the command is
    one round trip, and the shells' bootstrap can be one the mux started ahead."""

    def __init__(self, connection: MuxConnection, timeout: float | None):
        self._connection = connection
        self._open_timeout = timeout
        self._sock: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._transport = MuxTransport("")
        self.in_buffer = BufferedPipe()
        self.in_stderr_buffer = BufferedPipe()
        self.eof_received = False
        self.closed = False
        self._combine = False
        self._timeout: float | None = None
        self._status = -1
        self._status_ready = threading.Event()
        self._drained = threading.Condition()

    def get_transport(self) -> MuxTransport:
        return self._transport

    def set_combine_stderr(self, combine: bool) -> None:
        self._combine = bool(combine)

    def settimeout(self, timeout: float | None) -> None:
        self._timeout = timeout

    def gettimeout(self) -> float | None:
        return self._timeout

    def exec_command(self, command: str) -> None:
        """Start *command*; the node's error (SSHException and kin) if it cannot."""
        if self._sock is not None or self.closed:
            raise paramiko.SSHException("a channel runs one command")
        self._sock, reply = self._connection._request(
            {"op": "exec", "command": command, "combine": self._combine, "timeout": self._open_timeout,
             "prestart": command == START_SHELL})
        self._transport.remote_version = reply.get("remote_version", "")
        threading.Thread(target=self._read, name="ducktape-mux-channel", daemon=True).start()

    def sendall(self, data: bytes) -> None:
        self._send(frames.STDIN, bytes(data))

    def send(self, data: bytes) -> int:
        self.sendall(data)
        return len(data)

    def shutdown_write(self) -> None:
        self._send(frames.STDIN_EOF)

    def _send(self, kind: bytes, payload: bytes = b"") -> None:
        if self.closed or self._sock is None:
            raise OSError("channel is closed" if self.closed else "no command started on the channel")
        with self._send_lock:
            try:
                frames.send(self._sock, kind, payload)
            except OSError as err:
                self._connection.explain(err)  # a dead mux says so; a node's own failure stays as it is
                raise

    def recv(self, size: int) -> bytes:
        return self._take(self.in_buffer, size)

    def recv_stderr(self, size: int) -> bytes:
        return self._take(self.in_stderr_buffer, size)

    def _take(self, buffer: BufferedPipe, size: int) -> bytes:
        try:
            data = buffer.read(size, self._timeout)
        except PipeTimeout:
            raise socket.timeout() from None  # noqa: UP041 - what paramiko raises
        with self._drained:
            self._drained.notify_all()
        return data

    def recv_ready(self) -> bool:
        return self.in_buffer.read_ready()

    def recv_stderr_ready(self) -> bool:
        return self.in_stderr_buffer.read_ready()

    def exit_status_ready(self) -> bool:
        return self._status_ready.is_set()

    def recv_exit_status(self) -> int:
        self._status_ready.wait()
        return self._status

    def _read(self) -> None:
        """Move frames into the buffers until the command ends; stop reading while the
        buffers are full, so a reader that stopped holds back only its own channel."""
        active = False
        try:
            while True:
                with self._drained:
                    while not self.closed and len(self.in_buffer) + len(self.in_stderr_buffer) > BUFFER_LIMIT:
                        self._drained.wait(1.0)
                kind, payload = frames.recv(self._sock)
                if kind == frames.STDOUT:
                    self.in_buffer.feed(payload)
                elif kind == frames.STDERR:
                    self.in_stderr_buffer.feed(payload)
                elif kind == frames.EOF:
                    self.eof_received = True
                    self.in_buffer.close()
                    self.in_stderr_buffer.close()
                elif kind == frames.STATUS:
                    self._status = int(payload)
                    active = True
                    return
                else:  # CLOSED, or the mux went away (None)
                    active = kind == frames.CLOSED and payload == b"1"
                    return
        except OSError:
            return
        finally:
            self._transport.active = active
            self._finish()

    def _finish(self) -> None:
        if not self._transport.active or not self.eof_received:
            self.closed = True
        self.in_buffer.close()
        self.in_stderr_buffer.close()
        self._status_ready.set()

    def release(self) -> None:
        """Give this idle shell's channel back to the mux, which keeps it open for the next
        test process on the node; this side is then closed, as by ``close``."""
        try:
            self._send(frames.RELEASE)
        except OSError:
            pass  # the mux or the channel is gone: nothing to give back
        self.close()

    def close(self) -> None:
        """End the channel (the mux closes it on the node, unless it was released); safe twice."""
        self.closed = True
        if self._sock is not None and self._sock.fileno() >= 0:
            _end(self._sock)
        self.in_buffer.close()
        self.in_stderr_buffer.close()
        self._status_ready.set()
        with self._drained:
            self._drained.notify_all()


class MuxSocket:
    """The Unix socket of an SFTP channel, with the few channel methods SFTPClient calls."""

    def __init__(self, sock: socket.socket, remote_version: str):
        self._sock = sock
        self._transport = MuxTransport(remote_version)
        self.closed = False

    def send(self, data: bytes) -> int:
        return self._sock.send(data)

    def recv(self, size: int) -> bytes:
        data = self._sock.recv(size)
        if not data:
            self.closed = True
            self._transport.active = False
        return data

    def recv_ready(self) -> bool:
        return bool(select.select([self._sock], [], [], 0)[0])

    def settimeout(self, timeout: float | None) -> None:
        self._sock.settimeout(timeout)

    def gettimeout(self) -> float | None:
        return self._sock.gettimeout()

    def setblocking(self, blocking: bool) -> None:
        self._sock.setblocking(blocking)

    def get_name(self) -> str:
        return "mux-sftp"

    def get_transport(self) -> MuxTransport:
        return self._transport

    def close(self) -> None:
        self.closed = True
        _end(self._sock)


class MuxConnection:
    """A node reached through the session's multiplexer at *path*; the same methods as
    ``SSHConnection``. Thread safe; ``close()`` is safe twice."""

    keeps_shells = True  # an idle shell's channel can be given back (``MuxChannel.release``)

    def __init__(self, path: str, config: Any, log: Callable[..., None]):
        self.path = path
        self.config = config
        self._log = log
        self._lock = threading.RLock()
        self._sftp: Any = None
        self._direct: SSHConnection | None = None
        self._waiting: set[socket.socket] = set()  # pings awaiting their reply: close() ends them
        self._status_sock: socket.socket | None = None  # kept open: each status is one round trip
        self._status_lock = threading.Lock()

    def _request(self, request: dict, interruptible: bool = False) -> tuple[socket.socket, dict]:
        """A connection to the mux that asked for *request*, and the mux's reply (which
        ``close()`` cuts short when *interruptible*)."""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if interruptible:
            with self._lock:
                self._waiting.add(sock)
        try:
            sock.connect(self.path)
            frames.send_json(sock, {**request, "node": self.config.to_json()})
            reply = frames.recv_json(sock)
        except OSError as err:
            sock.close()
            raise MuxUnavailable(f"the SSH multiplexer ({self.path}) is not answering: {err}; {NO_MUX_HINT}") from None
        finally:
            with self._lock:
                self._waiting.discard(sock)
        if not isinstance(reply, dict):
            sock.close()
            raise MuxUnavailable(f"the SSH multiplexer ({self.path}) closed the request; {NO_MUX_HINT}")
        if not reply.get("ok"):
            sock.close()
            raise _node_error(reply, self.config)
        return sock, reply

    def explain(self, err: Exception) -> None:
        """Raise ``MuxUnavailable`` when the mux no longer accepts connections (*err* broke a
        channel because the mux died); return when it answers, so *err* is the node's."""
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(self.path)
        except OSError:
            raise MuxUnavailable(f"the SSH multiplexer ({self.path}) is not answering: {err}; {NO_MUX_HINT}") from None
        finally:
            probe.close()

    def open_channel(self, timeout: float | None = None) -> MuxChannel:
        """A new session channel on the node's connection (which the mux reconnects once if
        it died); it opens on the node with its command."""
        return MuxChannel(self, timeout)

    def sftp(self) -> Any:
        """An SFTP client over a channel of the mux, opened on first use (again if it broke)."""
        with self._lock:
            if self._sftp is None or self._sftp.sock.closed:
                sock, reply = self._request({"op": "sftp"})
                self._sftp = paramiko.SFTPClient(MuxSocket(sock, reply.get("remote_version", "")))
            return self._sftp

    def status(self, connect: bool = False) -> dict:
        """The mux's view of the node: ``active`` (connection up) and open ``channels``. The
        connection that asked first stays open for the next questions."""
        with self._status_lock:
            sock = self._status_sock
            if sock is not None:
                try:
                    frames.send_json(sock, {"connect": connect})
                    reply = frames.recv_json(sock)
                except OSError:
                    reply = None
                if isinstance(reply, dict) and reply.get("ok"):
                    return reply
                sock.close()  # the mux went away (or restarted): ask anew, which says so if it is gone
            self._status_sock, reply = self._request({"op": "status", "connect": connect})
            return reply

    def follow(self) -> tuple[socket.socket, bool]:
        """(a connection to the mux, whether the node's connection is up now). While it is
        up, the mux answers once more on that connection when it dies; ``frames.recv_json``
        on it returns then (or when the mux, or the caller closing it, ends it)."""
        sock, reply = self._request({"op": "follow"})
        return sock, bool(reply.get("active"))

    def connect(self) -> None:
        """Have the mux connect to the node now; raises if it cannot."""
        if not self.status(connect=True)["active"]:
            raise paramiko.SSHException(f"the SSH multiplexer cannot connect to {self.config.hostname} "
                                        "(see the session's mux.log)")

    def connected(self) -> bool:
        try:
            return bool(self.status()["active"])
        except paramiko.SSHException:
            return False

    def ping(self) -> None:
        """One keepalive round trip on the mux's connection to the node (which the mux reopens
        if it died); raises what a direct connection's ``ping`` would, or MuxUnavailable."""
        sock, _reply = self._request({"op": "ping"}, interruptible=True)
        sock.close()

    def client(self) -> Any:
        """A real paramiko SSHClient of this process's own (port forwarding needs one)."""
        with self._lock:
            if self._direct is None:
                self._direct = SSHConnection(self.config, self._log)
            return self._direct.client()

    def transport(self) -> Any:
        return self.client().get_transport()

    def close(self) -> None:
        """Close this process's SFTP and direct connections, and end the pings awaiting a
        reply (one blocked on a cut link wakes up)."""
        with self._status_lock:
            if self._status_sock is not None:
                self._status_sock.close()
                self._status_sock = None
        with self._lock:
            for sock in self._waiting:
                _end(sock)
            if self._sftp is not None:
                self._sftp.close()
                self._sftp = None
            if self._direct is not None:
                self._direct.close()
                self._direct = None


def _end(sock: socket.socket) -> None:
    """Close *sock* so that a thread blocked reading it wakes up at once."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


_PLAIN_ERRORS = {"TimeoutError": TimeoutError, "timeout": TimeoutError, "ConnectionResetError": ConnectionResetError,
                 "EOFError": EOFError, "AuthenticationException": paramiko.AuthenticationException,
                 "BadAuthenticationType": paramiko.AuthenticationException,
                 "PasswordRequiredException": paramiko.AuthenticationException}


def _node_error(reply: dict, config: Any) -> Exception:
    """The node's failure as the mux saw it, of the class a direct connection would raise
    (the ssh_exception_checks functions and check_ssh look at it)."""
    error, kind = str(reply.get("error", "unknown error")), reply.get("type")
    if kind and error.startswith(f"{kind}: "):
        error = error[len(kind) + 2:]  # describe() on this side names the class again
    if kind == "NoValidConnectionsError":  # its own text names host and port: keep the socket's error
        refused = ConnectionRefusedError(errno.ECONNREFUSED, f"{error.rsplit(': ', 1)[-1]} (through the SSH multiplexer)")
        return paramiko.ssh_exception.NoValidConnectionsError({(config.hostname, config.port): refused})
    return _PLAIN_ERRORS.get(kind, paramiko.SSHException)(f"{error} (through the SSH multiplexer)")
