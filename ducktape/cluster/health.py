"""Is a node alive? Answered by the driver without an SSH handshake on the scheduling path.

The driver keeps one SSH connection per node for this alone: it is never used for a
test's commands and never crosses a fork (test processes go through the session's
multiplexer, or open their own). A thread per node opens it (all nodes at once, when the first allocation asks) and then sends a
keepalive request with a reply every ``PING_INTERVAL_SEC`` (less often on a cluster so
large that all nodes together would exceed ``MAX_PINGS_PER_SEC``). Asking whether a node is
healthy reads what the thread last saw, so it costs no network round trip:

- the connection failed (refused, timed out, authentication) or died and cannot be
  reopened (a connection seen closed is redialled at once, by the asking thread):
  dead, with the cause kept for the message that parks it;
- a ping has gone unanswered for ``STALE_AFTER_SEC`` (a cut link): dead;
- otherwise alive.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from ducktape.cluster.ssh import SSHConnection, describe

PING_INTERVAL_SEC = 1.0
STALE_AFTER_SEC = 8.0
# All nodes together are pinged at most this often: on a large cluster each node's interval
# grows instead, so the driver's background work does not grow with the node count.
MAX_PINGS_PER_SEC = 16.0
REDIAL_INTERVAL_SEC = 5.0
PING_REQUEST = "keepalive@openssh.com"  # sshd answers it (with a failure), which is all we need

CONNECTING, UP, DOWN = "connecting", "up", "down"


def ping_interval(nodes: int) -> float:
    """Seconds between two pings of one node when *nodes* are watched."""
    return max(PING_INTERVAL_SEC, nodes / MAX_PINGS_PER_SEC)


def stale_after(interval: float) -> float:
    """Silence after which a node pinged every *interval* seconds counts as dead."""
    return max(STALE_AFTER_SEC, 4 * interval)


class NodeWatch:
    """The driver's view of one node: its own connection and a pinging thread."""

    def __init__(self, account: Any, log: Callable[..., None], interval: Callable[[], float] = lambda: PING_INTERVAL_SEC):
        self.account = account
        self._interval = interval
        self.state = CONNECTING
        self.cause = ""
        self.last_reply = 0.0
        self._log = log
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._conn = SSHConnection(account.ssh_config, log)
        self._thread = threading.Thread(target=self._run, name=f"ducktape-health-{account.hostname}", daemon=True)

    def start(self) -> None:
        self._thread.start()

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
        try:
            self._conn.client()
        except Exception as err:  # noqa: BLE001 - a health check answers, it does not raise
            self._set(DOWN, f"cannot connect: {describe(err)}")
            return
        self.last_reply = time.monotonic()
        self._set(UP)

    def _ping(self) -> None:
        """One keepalive round trip; blocks until the reply or until the transport dies."""
        try:
            transport = self._conn.transport()
            transport.global_request(PING_REQUEST, wait=True)
            alive = transport.is_active()
        except Exception as err:  # noqa: BLE001
            alive, cause = False, describe(err)
        else:
            cause = "the SSH connection closed"
        if alive:
            self.last_reply = time.monotonic()
            return
        if self._stop.is_set():
            return
        self._log(logging.DEBUG, f"health connection lost ({cause}); reconnecting")
        self._connect()
        if self.state == DOWN:
            self.cause = f"{cause}; {self.cause}"

    def healthy(self, wait: float) -> bool:
        """The last answer; while the first connection is being opened, wait up to *wait* s."""
        with self._changed:
            self._changed.wait_for(lambda: self.state != CONNECTING, timeout=wait)
        if self.state == CONNECTING:
            self.cause = f"no SSH connection within {wait:g} s"
            return False
        if self.state == UP and not self._conn.connected():
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


def _account_log(account: Any) -> Callable[..., None]:
    def log(level: int, msg: str, *args: Any, **kwargs: Any) -> None:
        account.logger.log(level, f"{account}: health: {msg}", *args, **kwargs)

    return log
