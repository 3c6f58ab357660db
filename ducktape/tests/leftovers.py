"""Ending what a test left running on its nodes before the nodes are used again.

Every process a test starts on a node carries the test's tag (``cluster/process_tag.py``).
When a test does not end cleanly (its process died or was killed, Ctrl-C or a timeout cut
its teardown short, stopping a service failed) the runner ends that test's tagged processes
on its nodes before it frees them. For the one case the driver cannot handle itself, its own
SIGKILL, each session keeps a record, ``<results root>/.ducktape-sessions/<session id>.json``,
of its tag, its driver's pid and start time and the hosts its tests used. A later session
that finds a record whose driver is gone ends that session's tagged processes on each of
those hosts before its first test runs there; and a test process that outlives its driver
ends its own tagged processes after its teardown.
"""
from __future__ import annotations

import json
import logging
import os
import socket
from pathlib import Path
from typing import Any

from ducktape.cluster import process_tag
from ducktape.cluster.node_group import NodeGroup
from ducktape.tests.disk_full import RESERVE_FILE
from ducktape.utils.proc import (
    start_time as process_start_time,  # tells the driver from a reused pid
)

RECORD_DIR = ".ducktape-sessions"
KILL_TIMEOUT_SEC = 10.0  # the driver waits for it: a dead node must not hold the run long
LOCAL = "<this machine>"  # every LocalAccount node is the driver's own machine


def node_key(node: Any) -> str:
    """Where a node's processes live: the host alias, or LOCAL for the driver's machine."""
    account = node.account
    return LOCAL if getattr(account, "local", False) else str(account.hostname)


def end_tagged(nodes: list, pattern: str, timeout: float = KILL_TIMEOUT_SEC) -> tuple[list[str], list[str]]:
    """SIGKILL the processes whose environment holds *pattern* on each distinct machine among
    *nodes*, in parallel. Returns (``"<host>: <pid> <name>"`` per process ended, one line per
    machine that could not be searched)."""
    machines: dict[str, Any] = {}
    for node in nodes:
        machines.setdefault(node_key(node), node.account)
    outcomes = NodeGroup(machines.values()).call(
        lambda account: account.ssh_output(process_tag.kill_command(pattern), allow_fail=True,
                                           combine_stderr=False, timeout_sec=timeout), name="leftovers")
    searched = list(zip(machines, outcomes))  # an unreachable node is reported, not raised
    ended = [f"{key}: {line}" for key, o in searched if o.error is None for line in process_tag.parse_killed(o.value)]
    failed = [f"{key}: {o.error}" for key, o in searched if o.error is not None]
    return sorted(ended), sorted(failed)


def end_own_tagged(nodes: list) -> tuple[list[str], list[str]]:
    """In a test process: end the processes carrying this process's tag on *nodes*, as
    ``end_tagged`` does for the driver. The tag is dropped from this process's environment
    first, so the search (and anything the test does after it) no longer carries it."""
    tag = process_tag.current_tag()
    if not tag:
        return [], []
    del os.environ[process_tag.TAG_VARIABLE]
    return end_tagged(nodes, process_tag.tag_pattern(tag))


class SessionRecord:
    """This session's record on disk, and the records of dead sessions still to clean up."""

    def __init__(self, results_root: str, session_id: str, session_tag: str, logger: logging.Logger) -> None:
        self.directory = Path(results_root) / RECORD_DIR
        self.path = self.directory / f"{session_id}.json"
        self.logger = logger
        self.record = {"session_id": session_id, "tag": session_tag, "driver_host": socket.gethostname(),
                       "driver_pid": os.getpid(),
                       "driver_start": process_start_time(os.getpid()), "hosts": []}
        self._hosts: set[str] = set()  # record["hosts"] as a set: asked on every launch
        self.stale: list[dict] = []

    def open(self) -> None:
        """Load the records of sessions whose driver is gone (best effort)."""
        try:
            entries = sorted(self.directory.glob("*.json"))
        except OSError:
            return
        for path in entries:
            if path == self.path:
                continue
            try:
                record = json.loads(path.read_text())
                if _driver_alive(record):
                    continue
                process_tag.session_pattern(record["tag"])  # a record we did not write is ignored
                record["path"], record["hosts"] = path, list(record["hosts"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
            self.stale.append(record)
            session_id = str(record["session_id"])
            if "/" not in session_id and not session_id.startswith("."):
                _unlink(self.directory.parent / session_id / RESERVE_FILE)  # its room for reports

    def before_use(self, nodes: list) -> None:
        """Record *nodes*' hosts, then end what dead sessions left on any of them."""
        keys = [node_key(node) for node in nodes]
        new = [key for key in dict.fromkeys(keys) if key not in self._hosts]
        if new:
            self._hosts.update(new)
            self.record["hosts"].extend(new)
            self._write()
        for record in self.stale:
            todo = [node for node, key in zip(nodes, keys) if key in record["hosts"]]
            if not todo:
                continue
            ended, failed = end_tagged(todo, process_tag.session_pattern(record["tag"]))
            for key in {node_key(node) for node in todo}:
                record["hosts"].remove(key)
            if ended:
                self.logger.warning(f"ended {len(ended)} process(es) left running by session {record['session_id']}, "
                                    f"whose driver (pid {record['driver_pid']}) was killed: {'; '.join(ended)}")
            for line in failed:
                self.logger.warning(f"cannot look for processes session {record['session_id']} left on {line}")

    def close(self) -> None:
        """Remove this session's record; keep dead sessions' records only for hosts not cleaned."""
        _unlink(self.path)
        for record in self.stale:
            path = record.pop("path")
            if record["hosts"]:
                _write_json(path, record)
            else:
                _unlink(path)
        try:
            self.directory.rmdir()  # only when empty: no session left anything to clean up
        except OSError:
            pass

    def _write(self) -> None:
        try:
            self.directory.mkdir(exist_ok=True)
        except OSError:
            return
        _write_json(self.path, self.record)


def _driver_alive(record: dict) -> bool:
    """True unless the record's driver ran on this machine and is gone (another machine's
    driver, sharing the results root, cannot be checked: it counts as alive)."""
    if record.get("driver_host") != socket.gethostname():
        return True
    start = process_start_time(int(record["driver_pid"]))
    return start is not None and start == record.get("driver_start")


def _write_json(path: Path, value: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(value))
        os.replace(tmp, path)
    except OSError:  # a full results root: the record is a convenience, never a failure
        _unlink(tmp)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
