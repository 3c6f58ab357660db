"""RemoteAccount: a node reached over SSH (paramiko), with the contract's verbs.

This module is a facade. The connection (lazy, retried, kept alive) is
``cluster/ssh.py``; commands run through persistent shells in ``cluster/shell.py``;
copies are ``cluster/transfer.py``; process helpers ``cluster/processes.py``; the log
monitor ``cluster/log_monitor.py``. The run contract shared with LocalAccount
(allow_fail, results, errors, logging) is ``cluster/account.py``.
"""
from __future__ import annotations

import functools
import logging
import os
import socket
import stat
import threading
from collections.abc import Callable
from typing import Any

from ducktape.cluster import mux, process_tag, transfer
from ducktape.cluster.account import (
    DEFAULT_PERMISSIONS,
    TAGGED_SEARCH_TIMEOUT_SEC,
    Account,
)
from ducktape.cluster.channel_wait import ChannelWaiter
from ducktape.cluster.command import (
    LineStream,
    NodeConnectionError,
    RemoteAccountError,
    RemoteCommandError,
    RemoteCommandTimeoutError,
    SSHOutputIter,
)
from ducktape.cluster.consts import WINDOWS
from ducktape.cluster.log_monitor import LogMonitor
from ducktape.cluster.shell import CommandTimedOut, ShellBroken, ShellPool
from ducktape.cluster.ssh import SSHConnection, describe, ignore_host_key_policy_class
from ducktape.cluster.ssh_config import RemoteAccountSSHConfig

__all__ = [
    "IgnoreMissingHostKeyPolicy",  # noqa: F822 - from the module __getattr__ (paramiko is lazy)
    "LogMonitor", "NodeConnectionError", "RemoteAccount", "RemoteAccountError",
    "RemoteAccountSSHConfig", "RemoteCommandError", "RemoteCommandTimeoutError", "SSHOutputIter", "check_ssh",
]


def _ssh_error_types() -> tuple:
    """What upstream hands to the ssh checkers: paramiko's SSH errors and socket errors."""
    from paramiko.ssh_exception import NoValidConnectionsError, SSHException

    return SSHException, NoValidConnectionsError, socket.error, EOFError, ShellBroken


def _connection_lost(err: BaseException) -> bool:
    """True for failures of the link itself; False for e.g. an SFTP "no such file" (errno set)."""
    if isinstance(err, OSError) and not isinstance(err, (ConnectionError, socket.timeout, socket.gaierror)):
        from paramiko.ssh_exception import NoValidConnectionsError

        return isinstance(err, NoValidConnectionsError) or err.errno is None
    return True


def check_ssh(method: Callable) -> Callable:
    """On an SSH-level error, call each ``ssh_exception_checks`` function as
    ``func(error, account)``; then raise NodeConnectionError naming node and cause if the
    link failed, else re-raise the error (a missing remote file stays FileNotFoundError)."""

    @functools.wraps(method)
    def wrapper(self: RemoteAccount, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except RemoteAccountError:
            raise
        except Exception as err:
            if not isinstance(err, _ssh_error_types()):
                raise
            if self._custom_ssh_exception_checks:
                self._log(logging.DEBUG, "caught ssh error; running ssh checks", exc_info=True)
                for func in self._custom_ssh_exception_checks:
                    func(err, self)
            if not _connection_lost(err):
                raise
            raise NodeConnectionError(self, f"{self._where()}: {describe(err)}") from err

    return wrapper


def _export_process_tag(account: Account, cmd: str) -> str:
    """Command hook: *cmd* exporting the running test's process tag (not on Windows shells)."""
    return cmd if account.os == WINDOWS else process_tag.tagged(cmd)


_CREATE_LOCK = threading.Lock()
_INHERITED: list = []  # connections inherited through fork, kept alive and untouched


def _reset_after_fork() -> None:
    global _CREATE_LOCK
    _CREATE_LOCK = threading.Lock()  # another thread may have held it at fork time


os.register_at_fork(after_in_child=_reset_after_fork)


class RemoteAccount(Account):
    """A node reached over SSH. One connection per account, opened on first use and
    reused for commands and SFTP; ``close()`` drops it (safe twice)."""

    def __init__(self, ssh_config: RemoteAccountSSHConfig, externally_routable_ip: str | None = None,
                 node_type: str | None = None, logger: logging.Logger | None = None,
                 ssh_exception_checks: list[Callable] | None = None):
        super().__init__(ssh_config, externally_routable_ip, node_type, logger, ssh_exception_checks)
        self._conn: Any = None  # an SSHConnection, or a MuxConnection in a test process
        self._pool: ShellPool | None = None
        self._conn_pid = 0
        self._group: _ConnectGroup | None = None
        self._predialled: Any = None
        self.add_command_hook(_export_process_tag, shown=False)

    def _where(self) -> str:
        cfg = self.ssh_config
        user = f"{cfg.user}@" if cfg.user else ""
        return f"ssh {user}{cfg.hostname}:{cfg.port}"

    def _connection(self) -> Any:
        if self._conn is not None and self._conn_pid != os.getpid():
            self._abandon_inherited_connection()
        if self._conn is None:
            with _CREATE_LOCK:
                if self._conn is None:
                    spare, self._predialled = self._predialled, None
                    self._pool = ShellPool(self._new_connection(spare))
                    self._conn_pid = os.getpid()
                    self._conn = self._pool.conn
            if self._group is not None:
                self._group.first_use()
        return self._conn

    def _new_connection(self, spare: Any) -> Any:
        """Through the session's multiplexer in a test process when one runs, else our own."""
        path = mux.endpoint()
        if path is not None:
            from ducktape.cluster.mux.client import MuxConnection

            if spare is not None:
                spare.close()
            return MuxConnection(path, self.ssh_config, self._log)
        return SSHConnection(self.ssh_config, self._log, predialled=spare)

    def _use_predialled(self, sock: Any) -> None:
        """Log in over *sock*, a TCP connection to this node's sshd the driver dialled ahead
        (cluster/spares.py), when this process first connects."""
        self._predialled = sock

    def _abandon_inherited_connection(self) -> None:
        """After a fork the parent's connection is not ours: its reader thread is gone and
        its socket is shared. Never use or close it (closing a channel writes to the
        parent's stream); keep it referenced so no finalizer runs, and connect afresh."""
        _INHERITED.append((self._conn, self._pool))
        self._conn = None
        self._pool = None

    # connection ------------------------------------------------------------------------
    @property
    @check_ssh
    def ssh_client(self) -> Any:
        """The live paramiko SSHClient (reconnects if the transport died)."""
        return self._connection().client()

    @property
    @check_ssh
    def sftp_client(self) -> Any:
        """The paramiko SFTPClient on this account's connection."""
        return self._connection().sftp()

    @check_ssh
    def _set_ssh_client(self) -> None:
        self._connection().connect()

    def _warm(self) -> None:
        """Open the connection now; a failure is left for the first real use to report."""
        try:
            self._connection().connect()
        except Exception as err:  # noqa: BLE001
            self._log(logging.DEBUG, f"early connect failed: {describe(err)}")

    def available(self) -> bool:
        """Health check: True if the connection is up or can be opened now."""
        if self._conn is not None and self._conn_pid == os.getpid() and self._conn.connected():
            return True
        try:
            self._set_ssh_client()
            return True
        except Exception as err:  # noqa: BLE001 - a health check answers, it does not raise
            self._log(logging.WARNING, f"node unavailable: {err}")
            return False

    def close(self) -> None:
        """Close the shells, SFTP and the connection; safe to call twice."""
        if self._conn is not None and self._conn_pid != os.getpid():
            self._abandon_inherited_connection()
        if self._pool is not None:
            self._pool.close()
        if self._conn is not None:
            self._conn.close()

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["_conn"] = None
        state["_pool"] = None
        state["_group"] = None
        state["_predialled"] = None
        return state

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, RemoteAccount) and type(other) is type(self)
                and (self.ssh_config, self.externally_routable_ip, self.node_type)
                == (other.ssh_config, other.externally_routable_ip, other.node_type))

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.ssh_config, self.externally_routable_ip, self.node_type))

    # commands --------------------------------------------------------------------------
    @check_ssh
    def _execute(self, cmd: str, combine_stderr: bool, timeout_sec: float | None) -> tuple:
        self._connection()
        try:
            return self._pool.run(self._as_sent(cmd), combine_stderr, timeout_sec)
        except CommandTimedOut as timed_out:
            raise RemoteCommandTimeoutError(self, cmd, timeout_sec) from timed_out

    @check_ssh
    def tagged_processes(self, tag: str) -> list[str]:
        """Searched by a command shell itself, with builtins (no process started on the node);
        through a command of its own where the node has no such shell free."""
        self._connection()
        try:
            found = self._pool.run_inline(process_tag.tagged_bash(tag, listing=True), TAGGED_SEARCH_TIMEOUT_SEC)
        except CommandTimedOut as timed_out:
            raise RemoteCommandTimeoutError(self, "search for tagged processes", TAGGED_SEARCH_TIMEOUT_SEC) from timed_out
        return super().tagged_processes(tag) if found is None else process_tag.parse_listing(found)

    @check_ssh
    def _stream(self, cmd: str, combine_stderr: bool, timeout_sec: float | None) -> Any:
        """A fresh channel, not a pooled shell: like upstream, the stream lasts until every
        process holding its output has closed it (``cmd | tee -a log &``, Kafka's consumers)."""
        self._connection()
        chan = self._conn.open_channel(timeout=timeout_sec)
        chan.settimeout(timeout_sec)
        chan.set_combine_stderr(combine_stderr)
        chan.exec_command(self._as_sent(cmd))
        return _ChannelStream(chan)

    # files -----------------------------------------------------------------------------
    @check_ssh
    def create_file(self, path: str, contents: str | bytes) -> None:
        """Write *contents* to *path* (overwritten; the parent directory must exist)."""
        with self.sftp_client.open(path, "w") as handle:
            handle.set_pipelined(True)
            handle.write(contents)

    def open(self, path: str, mode: str = "r") -> Any:
        """An SFTP file object for *path*."""
        return self.sftp_client.open(path, mode)

    @check_ssh
    def mkdir(self, path: str, mode: int = DEFAULT_PERMISSIONS) -> None:
        """Create one directory level over SFTP."""
        self.sftp_client.mkdir(path, mode)

    def _stat_mode(self, path: str, follow: bool) -> int | None:
        """st_mode of *path*, or None on any error (logged at debug: the contract says False)."""
        try:
            sftp = self.sftp_client
            return (sftp.stat(path) if follow else sftp.lstat(path)).st_mode
        except Exception as err:  # noqa: BLE001
            self._log(logging.DEBUG, f"stat {path!r} failed: {err}")
            return None

    def exists(self, path: str) -> bool:
        """True if *path* exists (a dangling link counts); False on any error."""
        return self._stat_mode(path, follow=False) is not None

    def isfile(self, path: str) -> bool:
        """True if *path* is a regular file or a link to one; False on any error."""
        mode = self._stat_mode(path, follow=True)
        return mode is not None and stat.S_ISREG(mode)

    def isdir(self, path: str) -> bool:
        """True if *path* is a directory or a link to one; False on any error."""
        mode = self._stat_mode(path, follow=True)
        return mode is not None and stat.S_ISDIR(mode)

    def islink(self, path: str) -> bool:
        """True if *path* is a symbolic link; False on any error."""
        mode = self._stat_mode(path, follow=False)
        return mode is not None and stat.S_ISLNK(mode)

    @check_ssh
    def copy_from(self, src: str, dest: str) -> None:
        """Copy a remote file or tree to the driver; a missing *src* copies nothing."""
        transfer.copy_from(self.sftp_client, src, dest)

    @check_ssh
    def copy_to(self, src: str, dest: str) -> None:
        """Copy a local file or tree to the node."""
        transfer.copy_to(self.sftp_client, src, dest)


def connect_together(accounts: list) -> None:
    """When one of *accounts* first connects, connect the others at the same time, in
    the background: a test that uses several nodes pays about one handshake, not one
    per node in turn, and a test that never touches its nodes pays none."""
    if mux.endpoint() is not None:
        return  # the session's multiplexer has every node's connection open: no handshake to pay
    group = _ConnectGroup([a for a in accounts if isinstance(a, RemoteAccount)])
    for account in group.accounts:
        account._group = group


class _ConnectGroup:
    def __init__(self, accounts: list[RemoteAccount]):
        self.accounts = accounts
        self._started = False
        self._lock = threading.Lock()

    def first_use(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        for account in self.accounts:
            threading.Thread(target=account._warm, name=f"ducktape-connect-{account.hostname}", daemon=True).start()


class _ChannelStream(LineStream):
    """A running command on its own channel, as ssh_capture reads it.

    Both streams are drained as data arrives: unread stderr would keep the SSH window
    shut and stall a command that writes a lot of it. The channel's timeout bounds each
    wait (socket.timeout), as upstream's reads do.
    """

    def __init__(self, chan: Any):
        super().__init__()
        self.channel = chan
        self._err = bytearray()
        self._waiter = ChannelWaiter(chan)

    def _fill(self) -> None:
        chan = self.channel
        self._waiter.arm()
        if not (chan.recv_ready() or chan.recv_stderr_ready()):
            if chan.eof_received or chan.closed:
                self._eof = True
                return
            if not self._waiter.wait(chan.gettimeout()):
                raise socket.timeout("timed out waiting for command output")  # noqa: UP041 - socket.timeout on 3.9
        while chan.recv_stderr_ready():
            self._err += chan.recv_stderr(65536)
        if chan.recv_ready():
            self._buffer += chan.recv(65536)

    def exit_status(self) -> int:
        return self.channel.recv_exit_status()

    def read_stderr(self) -> bytes:
        while not self._eof:
            self._fill()
        return bytes(self._err)

    def close(self) -> None:
        self.channel.close()


def __getattr__(name: str) -> Any:
    if name == "IgnoreMissingHostKeyPolicy":
        return ignore_host_key_policy_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
