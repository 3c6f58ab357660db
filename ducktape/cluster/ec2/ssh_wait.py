"""Waiting until new nodes answer on their SSH port, all at once and within a bound.

The probes run on a NodeGroup (daemon threads) and the calling thread only watches them,
so Ctrl-C ends the wait at once (the probes notice within a second and never hold the process)."""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Sequence

from ducktape.cluster.ec2.errors import Ec2Error
from ducktape.cluster.node_group import NodeGroup

BANNER = b"SSH-"
PROBE_TIMEOUT = 3.0  # one connection attempt; a live sshd greets well within it
WATCH_INTERVAL = 0.2  # how often the calling thread looks (and how fast Ctrl-C is seen)
PROGRESS_EVERY = 5.0  # seconds between progress reports when nothing changes


def ssh_answers(host: str, port: int, timeout: float) -> bool:
    """True when *host*:*port* accepts a connection and greets with an SSH banner."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            return sock.recv(len(BANNER)) == BANNER
    except OSError:
        return False


def wait_for_ssh(nodes: Sequence[tuple[str, str, int]], timeout: float, poll: float = 1.0,
                 on_progress: Callable[[int, int, float], None] | None = None) -> dict[str, float]:
    """Wait until each ``(name, host, port)`` answers SSH; return seconds waited per name.

    All nodes are probed concurrently and share one deadline; the first node still
    silent at the deadline is named in an Ec2Error. ``on_progress(answering, total,
    seconds_left)`` is called when a node answers and every few seconds.
    """
    began = time.monotonic()
    deadline = began + timeout
    stop = threading.Event()
    answered: dict[str, float] = {}
    progress = _Progress(answered, len(nodes), deadline, on_progress)

    def probe(node: tuple[str, str, int]) -> None:
        name, host, port = node
        while not stop.is_set():
            remaining = deadline - time.monotonic()
            if ssh_answers(host, port, max(0.1, min(PROBE_TIMEOUT, remaining))):
                answered[name] = time.monotonic() - began
                return
            if time.monotonic() + poll > deadline:
                return
            stop.wait(poll)

    try:
        NodeGroup(nodes).call(probe, name="ssh-wait", watch=progress.look, watch_every=WATCH_INTERVAL)
    finally:
        stop.set()  # Ctrl-C included: the probes end by themselves, nothing waits for them
    progress.last()
    for name, host, port in nodes:
        if name not in answered:
            raise Ec2Error(f"{name} ({host}:{port}) did not answer SSH within {timeout:g}s",
                           "let port 22 in from this machine in the security group, use a subnet that gives "
                           "public IPs (or run from inside the VPC), or raise ssh_wait_seconds",
                           exit_status=1)
    return {name: answered[name] for name, _, _ in nodes}


class _Progress:
    """Reports how many nodes answer: when that changes, and every few seconds otherwise."""

    def __init__(self, answered: dict[str, float], total: int, deadline: float,
                 on_progress: Callable[[int, int, float], None] | None) -> None:
        self.answered, self.total, self.deadline, self.on_progress = answered, total, deadline, on_progress
        self.reported, self.last_report = -1, time.monotonic()

    def look(self) -> None:
        now = time.monotonic()
        if self.on_progress and (len(self.answered) != self.reported or now - self.last_report >= PROGRESS_EVERY):
            self.reported, self.last_report = len(self.answered), now
            self.on_progress(len(self.answered), self.total, max(0.0, self.deadline - now))

    def last(self) -> None:
        """The last answer may have come after the last look."""
        if self.on_progress and len(self.answered) != self.reported:
            self.on_progress(len(self.answered), self.total, max(0.0, self.deadline - time.monotonic()))
