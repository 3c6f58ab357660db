"""Is a node alive? Answered by the driver without an SSH handshake on the scheduling path.

With the session's multiplexer on (cluster/mux), the checks ride on the mux's one
connection per node: a ``ping`` request has the mux send the keepalive on it, so the
session holds one login per node. Without it (or once the mux stops answering), the driver
keeps one SSH connection per node for this alone, never used for a test's commands and
never crossing a fork. A thread per node opens it (all nodes at once, when the first
allocation asks) and then sends a keepalive request with a reply every
``PING_INTERVAL_SEC`` (less often on a cluster so large that all nodes together would
exceed ``MAX_PINGS_PER_SEC``). Asking whether a node is healthy reads what the thread last
saw, so it costs no network round trip. (Through the mux, a second thread per node holds a
request the mux answers the moment the node's connection dies; while none has come, an
allocation asks nothing at all.)

- the connection failed (refused, timed out, authentication) or died and cannot be
  reopened (a connection seen closed is redialled at once, by the asking thread):
  dead, with the cause kept for the message that parks it;
- a ping has gone unanswered for ``STALE_AFTER_SEC`` (a cut link): dead;
- otherwise alive.
"""
from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from ducktape.cluster import mux
from ducktape.cluster.ssh import SSHConnection, describe

PING_INTERVAL_SEC = 1.0
STALE_AFTER_SEC = 8.0
# All nodes together are pinged at most this often: on a large cluster each node's interval
# grows instead, so the driver's background work does not grow with the node count.
MAX_PINGS_PER_SEC = 16.0
REDIAL_INTERVAL_SEC = 5.0
FOLLOW_RETRY_SEC = 1.0  # via the mux, while a node's connection is down: how often to ask to follow it again

CONNECTING, UP, DOWN = "connecting", "up", "down"


def ping_interval(nodes: int) -> float:
    """Seconds between two pings of one node when *nodes* are watched."""
    return max(PING_INTERVAL_SEC, nodes / MAX_PINGS_PER_SEC)


def stale_after(interval: float) -> float:
    """Silence after which a node pinged every *interval* seconds counts as dead."""
    return max(STALE_AFTER_SEC, 4 * interval)


class NodeWatch:
    """The driver's view of one node: a connection (the mux's, or its own) and a pinging thread."""

    def __init__(self, account: Any, log: Callable[..., None], interval: Callable[[], float] = lambda: PING_INTERVAL_SEC):
        self.account = account
        self._interval = interval
        self.state = CONNECTING
        self.cause = ""
        self.last_reply = 0.0
        self._log = log
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._switch = threading.Lock()
        path = mux.session_path()
        self.via_mux = path is not None
        self._conn: Any = SSHConnection(account.ssh_config, log) if path is None else _mux_connection(path, account, log)
        self._thread = threading.Thread(target=self._run, name=f"ducktape-health-{account.hostname}", daemon=True)
        self._link_up = False  # via the mux: known up since the mux said so and has not said otherwise
        self._following: Any = None  # that connection to the mux

    def start(self) -> None:
        self._thread.start()
        if self.via_mux:
            threading.Thread(target=self._follow, name=f"ducktape-follow-{self.account.hostname}", daemon=True).start()

    def _follow(self) -> None:
        """Via the mux: have it say when the node's connection dies, so an allocation asks
        no one while the connection is known up. Otherwise (not known up, the mux gone, the
        watch switched to its own connection) allocations ask, as without it."""
        from ducktape.cluster.mux import frames

        while not self._stop.is_set() and self.via_mux:
            try:
                sock, up = self._conn.follow()
            except Exception:  # noqa: BLE001 - the pings and allocations find out what is wrong
                sock, up = None, False
            if sock is not None:
                self._following = sock
                if self._stop.is_set():
                    sock.close()
                    return
                self._link_up = up
                try:
                    if up:
                        frames.recv_json(sock)  # returns when the connection dies (or the mux goes)
                except OSError:
                    pass
                finally:
                    self._link_up = False
                    sock.close()
            self._stop.wait(FOLLOW_RETRY_SEC)  # a dead connection: ask again in a moment

    def _set(self, state: str, cause: str = "") -> None:
        with self._changed:
            self.state, self.cause = state, cause
            self._changed.notify_all()

    def _run(self) -> None:
        """Connect, then ping; while down, redial now and then, so a node back before the
        next allocation asks (a healed partition) is not parked for nothing."""
        try:
            self._connect()
            while not self._stop.wait(self._interval() if self.state == UP else REDIAL_INTERVAL_SEC):
                if self.state == UP:
                    self._ping()
                else:
                    self._connect()
        finally:
            self._conn.close()

    def _connect(self) -> None:
        """Open the connection (or have the mux reopen its own) and see it answer."""
        try:
            self._conn.ping()  # connects first; through the mux, a failure names its real cause
        except Exception as err:  # noqa: BLE001 - a health check answers, it does not raise
            if self._mux_gone(err):
                self._connect()
                return
            self._set(DOWN, f"cannot connect: {describe(err)}")
            return
        self.last_reply = time.monotonic()
        self._set(UP)

    def _ping(self) -> None:
        """One keepalive round trip; blocks until the reply or until the transport dies."""
        try:
            self._conn.ping()
        except Exception as err:  # noqa: BLE001
            cause = describe(err)
            if self._stop.is_set():
                return
            if self._mux_gone(err):
                self._connect()
                return
        else:
            self.last_reply = time.monotonic()
            return
        self._log(logging.DEBUG, f"health connection lost ({cause}); reconnecting")
        self._connect()
        if self.state == DOWN:
            self.cause = f"{cause}; {self.cause}"

    def _mux_gone(self, err: Exception) -> bool:
        """True when *err* says the multiplexer itself stopped answering: the node is then
        watched over a connection of the driver's own (the mux's failure fails the tests that
        used it, never the session's view of its nodes)."""
        if not self.via_mux or self._stop.is_set():
            return False
        from ducktape.cluster.mux.client import MuxUnavailable

        if not isinstance(err, MuxUnavailable):
            return False
        with self._switch:
            if self.via_mux:
                self._log(logging.WARNING, f"{err}; checking the node over a connection of its own")
                self._conn, self.via_mux = SSHConnection(self.account.ssh_config, self._log), False
        return True

    def healthy(self, wait: float) -> bool:
        """The last answer; while the first connection is being opened, wait up to *wait* s."""
        with self._changed:
            self._changed.wait_for(lambda: self.state != CONNECTING, timeout=wait)
        if self.state == CONNECTING:
            self.cause = f"no SSH connection within {wait:g} s"
            return False
        if self.state == UP and not self._link_up and not self._conn.connected():
            self._connect()  # the connection dropped since the last ping: a refused redial is a dead node
        if self.state == DOWN:
            return False
        silent = time.monotonic() - self.last_reply
        if silent > stale_after(self._interval()):
            self.cause = f"no answer to SSH keepalives for {silent:.0f} s"
            return False
        return True

    def stop(self) -> None:
        self._stop.set()
        self._conn.close()  # wakes a ping blocked on a dead link
        following = self._following
        if following is not None:
            try:
                following.shutdown(socket.SHUT_RDWR)  # wakes the follow thread; the mux sees EOF
            except OSError:
                pass


class NodeHealth:
    """Liveness of a cluster's SSH nodes, watched in the background by the driver."""

    def __init__(self) -> None:
        self._watches: dict[int, NodeWatch] = {}
        self._lock = threading.Lock()

    def watch(self, accounts: Iterable[Any]) -> None:
        """Start watching each of *accounts* not watched yet (all connect at once)."""
        started = []
        with self._lock:
            for account in accounts:
                if id(account) not in self._watches:
                    watch = self._watches[id(account)] = NodeWatch(account, _account_log(account), self._interval)
                    started.append(watch)
        for watch in started:
            watch.start()

    def _interval(self) -> float:
        return ping_interval(len(self._watches))

    def healthy(self, account: Any) -> bool:
        """True if *account*'s node answers; the first answer may wait for its connection."""
        self.watch([account])
        timeout = account.ssh_config.connecttimeout or 0
        watch = self._watches[id(account)]
        return watch.healthy(wait=max(timeout, 15) * 2 + 5)

    def cause(self, account: Any) -> str:
        """Why *account* was last found dead ("" if it never was)."""
        watch = self._watches.get(id(account))
        return watch.cause if watch is not None else ""

    def forget(self, account: Any) -> None:
        """Stop watching *account* (a parked node is never asked about again)."""
        with self._lock:
            watch = self._watches.pop(id(account), None)
        if watch is not None:
            watch.stop()

    def close(self) -> None:
        """Stop every thread and close the driver's connections."""
        with self._lock:
            watches, self._watches = list(self._watches.values()), {}
        for watch in watches:
            watch.stop()


def _mux_connection(path: str, account: Any, log: Callable[..., None]) -> Any:
    from ducktape.cluster.mux.client import MuxConnection

    return MuxConnection(path, account.ssh_config, log)


def _account_log(account: Any) -> Callable[..., None]:
    def log(level: int, msg: str, *args: Any, **kwargs: Any) -> None:
        account.logger.log(level, f"{account}: health: {msg}", *args, **kwargs)

    return log
