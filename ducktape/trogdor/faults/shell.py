"""How fault code runs commands on a node: one callable, ``run(cmd) -> (status, out, err)``.

The same fault code runs inside a Trogdor agent (``local_shell.run_local``, a subprocess on
the node) and from a test (``account_run``, through the node's account over SSH). Standard
library only: the agent ships it.
"""
from __future__ import annotations

import base64
import shlex
import typing
from typing import Any

from ducktape.trogdor.local_shell import COMMAND_TIMEOUT

# typing's generics: aliases are evaluated at import, and the agent runs on Python 3.8
Run = typing.Callable[[str], typing.Tuple[int, str, str]]  # noqa: UP006


class FaultError(Exception):
    """A fault could not be applied or healed; the message names the node and the command."""


def account_run(account: Any) -> Run:
    """A runner over a ducktape account (``node.account``): the test-side runner."""
    def run(cmd: str) -> tuple[int, str, str]:
        result = account.run(cmd, allow_fail=True, timeout_sec=COMMAND_TIMEOUT)
        return (result.exit_status, result.stdout.decode(errors="replace"),
                result.stderr.decode(errors="replace"))
    return run


def checked(run: Run, cmd: str, what: str) -> str:
    """Run *cmd*; its stdout, or FaultError naming *what* failed and the command's stderr."""
    status, out, err = run(cmd)
    if status != 0:
        raise FaultError(f"{what}: exit {status}: {err.strip() or out.strip()} (command: {cmd})")
    return out


def hidden(text: str) -> str:
    """A shell expression that yields *text* without *text* appearing in the command line,
    so ``pgrep -f`` never matches the shell that runs the search."""
    encoded = base64.b64encode(text.encode()).decode()
    return f'"$(printf %s {encoded} | base64 -d)"'


def quote(text: str) -> str:
    return shlex.quote(text)
