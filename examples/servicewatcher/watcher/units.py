"""Unit control: start, stop, state (``active``/``failed``/``inactive``), reset-failed.

Two backends with the same four verbs. ``Systemd`` drives ``<unit>.service`` with
systemctl (a multi instance ``db@a`` is systemd's own template unit ``db@a.service``).
``Supervisor`` is for hosts without systemd: each unit runs under a small detached
supervisor (``watcher.supervise``) that outlives the monitor and writes the unit's exit
status, so a monitor that crashed and came back finds its units as it left them.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

ACTIVE, FAILED, INACTIVE = "active", "failed", "inactive"


class Systemd:
    name = "systemd"

    def _ctl(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["systemctl", *args], capture_output=True, text=True, check=False)

    def start(self, unit: str, command: str) -> None:
        self._ctl("start", "--no-block", f"{unit}.service")

    def stop(self, unit: str) -> None:
        self._ctl("stop", f"{unit}.service")

    def state(self, unit: str) -> str:
        out = self._ctl("is-active", f"{unit}.service").stdout.strip()
        if out in ("active", "activating", "reloading"):
            return ACTIVE
        return FAILED if out == "failed" else INACTIVE

    def reset_failed(self, unit: str) -> None:
        self._ctl("reset-failed", f"{unit}.service")

    def known(self) -> list[str]:
        return []


class Supervisor:
    """Units as detached processes; ``<state_dir>/<unit>/`` holds ``command``, ``pid`` (the
    supervisor's) and, once the unit ended, ``result`` (its exit status, or ``stopped``)."""

    name = "supervisor"

    def __init__(self, state_dir: str) -> None:
        self.state_dir = state_dir

    def _dir(self, unit: str) -> str:
        return os.path.join(self.state_dir, unit)

    def _read(self, unit: str, name: str) -> str:
        try:
            with open(os.path.join(self._dir(unit), name)) as handle:
                return handle.read().strip()
        except OSError:
            return ""

    def pid(self, unit: str) -> int | None:
        """The supervisor's pid while it runs (a zombie or a reused pid does not count)."""
        text = self._read(unit, "pid")
        if not text.isdigit():
            return None
        try:
            with open(f"/proc/{text}/stat") as handle:
                stat = handle.read()
            with open(f"/proc/{text}/cmdline", "rb") as handle:
                cmdline = handle.read()
        except OSError:
            return None
        alive = stat.rsplit(")", 1)[1].split()[0] != "Z"
        return int(text) if alive and b"watcher.supervise" in cmdline else None

    def start(self, unit: str, command: str) -> None:
        directory = self._dir(unit)
        os.makedirs(directory, exist_ok=True)
        for stale in ("result", "pid"):
            if os.path.exists(os.path.join(directory, stale)):
                os.remove(os.path.join(directory, stale))
        with open(os.path.join(directory, "command"), "w") as handle:
            handle.write(command)
        package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        # watcher.supervise forks and returns at once; the supervisor it leaves is not our child
        subprocess.run([sys.executable, "-m", "watcher.supervise", directory], cwd=package_parent, check=True)

    def stop(self, unit: str) -> None:
        pid = self.pid(unit)
        if pid is None:
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.time() + 10
        while self.pid(unit) is not None and time.time() < deadline:
            time.sleep(0.05)

    def state(self, unit: str) -> str:
        if self.pid(unit) is not None:
            return ACTIVE
        result = self._read(unit, "result")
        return FAILED if result not in ("", "0", "stopped") else INACTIVE

    def reset_failed(self, unit: str) -> None:
        if self.state(unit) == FAILED:
            os.remove(os.path.join(self._dir(unit), "result"))

    def known(self) -> list[str]:
        """Units that have a directory here (started by this or an earlier monitor)."""
        try:
            return sorted(os.listdir(self.state_dir))
        except OSError:
            return []


def backend(kind: str, state_dir: str):
    """``systemd`` where systemd is PID 1 (or when asked), else the supervisor."""
    if kind == "auto":
        kind = "systemd" if os.path.isdir("/run/systemd/system") else "supervisor"
    return Systemd() if kind == "systemd" else Supervisor(state_dir)
