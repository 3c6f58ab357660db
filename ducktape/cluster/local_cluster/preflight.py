"""Refuse early, with the exact command to run, when this machine cannot host a cluster."""
from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Sequence

from ducktape.errors import UsageError

# tool -> Debian package that provides it
REQUIRED_TOOLS = {
    "ip": "iproute2",
    "unshare": "util-linux",
    "sshd": "openssh-server",
    "ssh-keygen": "openssh-client",
    "iptables": "iptables",
}


def check_platform(argv: Sequence[str], uid: int | None = None, path: str | None = None,
                   platform: str | None = None, venv: str | None = None) -> None:
    """Raise UsageError unless we run as root on Linux with every required tool on *path*.

    *argv* is the command as typed, quoted back in the hint. *uid*, *path*, *platform* and
    *venv* (the virtualenv this runs from, "" for none) default to this process's; tests
    inject them.
    """
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        raise UsageError(f"needs Linux namespaces; this is {platform!r}",
                         hint="run it on a Linux host or VM")
    uid = os.geteuid() if uid is None else uid
    if uid != 0:
        raise UsageError(
            f"needs root to create namespaces, links and mounts (running as uid {uid})",
            hint=root_hint(argv, running_virtualenv() if venv is None else venv),
        )
    missing = missing_tools(path)
    if missing:
        packages = sorted({REQUIRED_TOOLS[tool] for tool in missing})
        raise UsageError(
            f"missing tools: {', '.join(missing)} (searched PATH={path if path is not None else os.environ.get('PATH', '')})",
            hint="apt-get install -y " + " ".join(packages),
        )


def running_virtualenv() -> str:
    """The virtualenv this Python runs from ("" when none)."""
    return sys.prefix if sys.prefix != sys.base_prefix else ""


def root_hint(argv: Sequence[str], venv: str) -> str:
    """How to rerun *argv* as root. From a virtualenv plain ``sudo`` would not find its
    commands (sudo resets PATH), so say what docs/quickstart.md says: a root shell, then
    activate the virtualenv again."""
    if not venv:
        return "sudo " + shlex.join(argv)
    activate = shlex.quote(os.path.join(venv, "bin", "activate"))
    return (f"sudo -s, then . {activate} (plain sudo would not find the virtualenv's commands), "
            f"then {shlex.join(argv)}")


def missing_tools(path: str | None = None) -> list[str]:
    """Required tools not found on *path* (default: $PATH)."""
    return [tool for tool in REQUIRED_TOOLS if shutil.which(tool, path=path) is None]


def tool(name: str) -> str:
    """Absolute path of required tool *name* (check_platform has vouched for it)."""
    found = shutil.which(name)
    if found is None:
        raise UsageError(f"missing tool: {name}", hint=f"apt-get install -y {REQUIRED_TOOLS.get(name, name)}")
    return found
