"""Events a test process sends to the driver, and how they cross the pipe.

Each event is a small JSON-able dict with an ``event`` tag. This module alone builds,
encodes and parses them, so both ends agree on the fields; nothing is pickled and no
live object crosses the pipe. Deciding what an event means is the runner's job.
"""
from __future__ import annotations

import json
import time
from typing import Any

STARTED = "started"  # the test process is up: pid
HEARTBEAT = "heartbeat"  # still alive (sent from a thread, so a busy test keeps beating)
PHASE = "phase"  # entering a phase of the test: setUp, test, tearDown, ...
SERVICE = "service"  # a service registered: its id and the nodes it holds
FINISHED = "finished"  # the result (TestResult.to_json()), and whether Ctrl-C ended it

# Required fields per kind (besides "event" and "time").
FIELDS: dict[str, tuple[str, ...]] = {
    STARTED: ("pid",),
    HEARTBEAT: (),
    PHASE: ("phase",),
    SERVICE: ("service_id", "nodes"),
    FINISHED: ("result", "interrupted", "unreachable"),
}


class EventError(Exception):
    """A message on the pipe that is not an event this module builds."""


def _event(kind: str, **fields: Any) -> dict:
    return {"event": kind, "time": time.time(), **fields}


def started(pid: int) -> dict:
    """The test process has started and is about to run the test."""
    return _event(STARTED, pid=pid)


def heartbeat() -> dict:
    """The test process is alive."""
    return _event(HEARTBEAT)


def phase(name: str) -> dict:
    """The test process is entering phase *name*."""
    return _event(PHASE, phase=name)


def service(service_id: str, nodes: list[str]) -> dict:
    """A service registered with the test, holding *nodes* (hostnames)."""
    return _event(SERVICE, service_id=service_id, nodes=list(nodes))


def finished(result: dict, interrupted: bool = False, unreachable: list[str] | None = None,
             write_error: OSError | None = None, dirty: bool = False) -> dict:
    """The test's result (as ``TestResult.to_json()``); *interrupted* when Ctrl-C ended it;
    *unreachable*: hostnames of nodes found dead after a failure; *write_error*: why the
    result files could not be written (optional field ``write_error``: errno and message);
    *dirty*: its teardown was cut short or failed, so processes it started may be left
    (optional field ``dirty``)."""
    event = _event(FINISHED, result=result, interrupted=interrupted, unreachable=list(unreachable or []))
    if dirty:
        event["dirty"] = True
    if write_error is not None:
        event["write_error"] = {"errno": write_error.errno, "message": write_error.strerror or str(write_error)}
    return event


def write_error(event: dict) -> OSError | None:
    """The OSError a FINISHED event reports for the result files, or None."""
    found = event.get("write_error")
    if not isinstance(found, dict):
        return None
    return OSError(found.get("errno"), str(found.get("message", "")))


def encode(event: dict) -> bytes:
    """Bytes for the pipe. Values that JSON cannot hold are written as their str()."""
    return json.dumps(event, default=str).encode()


def decode(raw: bytes) -> dict:
    """Parse and check one event; an unknown tag or missing field is an EventError naming it."""
    try:
        event = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as err:
        raise EventError(f"event is not JSON: {raw[:80]!r}: {err}") from None
    if not isinstance(event, dict):
        raise EventError(f"event is not a JSON object: {raw[:80]!r}")
    kind = event.get("event")
    if kind not in FIELDS:
        raise EventError(f"unknown event tag {kind!r}; known: {', '.join(sorted(FIELDS))}")
    missing = [name for name in ("time", *FIELDS[kind]) if name not in event]
    if missing:
        raise EventError(f"{kind} event lacks {', '.join(missing)}: {raw[:120]!r}")
    return event
