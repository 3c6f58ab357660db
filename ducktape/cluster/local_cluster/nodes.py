"""Node processes: start one holder per node, wait until its sshd answers, kill by PID.

A node's processes are: the holder (`unshare`, in the host PID namespace, inside the
node's netns) and its child, the node's PID 1 (`node_init`), which runs sshd. Killing
PID 1 with SIGKILL makes the kernel kill everything else in the node.
"""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from ducktape.cluster.local_cluster import node_init
from ducktape.cluster.local_cluster.errors import LocalClusterError
from ducktape.cluster.local_cluster.names import ClusterNames
from ducktape.cluster.local_cluster.node_files import SSH_PORT
from ducktape.cluster.local_cluster.preflight import tool
from ducktape.cluster.local_cluster.state import NodeState
from ducktape.utils import proc

READY_TIMEOUT = 30.0
POLL_INTERVAL = 0.01


def holder_command(names: ClusterNames, node: NodeState, shares: Sequence[str] = ()) -> list[str]:
    """The command that creates the node's UTS, PID and mount namespaces and runs its init."""
    node_dir = names.node_dir(node.index)
    share_args = [arg for share in shares for arg in ("--share", share)]
    return [
        tool("ip"), "netns", "exec", node.netns,
        tool("unshare"), "--pid", "--fork", "--uts", "--mount", "--mount-proc", "--kill-child", "--",
        sys.executable, "-I", "-S", node_init.__file__,
        "--hostname", node.hostname, "--home", str(node_dir / "home"),
        "--hosts", str(names.state_dir / "hosts"), "--state-dir", str(names.state_dir), *share_args, "--",
        tool("sshd"), "-D", "-e", "-f", str(node_dir / "sshd_config"),
    ]


def start_node(names: ClusterNames, node: NodeState, shares: Sequence[str] = ()) -> subprocess.Popen:
    """Start *node*'s holder detached from our session; its output goes to node.log."""
    with open(names.node_dir(node.index) / "node.log", "ab") as log:
        return subprocess.Popen(holder_command(names, node, shares), stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True, close_fds=True)


def sshd_answers(ip: str, timeout: float = 0.5) -> bool:
    """True when an SSH server greets us on *ip*:22."""
    try:
        with socket.create_connection((ip, SSH_PORT), timeout=timeout) as sock:
            return sock.recv(4).startswith(b"SSH-")
    except OSError:
        return False


def wait_until_ready(names: ClusterNames, started: dict[int, subprocess.Popen], nodes: list[NodeState],
                     timeout: float = READY_TIMEOUT) -> None:
    """Return once every node's sshd greets us; raise if a holder dies or time runs out."""
    pending = {n.index: n for n in nodes}
    deadline = time.monotonic() + timeout
    while pending:
        for index, node in list(pending.items()):
            if started[index].poll() is not None:
                raise LocalClusterError(f"node {node.hostname} exited during start: {log_tail(names, index)}")
            if sshd_answers(node.ip):
                del pending[index]
        if pending and time.monotonic() > deadline:
            stuck = ", ".join(n.hostname for n in pending.values())
            raise LocalClusterError(f"sshd did not answer within {timeout:.0f}s on {stuck}")
        if pending:
            time.sleep(POLL_INTERVAL)


def log_tail(names: ClusterNames, index: int, lines: int = 3) -> str:
    """Last lines of a node's log, for error messages."""
    try:
        text = (names.node_dir(index) / "node.log").read_text(errors="replace")
    except OSError:
        return "(no log)"
    return " / ".join(text.strip().splitlines()[-lines:]) or "(empty log)"


def init_pid(holder_pid: int) -> int | None:
    """Host PID of the node's PID 1: the holder's only child."""
    found = proc.children(holder_pid)
    return found[0] if found else None


def is_ours(pid: int, names: ClusterNames) -> bool:
    """True when *pid* still runs one of this cluster's node commands (not a reused PID)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return str(names.state_dir).encode() in argv


def is_alive(pid: int | None) -> bool:
    return bool(pid) and proc.is_running(pid)


