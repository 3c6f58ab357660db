"""TCP connections to the nodes' sshd, dialled by the driver before a test needs them.

Most of an SSH handshake's cost on the node is sshd's own start for the new connection
(fork, re-exec, loading its keys), which it pays as soon as the TCP connection is
accepted. The driver keeps a dialled, untouched socket per node (``SparePool``); at
launch each of the test's nodes gets one, inherited by the test process through the fork,
which runs its SSH handshake on it (``SSHConnection(predialled=...)``) instead of dialling.
So sshd's start happens off the scheduling path, while the previous test still runs.

A socket belongs to one test process: the driver takes it out of the pool at launch and
only gets it back once that process has exited. Untouched then (the server's banner still
unread, as a no-op test leaves it), it goes back to the pool; otherwise it is closed. A
socket older than ``MAX_AGE_SEC`` is never handed out, as sshd drops connections that do
not log in within its LoginGraceTime (120 s by default). A spare that turns out broken
costs its test process one fresh dial, nothing else (see ``SSHConnection._connect``).
"""
from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from ducktape.cluster.ssh import describe, dial

MAX_AGE_SEC = 60.0
# A replacement is dialled this long after a spare is handed out, so that sshd's start for it
# does not compete for the CPU with the handshake the test process is doing right then.
REFILL_DELAY_SEC = 0.3
KEEP_PER_NODE = 2  # one for the running test's successor, one given back by a test that never connected


class _Spare:
    def __init__(self, sock: Any):
        self.sock = sock
        self.born = time.monotonic()

    def fresh(self) -> bool:
        return time.monotonic() - self.born < MAX_AGE_SEC

    def untouched(self) -> bool:
        """The server's banner is still the first unread data: nobody spoke SSH on it."""
        timeout = self.sock.gettimeout()
        try:
            self.sock.settimeout(0.0)  # with a timeout, recv would first wait for data to arrive
            head = self.sock.recv(4, socket.MSG_PEEK)
        except OSError:
            return False
        finally:
            try:
                self.sock.settimeout(timeout)
            except OSError:
                pass
        return head == b"SSH-"

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


class SparePool:
    """Pre-dialled sockets per node, refilled in the background. Driver side only."""

    def __init__(self) -> None:
        self._ready: dict[str, list[_Spare]] = {}
        self._dialling: set[str] = set()
        self._accounts: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._due: list[tuple[float, str]] = []  # (when, hostname): dials for the dialler thread
        self._dialler: threading.Thread | None = None
        self._closed = False

    def fill(self, accounts: Iterable[Any]) -> None:
        """Dial a spare for each of *accounts* that has none ready or on its way."""
        for account in accounts:
            self._refill(account)

    def take(self, accounts: Iterable[Any]) -> _Handed:
        """Hostname -> socket, one for each of *accounts* with a fresh spare; each node is
        then refilled in the background. The caller owns the sockets until ``give_back``."""
        taken: dict[str, Any] = {}
        for account in accounts:
            host = account.hostname
            with self._lock:
                spares = self._ready.get(host, [])
                stale = [s for s in spares if not s.fresh()]
                spares[:] = [s for s in spares if s.fresh()]
                spare = spares.pop() if spares else None
            for old in stale:
                old.close()
            if spare is not None:
                taken[host] = spare
            self._refill(account, REFILL_DELAY_SEC)
        return _Handed(taken)

    def give_back(self, handed: _Handed) -> None:
        """The test process that held *handed* has exited: keep the untouched sockets, close the rest."""
        for host, spare in handed.spares.items():
            with self._lock:
                keep = (not self._closed and host in self._accounts and spare.fresh() and spare.untouched()
                        and len(self._ready.setdefault(host, [])) < KEEP_PER_NODE)
                if keep:
                    self._ready[host].append(spare)
            if not keep:
                spare.close()

    def forget(self, account: Any) -> None:
        """No more spares for *account* (a parked node)."""
        with self._lock:
            self._accounts.pop(account.hostname, None)
            spares = self._ready.pop(account.hostname, [])
        for spare in spares:
            spare.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._wake.notify_all()
            spares = [s for ready in self._ready.values() for s in ready]
            self._ready.clear()
        for spare in spares:
            spare.close()

    def _refill(self, account: Any, delay: float = 0.0) -> None:
        """Have the dialler thread dial a spare for *account* in *delay* seconds. One thread
        for all nodes: taking a spare at launch must not wait for a thread to start."""
        host = account.hostname
        with self._lock:
            if self._closed or host in self._dialling or self._ready.get(host):
                return
            self._accounts[host] = account
            self._dialling.add(host)
            self._due.append((time.monotonic() + delay, host))
            self._wake.notify()
            if self._dialler is None:
                self._dialler = threading.Thread(target=self._dial_when_due, name="ducktape-spares", daemon=True)
                self._dialler.start()

    def _dial_when_due(self) -> None:
        while True:
            with self._lock:
                while not self._closed and (not self._due or min(self._due)[0] > time.monotonic()):
                    self._wake.wait(min(self._due)[0] - time.monotonic() if self._due else None)
                if self._closed:
                    return
                due = min(self._due)
                self._due.remove(due)
                account = self._accounts.get(due[1])
                if account is None:  # forgotten (parked) meanwhile
                    self._dialling.discard(due[1])
            if account is not None:
                self._dial(account)

    def _dial(self, account: Any) -> None:
        cfg = account.ssh_config
        try:
            sock = dial(cfg.hostname, cfg.port, cfg.connecttimeout)
        except Exception as err:  # noqa: BLE001 - no spare: the test process dials itself, and says why
            _log(account)(logging.DEBUG, f"no spare connection: {describe(err)}")
            sock = None
        with self._lock:
            self._dialling.discard(account.hostname)
            keep = sock is not None and not self._closed and account.hostname in self._accounts
            if keep:
                self._ready.setdefault(account.hostname, []).append(_Spare(sock))
        if sock is not None and not keep:
            sock.close()


class _Handed(dict):
    """Hostname -> socket as handed to a test process; remembers the spares for ``give_back``."""

    def __init__(self, spares: dict[str, _Spare]):
        super().__init__({host: spare.sock for host, spare in spares.items()})
        self.spares = spares


def _log(account: Any) -> Callable[..., None]:
    def log(level: int, msg: str) -> None:
        account.logger.log(level, f"{account}: {msg}")

    return log
