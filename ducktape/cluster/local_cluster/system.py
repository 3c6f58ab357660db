"""Run host commands (ip, iptables, ssh-keygen) and turn failures into LocalClusterError."""
from __future__ import annotations

import shlex
import subprocess
from collections.abc import Sequence

from ducktape.cluster.local_cluster.errors import LocalClusterError


def run(cmd: Sequence[str], what: str, stdin: str | None = None) -> str:
    """Run *cmd*, return its stdout; on failure raise naming *what* we were doing."""
    try:
        done = subprocess.run(list(cmd), input=stdin, capture_output=True, text=True, check=False)
    except OSError as err:
        raise LocalClusterError(f"{what}: cannot run {cmd[0]}: {err}") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise LocalClusterError(
            f"{what}: `{shlex.join(cmd)}` exited {done.returncode}: {' / '.join(detail[-3:])}"
        )
    return done.stdout


def run_quietly(cmd: Sequence[str], stdin: str | None = None) -> bool:
    """Run *cmd* for cleanup, where "already gone" is fine; True when it succeeded."""
    try:
        done = subprocess.run(list(cmd), input=stdin, capture_output=True, text=True, check=False)
    except OSError:
        return False
    return done.returncode == 0
