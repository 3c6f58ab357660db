"""The one way Trogdor code runs a shell command on its own node: ``run_local``.

Workers reach it as ``Platform.run`` (workloads, and fault tasks through their ledgers);
``ducktape-trogdor heal`` calls it directly. Standard library only, like everything the agent
ships (``pack.py``). A test reaches a node through its ducktape account instead
(``faults.shell.account_run``); ``cluster/local_account.py`` is the account of a node that
is the driver host, and lives below ``trogdor/``, which the agent cannot carry.
"""
from __future__ import annotations

import subprocess

COMMAND_TIMEOUT = 120.0


def run_local(command: str, timeout: float | None = COMMAND_TIMEOUT) -> tuple[int, str, str]:
    """Run *command* with ``/bin/sh`` on this machine, stdin closed; (exit status, stdout,
    stderr). A command still running after *timeout* seconds is killed and gives exit 124."""
    try:
        proc = subprocess.run(["/bin/sh", "-c", command], stdin=subprocess.DEVNULL, check=False,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        return 124, out, f"timed out after {timeout}s: {command}"
    return proc.returncode, proc.stdout, proc.stderr
