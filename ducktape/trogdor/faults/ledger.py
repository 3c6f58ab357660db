"""The ledger: every change a fault makes is written on the node *before* it is made.

One file per task, ``<LEDGER_ROOT>/<hostname>/<task>.jsonl``, one JSON object per change
(``{"kind": "iptables", ...}``). Healing reads the file, undoes the entries newest first
through the undoer registered for their kind, checks each undo took, and deletes the file.
Because the ledger lives on the node, anyone can heal it: the context manager that applied
the fault, the agent's worker (also after a crash), the test runner, ``ducktape-trogdor heal``.
Undoers are idempotent, so healing twice, or healing a change that was never made (the
process died between the record and the change), is harmless.

The host name is part of the path because nodes may share ``/var/lib`` (containers, the
namespace cluster) while having their own network stack.
"""
from __future__ import annotations

import json
import re
import time
import typing
from collections.abc import Callable

from ducktape.trogdor.faults.shell import FaultError, Run, checked, quote

LEDGER_ROOT = "/var/lib/ducktape-trogdor/faults"
TAG_PREFIX = "dt-fault:"
_TASK_ID = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")

# kind -> (undo(run, entry), leftover(run, entry) -> description of what is still changed, or "")
Undo = typing.Callable[[Run, dict], None]  # typing's: evaluated at import, on 3.8 too
Leftover = typing.Callable[[Run, dict], str]
_UNDOERS: dict[str, tuple] = {}


def undoer(kind: str, leftover: Leftover) -> Callable[[Undo], Undo]:
    """Register how to undo (and how to check the undo of) ledger entries of *kind*."""
    def register(undo: Undo) -> Undo:
        _UNDOERS[kind] = (undo, leftover)
        return undo
    return register


def check_task_id(task_id: str) -> str:
    if not _TASK_ID.match(task_id):
        raise FaultError(f"bad task id {task_id!r}: use 1-100 of A-Z a-z 0-9 _ . -")
    return task_id


def tag(task_id: str) -> str:
    """The label carried by every iptables rule of *task_id*."""
    return TAG_PREFIX + task_id


def node_dir() -> str:
    """The node's ledger directory as a shell word (expanded on the node)."""
    return f'{LEDGER_ROOT}/"$(hostname)"'


class Ledger:
    """The ledger of one task on one node."""

    def __init__(self, run: Run, task_id: str, kind: str = "") -> None:
        self.run = run
        self.task_id = check_task_id(task_id)
        self.path = f"{node_dir()}/{task_id}.jsonl"
        self.kind = kind  # written once, with the first change, so a ledger found later says what it was
        self._described = not kind

    @property
    def tag(self) -> str:
        return tag(self.task_id)

    def record(self, entry: dict, then: str = "", what: str = "") -> str:
        """Append *entry*, then (only if that worked) run *then*; one round trip.
        Returns the command's stdout; FaultError if either step failed."""
        lines = [entry]
        if not self._described:
            lines.insert(0, {"kind": "meta", "fault": self.kind, "started": time.time()})
            self._described = True
        text = quote("".join(json.dumps(e, sort_keys=True) + "\n" for e in lines))
        cmd = f"mkdir -p {node_dir()} && printf '%s' {text} >> {self.path}"
        if then:
            cmd = f"{cmd} && {{ {then}\n}}"
        return checked(self.run, cmd, what or f"record {entry.get('kind')} for task {self.task_id}")

    def entries(self) -> list[dict]:
        status, out, _ = self.run(f"cat {self.path} 2>/dev/null")
        if status != 0:
            return []
        entries = []
        for line in out.splitlines():
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue  # a line cut short by a crash: its change was never made
        return entries

    def meta(self) -> dict:
        """What the fault was and when it started (empty for a ledger written without a kind)."""
        entries = self.entries()
        return entries[0] if entries and entries[0].get("kind") == "meta" else {}

    def heal(self) -> list[str]:
        """Undo every entry, newest first; check each; delete the ledger if all are undone.
        Returns what is still changed (empty when healed)."""
        problems: list[str] = []
        for entry in reversed(self.entries()):
            kind = entry.get("kind", "")
            if kind not in _UNDOERS:
                problems.append(f"unknown ledger entry kind {kind!r} in {self.task_id}")
                continue
            undo, leftover = _UNDOERS[kind]
            try:
                undo(self.run, entry)
            except FaultError as err:
                problems.append(str(err))
            left = leftover(self.run, entry)
            if left:
                problems.append(left)
        if not problems:
            self.run(f"rm -f {self.path}")
        return problems


def _nothing_left(run: Run, entry: dict) -> str:
    return ""


@undoer("meta", _nothing_left)
def _describes_only(run: Run, entry: dict) -> None:
    """The meta line changed nothing on the node."""


def tasks_on_node(run: Run) -> list[str]:
    """Task ids with a ledger on the node (faults applied and not yet healed)."""
    status, out, _ = run(f"ls {node_dir()} 2>/dev/null")
    if status != 0:
        return []
    return sorted(name[: -len(".jsonl")] for name in out.split() if name.endswith(".jsonl"))


def heal_node(run: Run, task_ids: list[str] | None = None) -> dict[str, list[str]]:
    """Heal *task_ids* (default: every ledger on the node). Returns task -> problems left."""
    return {task: Ledger(run, task).heal() for task in (task_ids if task_ids is not None else tasks_on_node(run))}
