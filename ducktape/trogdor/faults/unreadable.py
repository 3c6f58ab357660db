"""Unreadable files: a FUSE pass-through mounted over a directory fails reads of files whose
path below it starts with a prefix, until the fault heals and it is unmounted.

The file system is ``fuse_passthrough.py``, copied to the node and run there with a python3
that has ``fusepy``. The mount is named after the task's tag (the first column of
/proc/mounts), so healing finds and lazily unmounts exactly ours, also after the agent that
mounted it was killed.
"""
from __future__ import annotations

import base64
import pkgutil

from ducktape.trogdor.faults.kinds import FaultKind, Target, register
from ducktape.trogdor.faults.ledger import Ledger, node_dir, undoer
from ducktape.trogdor.faults.shell import FaultError, Run, checked, quote

INSTALL_HINT = "install FUSE on the node (Debian: apt-get install fuse3 libfuse2 python3-fusepy)"
_FIND_PYTHON = ("for py in python3 /usr/bin/python3; do "
                "\"$py\" -c 'import fusepy' 2>/dev/null && { command -v \"$py\"; exit 0; }; "
                "\"$py\" -c 'import fuse; fuse.FUSE' 2>/dev/null && { command -v \"$py\"; exit 0; }; done; exit 1")


def fuse_python(run: Run) -> str:
    """The node's python3 that can run the pass-through; FaultError naming what is missing."""
    missing = []
    if run("test -c /dev/fuse")[0] != 0:
        missing.append("/dev/fuse (the kernel's fuse module)")
    if run("ldconfig -p 2>/dev/null | grep -q 'libfuse.so.2' || ls /usr/lib/*/libfuse.so.2 >/dev/null 2>&1")[0] != 0:
        missing.append("libfuse2")
    status, out, _ = run(_FIND_PYTHON)
    if status != 0:
        missing.append("a python3 with fusepy (python3-fusepy)")
    if missing:
        raise FaultError(f"FUSE is missing here: {', '.join(missing)}; hint: {INSTALL_HINT}")
    return out.strip().splitlines()[-1]


def apply_node(ledger: Ledger, mount_path: str, prefix: str, error_code: int) -> dict:
    """Mount the pass-through over *mount_path*; reads under *prefix* fail with *error_code*."""
    run = ledger.run
    if run(f"test -d {quote(mount_path)}")[0] != 0:
        raise FaultError(f"mountPath {mount_path!r} is not a directory on this node")
    python = fuse_python(run)
    base = f"{node_dir()}/{ledger.task_id}.fuse"
    source = base64.b64encode(pkgutil.get_data(__package__, "fuse_passthrough.py")).decode()
    name = ledger.tag
    start = (f"printf %s {source} | base64 -d > {base}.py && rm -f {base}.pid || exit 1\n"
             f"nohup {quote(python)} {base}.py --mount {quote(mount_path)} --prefix {quote(prefix)} "
             f"--errno {int(error_code)} --name {quote(name)} --pidfile {base}.pid > {base}.log 2>&1 < /dev/null &\n"
             f"for i in $(seq 200); do {_mounted(name)} && exit 0; sleep 0.025; done; cat {base}.log >&2; exit 1")
    ledger.record({"kind": "fuse_mount", "base": base, "name": name, "path": mount_path}, then=start,
                  what=f"mount the unreadable-files pass-through on {mount_path}")
    return {"mounted": mount_path, "prefix": prefix, "errorCode": error_code}


def _mounted(name: str) -> str:
    """A shell test: a mount named *name* is in this node's /proc/mounts."""
    return f"awk -v n={quote(name)} '$1 == n {{ found = 1 }} END {{ exit !found }}' /proc/mounts"


def _mount_points(run: Run, name: str) -> list[str]:
    _, out, _ = run(f"awk -v n={quote(name)} '$1 == n {{ print $2 }}' /proc/mounts")
    return [p.replace("\\040", " ") for p in out.split()]


def _unmount(run: Run, entry: dict) -> None:
    for point in reversed(_mount_points(run, entry["name"])):
        # lazy: a reader still inside must not keep the fault alive
        checked(run, f"umount -l {quote(point)}", f"unmount the pass-through from {point}")
    base = entry["base"]
    status, pid, _ = run(f"pid=$(cat {base}.pid 2>/dev/null) && tr '\\0' ' ' < /proc/$pid/cmdline "
                         f"| grep -qF -- {quote(entry['name'])} && echo $pid")
    if status == 0 and pid.strip():
        run(f"kill {pid.strip()}; for i in $(seq 100); do kill -0 {pid.strip()} 2>/dev/null || break; sleep 0.02; "
            f"done; kill -9 {pid.strip()} 2>/dev/null")
    run(f"rm -f {base}.py {base}.pid {base}.log")


def _still_mounted(run: Run, entry: dict) -> str:
    points = _mount_points(run, entry["name"])
    return f"pass-through still mounted on {', '.join(points)}" if points else ""


undoer("fuse_mount", _still_mounted)(_unmount)


def _apply(ledger: Ledger, target: Target, params: dict) -> dict:
    return apply_node(ledger, params["mount_path"], params["prefix"], params["error_code"])


register(FaultKind("files_unreadable", _apply))
