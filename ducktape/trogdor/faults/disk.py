"""Disk fill: one file that takes a file system's space until only N bytes are left.

The file's name is recorded before it is made; healing deletes it. ``fallocate`` makes it
at once where the file system supports it, ``dd`` writes it otherwise.
"""
from __future__ import annotations

from collections.abc import Sequence

from ducktape.trogdor.faults.kinds import FaultKind, Target, register
from ducktape.trogdor.faults.ledger import Ledger, undoer
from ducktape.trogdor.faults.shell import FaultError, Run, checked, quote


def available_bytes(run: Run, path: str) -> int:
    """Bytes an unprivileged writer may still use on the file system holding *path*."""
    out = checked(run, f"df -B1 --output=avail {quote(path)} | tail -n 1", f"free space of {path}")
    return int(out.strip())


def fill_node(ledger: Ledger, path: str, leave_bytes: int) -> int:
    """Fill the file system of directory *path* until *leave_bytes* are left; returns the
    size of the fill file."""
    size = available_bytes(ledger.run, path) - int(leave_bytes)
    if size <= 0:
        raise FaultError(f"{path}: only {size + int(leave_bytes)} bytes free, fewer than the {leave_bytes} to leave")
    fill = f"{path.rstrip('/')}/.ducktape-fault-{ledger.task_id}.fill"
    write = (f"{{ fallocate -l {size} {quote(fill)} 2>/dev/null || "
             f"dd if=/dev/zero of={quote(fill)} bs=1M count={size // 2**20} iflag=fullblock status=none && "
             f"head -c {size % 2**20} /dev/zero >> {quote(fill)}; }}")
    ledger.record({"kind": "file", "path": fill}, then=write, what=f"fill {path}")
    return size


def _remove(run: Run, entry: dict) -> None:
    checked(run, f"rm -f {quote(entry['path'])}", f"remove {entry['path']}")


def _file_left(run: Run, entry: dict) -> str:
    status, _, _ = run(f"test -e {quote(entry['path'])}")
    return f"{entry['path']} still exists" if status == 0 else ""


undoer("file", _file_left)(_remove)


def _apply(ledger: Ledger, target: Target, params: dict) -> int:
    return fill_node(ledger, params["path"], params["leave_bytes"])


def _params(given: dict, nodes: Sequence[str]) -> dict:
    return {"path": given["path"], "leave_bytes": int(given["leave_bytes"])}


register(FaultKind("disk_fill", _apply, _params))
