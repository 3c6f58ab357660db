"""The error a cluster operation raises when the machine, not the user, says no."""
from __future__ import annotations

from ducktape.errors import DucktapeError


class LocalClusterError(DucktapeError):
    """A command or system call failed while making or removing a cluster.

    The message names what was being done and carries the failing command's
    stderr, so the console shows one useful line instead of a traceback.
    """
