"""The multiplexer process: one SSH connection per node, channels for the test processes.

Started by the driver (``SessionMux``) as ``python -m ducktape.cluster.mux.server FD LOG``
with FD a listening Unix socket. Its stdin carries one JSON line (the nodes' ssh configs,
dialled at once, all in parallel) and then stays open: when the driver goes, stdin reaches
EOF and this process exits, taking every channel with it.

Each client connection asks for one thing: a running command, an SFTP channel, the
state of a node's connection (once, again on request, or each time it changes), or a
keepalive round trip on it (the driver's health check). A client that goes away (its test process killed, an
``ssh_capture`` abandoned) ends its own channel and nothing else: each connection is
relayed by its own threads, and a slow reader only holds back its own channel's window.
"""
from __future__ import annotations

import json
import logging
import os
import select
import socket
import sys
import threading
from typing import Any

from ducktape.cluster.channel_wait import ChannelWaiter
from ducktape.cluster.mux import frames
from ducktape.cluster.shell import START_SHELL
from ducktape.cluster.ssh import SSHConnection, describe
from ducktape.cluster.ssh_config import RemoteAccountSSHConfig

RELAY_CHUNK = 1 << 20
STARTED_AHEAD = 2  # per node and command: channels started before a test process asks
FOLLOW_CHECK_SEC = 5.0  # how often a followed connection's thread looks whether the driver still listens
KEPT_SHELLS = 4  # per node: idle shells test processes gave back (a node serves one test at a time)
log = logging.getLogger("ducktape.mux")


class Node:
    """The connection to a node, and how many channels use it now.

    sshd caps the channels of one connection (MaxSessions, 10 by default). When the node
    refuses a channel on a live connection for that reason, the node gets one more
    connection: the cap then costs a login per ten channels open at once, never a failure.
    """

    def __init__(self, config: RemoteAccountSSHConfig):
        self.config = config
        self.conn = SSHConnection(config, self._log)
        self.extra: list[SSHConnection] = []
        self.name = config.host or config.hostname
        self.channels = 0
        self.ready: dict[tuple, list] = {}  # (command, combine) -> channels started ahead
        self.starting: dict[tuple, int] = {}
        self.lock = threading.Lock()

    def started(self, command: str, combine: bool, timeout: float | None, prestart: bool) -> Any:
        """A channel running *command*: one started ahead when *prestart* and one is ready,
        else a new one; with *prestart*, another is then started in the background for the
        next caller (the shells' bootstrap: sshd's session start and the login shell's
        start-up files are then paid off the test's path)."""
        chan = self._take_ready((command, combine)) if prestart else None
        if chan is None:
            chan = self._start(command, combine, timeout)
        if prestart:
            self.start_ahead((command, combine))
        return chan

    def _start(self, command: str, combine: bool, timeout: float | None) -> Any:
        chan = self.open_channel(timeout)
        try:
            chan.set_combine_stderr(combine)
            chan.exec_command(command)
        except BaseException:
            chan.close()
            raise
        return chan

    def _take_ready(self, key: tuple) -> Any:
        while True:
            with self.lock:
                ready = self.ready.get(key)
                chan = ready.pop() if ready else None
            if chan is None:
                return None
            quiet = not (chan.recv_ready() or chan.recv_stderr_ready() or chan.eof_received or chan.closed)
            if quiet and chan.get_transport() is not None and chan.get_transport().is_active():
                return chan
            chan.close()  # died or spoke while waiting: not what a fresh one would be

    def keep(self, key: tuple, chan: Any) -> None:
        """Keep *chan*, an idle shell a test process gave back, for the next one (its bash
        and start-up files are then not paid again); close it if enough are kept."""
        quiet = not (chan.recv_ready() or chan.recv_stderr_ready() or chan.eof_received or chan.closed)
        with self.lock:
            ready = self.ready.setdefault(key, [])
            if quiet and len(ready) < KEPT_SHELLS:
                ready.append(chan)
                return
        chan.close()

    def start_ahead(self, key: tuple) -> None:
        with self.lock:
            if len(self.ready.get(key, ())) + self.starting.get(key, 0) >= STARTED_AHEAD:
                return
            self.starting[key] = self.starting.get(key, 0) + 1
        threading.Thread(target=self._start_one_ahead, args=(key,), daemon=True).start()

    def _start_one_ahead(self, key: tuple) -> None:
        try:
            chan = self._start(key[0], key[1], None)
        except Exception as err:  # noqa: BLE001 - the next caller starts its own and sees the error
            self._log(logging.DEBUG, f"cannot start a channel ahead: {describe(err)}")
            chan = None
        with self.lock:
            self.starting[key] -= 1
            if chan is not None:
                self.ready.setdefault(key, []).append(chan)

    def open_channel(self, timeout: float | None) -> Any:
        """A session channel on the first connection with room for one."""
        from paramiko import ChannelException

        with self.lock:
            conns = [self.conn, *self.extra]
        for conn in conns:
            try:
                return conn.open_channel(timeout=timeout)
            except ChannelException:
                if not conn.connected():
                    raise
        conn = SSHConnection(self.config, self._log)
        self._log(logging.INFO, f"channel limit reached on {len(conns)} connection(s); opening another")
        with self.lock:
            self.extra.append(conn)
        return conn.open_channel(timeout=timeout)

    def _log(self, level: int, msg: str, *args: Any, **kwargs: Any) -> None:
        log.log(level, f"{self.name}: {msg}", *args, **kwargs)

    def count(self, delta: int) -> None:
        with self.lock:
            self.channels += delta


class Mux:
    def __init__(self) -> None:
        self._nodes: dict[str, Node] = {}
        self._lock = threading.Lock()

    def node(self, config: dict) -> Node:
        key = json.dumps(config, sort_keys=True)
        with self._lock:
            node = self._nodes.get(key)
            if node is None:
                node = self._nodes[key] = Node(RemoteAccountSSHConfig(**config))
            return node

    def warm(self, configs: list) -> None:
        """Connect to every node at once; a failure is left for the first request to report."""
        for config in configs:
            threading.Thread(target=self._warm_one, args=(config,), daemon=True).start()

    def _warm_one(self, config: dict) -> None:
        node = self.node(config)
        try:
            node.conn.client()
        except Exception as err:  # noqa: BLE001 - reported to the test that needs the node
            node._log(logging.WARNING, f"cannot connect: {describe(err)}")
            return
        node.start_ahead((START_SHELL, False))  # the first test's first command finds its shell ready

    def serve(self, sock: socket.socket) -> None:
        """Answer one client connection, then close it (and its channel)."""
        try:
            request = frames.recv_json(sock)
            if isinstance(request, dict):
                self._answer(sock, request)
        except OSError:
            pass  # the test process went away
        except Exception:
            log.exception("request failed")
        finally:
            sock.close()

    def _answer(self, sock: socket.socket, request: dict) -> None:
        node = self.node(request["node"])
        op = request.get("op")
        if op == "status":  # answered, and again for each further request on this connection:
            while isinstance(request, dict):  # the driver asks at every allocation, at no cost of a new one
                frames.send_json(sock, {"ok": True, "active": self._active(node, request.get("connect", False)),
                                        "channels": node.channels})
                request = frames.recv_json(sock)
            return
        if op == "ping":  # the driver's health check rides on this connection: no login of its own
            frames.send_json(sock, _ping(node))
            return
        if op == "follow":
            _follow(sock, node)
            return
        try:
            if op == "exec":
                chan = node.started(request["command"], bool(request.get("combine")), request.get("timeout"),
                                    bool(request.get("prestart")))
            else:
                chan = node.open_channel(request.get("timeout"))
                chan.invoke_subsystem("sftp")
        except Exception as err:  # noqa: BLE001 - the test process raises it
            frames.send_json(sock, {"ok": False, "error": describe(err), "type": type(err).__name__})
            return
        node.count(+1)
        released = False
        try:
            transport = chan.get_transport()
            frames.send_json(sock, {"ok": True, "remote_version": transport.remote_version or ""})
            if op == "sftp":
                _relay_raw(sock, chan)
            else:
                released = _relay_command(sock, chan) and request["command"] == START_SHELL
        finally:
            node.count(-1)
            if released:
                node.keep((request["command"], bool(request.get("combine"))), chan)
            else:
                chan.close()

    @staticmethod
    def _active(node: Node, connect: bool) -> bool:
        if not connect:
            return node.conn.connected()
        try:
            node.conn.client()
            return True
        except Exception as err:  # noqa: BLE001 - the answer is the state
            node._log(logging.DEBUG, f"connect failed: {describe(err)}")
            return False


def _ping(node: Node) -> dict:
    """One keepalive round trip on *node*'s connection (reopened first if it died), as a reply."""
    try:
        node.conn.ping()
    except Exception as err:  # noqa: BLE001 - the driver's health check reads the cause
        return {"ok": False, "error": describe(err), "type": type(err).__name__}
    return {"ok": True}


def _follow(sock: socket.socket, node: Node) -> None:
    """Tell the driver whether *node*'s connection is up; if it is, tell it again the moment it
    dies (the transport's thread ends), so the driver's allocations need not ask."""
    transport = node.conn.live_transport()
    frames.send_json(sock, {"ok": True, "active": transport is not None})
    while transport is not None and transport.is_active():
        transport.join(FOLLOW_CHECK_SEC)
        if select.select([sock], [], [], 0)[0]:
            return  # the driver stopped following (EOF) or is gone
    if transport is not None:
        frames.send_json(sock, {"ok": True, "active": False})


def _relay_raw(sock: socket.socket, chan: Any) -> None:
    """Copy bytes both ways until either side closes."""

    def down() -> None:
        _copy(chan.recv, sock.sendall)
        _shut(sock)

    thread = threading.Thread(target=down, daemon=True)
    thread.start()
    _copy(sock.recv, chan.sendall)
    chan.close()
    thread.join()


def _copy(read: Any, write: Any) -> None:
    """write(read()) until read gives nothing or either fails."""
    try:
        while True:
            data = read(RELAY_CHUNK)
            if not data:
                return
            write(data)
    except (OSError, EOFError):
        return


def _relay_command(sock: socket.socket, chan: Any) -> bool:
    """Relay a running command's streams as frames until either side ends. True when the
    client gave the channel back (an idle shell): it is then left open, for ``Node.keep``."""
    waiter = ChannelWaiter(chan)
    stop = threading.Event()
    thread = threading.Thread(target=_relay_down, args=(sock, chan, waiter, stop), daemon=True)
    thread.start()
    released = False
    try:
        while True:
            kind, payload = frames.recv(sock)
            if kind == frames.STDIN:
                chan.sendall(payload)
            elif kind == frames.STDIN_EOF:
                chan.shutdown_write()
            else:  # the client closed (its channel ends with it) or gave it back
                released = kind == frames.RELEASE
                break
    except (OSError, EOFError):
        pass  # the client or the node went away
    if not released:
        chan.close()
    stop.set()
    waiter.wake()
    thread.join()
    return released


def _relay_down(sock: socket.socket, chan: Any, waiter: ChannelWaiter, stop: threading.Event) -> None:
    """Node -> test process: stdout, stderr, EOF and exit status, or the channel's end;
    until *stop* (the channel was given back: what comes next is for its next user)."""
    try:
        while not stop.is_set():
            waiter.arm()
            if stop.is_set():
                return
            while chan.recv_stderr_ready():
                frames.send(sock, frames.STDERR, chan.recv_stderr(RELAY_CHUNK))
            while chan.recv_ready():
                frames.send(sock, frames.STDOUT, chan.recv(RELAY_CHUNK))
            if chan.recv_ready() or chan.recv_stderr_ready():
                continue  # more came meanwhile: relay it before saying the channel ended
            if chan.eof_received:
                frames.send(sock, frames.EOF)
                frames.send(sock, frames.STATUS, str(chan.recv_exit_status()).encode())
                return
            if chan.closed:
                active = chan.get_transport() is not None and chan.get_transport().is_active()
                frames.send(sock, frames.CLOSED, b"1" if active else b"0")
                return
            waiter.wait(5.0)
    except OSError:
        _shut(sock)  # the test process is gone; the main relay loop sees it and closes the channel


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _exit_when_driver_goes(path: str) -> None:
    """Exit at EOF on stdin. A driver that was killed cannot remove the socket's private
    directory: remove it here (only the socket, and the directory only if then empty)."""
    sys.stdin.buffer.read()
    for remove, target in ((os.unlink, path), (os.rmdir, os.path.dirname(path))):
        try:
            remove(target)
        except OSError:
            pass
    os._exit(0)


def main(argv: list[str]) -> int:
    listener = socket.socket(fileno=int(argv[1]))
    if len(argv) > 2 and argv[2]:
        logging.basicConfig(filename=argv[2], level=logging.INFO,
                            format="[%(asctime)s] %(levelname)s %(name)s: %(message)s")
    threading.stack_size(512 * 1024)  # one or two threads per open channel
    mux = Mux()
    mux.warm(json.loads(sys.stdin.buffer.readline() or b"[]"))
    threading.Thread(target=_exit_when_driver_goes, args=(listener.getsockname(),), daemon=True).start()
    while True:
        client, _ = listener.accept()
        threading.Thread(target=mux.serve, args=(client,), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
