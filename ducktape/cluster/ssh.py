"""One persistent paramiko connection per node: connect lazily with retries, keep it
alive, reconnect after a real failure, open channels, and hand out SFTP.

Commands run through ``cluster/shell.py`` (persistent shells on this connection);
file transfer lives in ``cluster/transfer.py``. paramiko is imported on first use.
"""
from __future__ import annotations

import errno
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

KEEPALIVE_INTERVAL_SEC = 5
# Unacknowledged data older than this aborts the connection (TCP_USER_TIMEOUT): with the
# keepalive above, a node whose link is cut fails its commands within ~25 s instead of
# hanging for the kernel's ~15 minutes of retransmissions.
USER_TIMEOUT_SEC = 20
# Dial timeout when the cluster file sets no connecttimeout: a dropped SYN would
# otherwise wait the kernel's ~2 minutes of retries.
DEFAULT_CONNECT_TIMEOUT_SEC = 15
CONNECT_ATTEMPTS = 4
BACKOFF_SEC = 0.2
WINDOW_SIZE = 4 * 1024 * 1024  # larger windows make paramiko's receive buffer the bottleneck
MAX_PACKET_SIZE = 32 * 1024
# AES-GCM needs one OpenSSL call per packet where CTR+HMAC needs two: faster copies.
FAST_CIPHERS = ("aes128-gcm@openssh.com", "aes256-gcm@openssh.com")
PING_REQUEST = "keepalive@openssh.com"  # sshd answers it (with a failure), which is all a ping needs


def _paramiko() -> Any:
    import paramiko

    if not _QUIETED:
        # paramiko logs a failed handshake from its own thread; with no handler configured
        # Python prints it as a traceback on stderr. The error reaches our caller anyway.
        logging.getLogger("paramiko").addHandler(logging.NullHandler())
        _QUIETED.append(True)
    return paramiko


_QUIETED: list = []


def transient(err: BaseException) -> bool:
    """Errors worth another try: a reset or cut link, banner or key-exchange trouble.

    Refused connections, unknown hosts and authentication failures are not retried:
    trying again cannot fix them and only hides the cause for longer.
    """
    paramiko = _paramiko()
    if isinstance(err, paramiko.AuthenticationException):
        return False
    if isinstance(err, paramiko.ssh_exception.NoValidConnectionsError):
        return False
    if isinstance(err, (ConnectionRefusedError, socket.gaierror, socket.timeout)):
        return False  # a node that did not answer within the connect timeout will not answer now
    return isinstance(err, (paramiko.SSHException, EOFError, ConnectionResetError, socket.timeout, OSError))


def make_transport(sock: Any, **kwargs: Any) -> Any:
    """A paramiko Transport with our window sizes and the fastest ciphers offered first."""
    paramiko = _paramiko()
    transport = paramiko.Transport(sock, default_window_size=WINDOW_SIZE,
                                   default_max_packet_size=MAX_PACKET_SIZE, **kwargs)
    options = transport.get_security_options()
    offered = tuple(options.ciphers)
    options.ciphers = tuple(c for c in FAST_CIPHERS if c in offered) + tuple(c for c in offered
                                                                             if c not in FAST_CIPHERS)
    return transport


class QuickAckSocket:
    """A connected TCP socket that acknowledges every read at once.

    sshd sends several small packets in a row without TCP_NODELAY (authentication,
    the first channel, SFTP start), and Linux delays the ACK the second one waits for
    by up to 40 ms: a handshake cost ~65 ms here, ~20 ms with quick ACKs and
    TCP_NODELAY. Linux drops quick-ACK mode on its own, so it is set after every read.
    Everything else is the socket's.
    """

    def __init__(self, sock: socket.socket):
        self._sock = sock
        self._quickack = getattr(socket, "TCP_QUICKACK", None)

    def recv(self, size: int, flags: int = 0) -> bytes:
        data = self._sock.recv(size, flags)
        if self._quickack is not None:
            try:
                self._sock.setsockopt(socket.IPPROTO_TCP, self._quickack, 1)
            except OSError:
                self._quickack = None
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def dial(hostname: str, port: int, timeout: float | None) -> QuickAckSocket:
    """A TCP connection to *hostname*:*port* tuned for SSH's many small packets
    (TCP_NODELAY, quick ACKs) and for noticing a cut link (TCP_USER_TIMEOUT)."""
    try:
        sock = socket.create_connection((hostname, port), timeout=timeout or DEFAULT_CONNECT_TIMEOUT_SEC)
    except OSError as err:
        if err.errno not in (errno.ECONNREFUSED, errno.EHOSTUNREACH):
            raise
        # what paramiko raises when it dials itself; ssh_exception_checks may test for it
        raise _paramiko().ssh_exception.NoValidConnectionsError({(hostname, port): err}) from None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    user_timeout = getattr(socket, "TCP_USER_TIMEOUT", None)
    if user_timeout is not None:
        sock.setsockopt(socket.IPPROTO_TCP, user_timeout, USER_TIMEOUT_SEC * 1000)
    return QuickAckSocket(sock)


def describe(err: BaseException) -> str:
    """A one-line cause for an SSH error, naming its class."""
    text = str(err) or repr(err)
    causes = getattr(err, "errors", None)  # NoValidConnectionsError: the socket error per address
    if isinstance(causes, dict) and causes:
        text = text.replace("[Errno None] ", "") + ": " + "; ".join(
            sorted({getattr(e, "strerror", None) or str(e) for e in causes.values()}))
    return f"{type(err).__name__}: {text}"


_POLICY_CLASS: list[type] = []


def ignore_host_key_policy_class() -> type:
    """A paramiko MissingHostKeyPolicy that accepts any host key without storing it
    (upstream's behaviour; see docs/clusters.md). Built once, on first use."""
    if not _POLICY_CLASS:
        paramiko = _paramiko()

        def missing_host_key(self: Any, client: Any, hostname: str, key: Any) -> None:
            return None

        attrs = {"missing_host_key": missing_host_key, "__module__": "ducktape.cluster.remoteaccount",
                 "__doc__": "Accept any host key without checking or storing it."}
        _POLICY_CLASS.append(type("IgnoreMissingHostKeyPolicy", (paramiko.MissingHostKeyPolicy,), attrs))
    return _POLICY_CLASS[0]


class SSHConnection:
    """The connection to one node. Thread safe; ``close()`` is safe twice.

    *config* is a RemoteAccountSSHConfig; *log* is ``log(level, msg)`` of the owning account.
    """

    keeps_shells = False  # its channels end with this process (see MuxConnection)

    def __init__(self, config: Any, log: Callable[..., None], predialled: Any = None):
        self.config = config
        self._log = log
        self._predialled = predialled  # a socket the driver dialled for us (cluster/spares.py)
        self._spare_in_use: Any = None
        self._lock = threading.RLock()
        self._client: Any = None
        self._sftp: Any = None

    def client(self) -> Any:
        """The live paramiko SSHClient, connecting (or reconnecting) when needed."""
        with self._lock:
            if self._client is None or not self._alive():
                self._connect()
            return self._client

    def connect(self) -> None:
        """Open the connection now if it is not open."""
        self.client()

    def transport(self) -> Any:
        """The live paramiko Transport."""
        return self.client().get_transport()

    def _alive(self) -> bool:
        transport = self._client.get_transport() if self._client is not None else None
        return transport is not None and transport.is_active()

    def _connect(self) -> None:
        """Dial the node, retrying transient failures with backoff; keep the first cause.
        A pre-dialled socket is tried first; if sshd dropped it, a fresh dial follows at once."""
        self._drop()
        spare, self._predialled = self._predialled, None
        if spare is not None:
            try:
                self._client = self._handshake(spare)
                self._spare_in_use = spare
                return
            except Exception as err:  # noqa: BLE001 - the fresh dial below reports a real failure
                _shut(spare)
                self._log(logging.DEBUG, f"handshake on the pre-dialled connection failed ({describe(err)}); dialling")
        cfg = self.config
        errors: list[BaseException] = []
        for attempt in range(CONNECT_ATTEMPTS):
            try:
                self._client = self._handshake(dial(cfg.hostname, cfg.port, cfg.connecttimeout))
                return
            except Exception as err:
                errors.append(err)
                if not transient(err) or attempt == CONNECT_ATTEMPTS - 1:
                    raise err from (errors[0] if len(errors) > 1 else None)
                self._log(logging.DEBUG, f"connect attempt {attempt + 1} failed ({describe(err)}); retrying")
                time.sleep(BACKOFF_SEC * 2**attempt)

    def _handshake(self, sock: Any) -> Any:
        """An SSHClient logged in over *sock* (closed on failure)."""
        paramiko = _paramiko()
        cfg = self.config
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(ignore_host_key_policy_class()())
        try:
            client.connect(
                hostname=cfg.hostname, port=cfg.port, username=cfg.user, password=cfg.password, sock=sock,
                key_filename=cfg.identityfile and os.path.expanduser(cfg.identityfile), look_for_keys=False, allow_agent=False,
                timeout=cfg.connecttimeout, banner_timeout=cfg.connecttimeout or 30,
                auth_timeout=cfg.connecttimeout or 30, transport_factory=make_transport,
            )
        except BaseException:
            client.close()
            raise
        client.get_transport().set_keepalive(KEEPALIVE_INTERVAL_SEC)
        return client

    def open_channel(self, timeout: float | None = None) -> Any:
        """A new session channel. If the transport died under us, reconnect once; a refusal
        on a live transport (e.g. sshd's MaxSessions) is raised, never "fixed" by
        reconnecting, which would cut every other channel."""
        transport = self.transport()  # a failed connect was already retried: let it raise
        try:
            return transport.open_session(timeout=timeout)
        except Exception as err:
            if not transient(err) or transport.is_active():
                raise
            self._log(logging.DEBUG, f"channel open failed ({describe(err)}); reconnecting")
            with self._lock:
                if self._client is not None and self._client.get_transport() is transport:
                    self._connect()
            return self.transport().open_session(timeout=timeout)

    def ping(self) -> None:
        """One keepalive round trip (connecting first when the connection is down); blocks
        until the reply or until the transport dies, and raises if it died."""
        transport = self.transport()
        transport.global_request(PING_REQUEST, wait=True)
        if not transport.is_active():
            raise EOFError("the SSH connection closed")

    def sftp(self) -> Any:
        """The SFTP client on this connection, opened on first use."""
        with self._lock:
            client = self.client()
            if self._sftp is None or self._sftp.get_channel().get_transport() is not client.get_transport():
                self._sftp = client.open_sftp()
                self._sftp.get_channel().settimeout(None)
            return self._sftp

    def connected(self) -> bool:
        """True if a live connection is open now (no network traffic)."""
        with self._lock:
            return self._client is not None and self._alive()

    def live_transport(self) -> Any:
        """The transport if a live connection is open now, else None (never connects)."""
        with self._lock:
            return self._client.get_transport() if self._client is not None and self._alive() else None

    def explain(self, err: Exception) -> None:
        """Raise this connection's own error for a channel that broke with *err*, if it has
        one; a direct connection has none beyond *err* (the multiplexer's does)."""

    def _drop(self) -> None:
        if self._sftp is not None:
            try:
                self._sftp.close()
            except Exception as err:  # noqa: BLE001 - closing a dead channel
                self._log(logging.DEBUG, f"closing SFTP: {describe(err)}")
            self._sftp = None
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._spare_in_use is not None:  # the driver still holds a copy: end the TCP connection itself
            _shut(self._spare_in_use)
            self._spare_in_use = None

    def close(self) -> None:
        """Close SFTP and the connection; a no-op when nothing is open."""
        with self._lock:
            self._drop()
            if self._predialled is not None:  # never used: only our copy goes, the driver keeps its own
                self._predialled.close()
                self._predialled = None


def _shut(sock: Any) -> None:
    """End a TCP connection whatever other processes hold a copy of the socket, then close ours."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
