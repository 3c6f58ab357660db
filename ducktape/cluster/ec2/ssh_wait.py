"""Waiting until new nodes answer on their SSH port, all at once and within a bound."""
from __future__ import annotations

import socket
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from ducktape.cluster.ec2.errors import Ec2Error

BANNER = b"SSH-"


def ssh_answers(host: str, port: int, timeout: float) -> bool:
    """True when *host*:*port* accepts a connection and greets with an SSH banner."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            return sock.recv(len(BANNER)) == BANNER
    except OSError:
        return False


def wait_for_ssh(nodes: Sequence[tuple[str, str, int]], timeout: float, poll: float = 1.0) -> dict[str, float]:
    """Wait until each ``(name, host, port)`` answers SSH; return seconds waited per name.

    All nodes are probed concurrently and share one deadline; the first node still
    silent at the deadline is named in an Ec2Error.
    """
    deadline = time.monotonic() + timeout
    began = time.monotonic()

    def one(node: tuple[str, str, int]) -> float:
        name, host, port = node
        while True:
            remaining = deadline - time.monotonic()
            if ssh_answers(host, port, max(0.1, min(5.0, remaining))):
                return time.monotonic() - began
            if time.monotonic() + poll > deadline:
                raise Ec2Error(f"{name} ({host}:{port}) did not answer SSH within {timeout:g}s",
                               "let port 22 in from this machine in the security group, use a subnet that gives "
                               "public IPs (or run from inside the VPC), or raise ssh_wait_seconds",
                               exit_status=1)
            time.sleep(poll)

    if not nodes:
        return {}
    with ThreadPoolExecutor(max_workers=min(32, len(nodes))) as pool:
        waited = list(pool.map(one, nodes))
    return {node[0]: seconds for node, seconds in zip(nodes, waited)}
