"""The version of the suite a session ran: the test directory's git commit and whether it had local
changes. Sessions of the same clean commit can be compared outcome for outcome (flaky tests)."""
from __future__ import annotations

import os
import subprocess


def suite_version(test_paths: list[str] | tuple[str, ...]) -> dict | None:
    """``{"commit": <HEAD>, "dirty": bool, "dir": <top level>}`` of the git checkout holding the first
    test path; None when it is not in a git checkout (or git is missing)."""
    if not test_paths:
        return None
    path = os.path.abspath(str(test_paths[0]).split("::")[0])
    directory = path if os.path.isdir(path) else os.path.dirname(path)
    commit = _git(directory, "rev-parse", "HEAD")
    if commit is None:
        return None
    # untracked files (a results directory inside the checkout, say) do not change the suite
    changes = _git(directory, "status", "--porcelain", "--untracked-files=no")
    top = _git(directory, "rev-parse", "--show-toplevel")
    return {"commit": commit, "dirty": bool(changes), "dir": top or directory}


def _git(directory: str, *args: str) -> str | None:
    """git's stripped output, or None when the command fails."""
    try:
        done = subprocess.run(["git", "-C", directory, *args], capture_output=True, text=True, timeout=30,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def suite_text(version: object) -> str | None:
    """``<commit> (local changes)`` of a recorded suite version, for people; None when unknown."""
    if not isinstance(version, dict) or not version.get("commit"):
        return None
    return str(version["commit"])[:12] + (" (local changes)" if version.get("dirty") else "")
