"""The history format: validate operation events, load and merge them from JSON-lines files.

An event is ``{"process", "type", "f", "key", "value", "time"}`` (see docs/checking-histories.md).
Recording events is recorder.py's job; judging them is the checkers'.
"""
from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

EVENT_TYPES = ("invoke", "ok", "fail", "info")
REQUIRED = ("process", "type", "f", "time")
HINT = ('hint: one JSON object a line, e.g. {"process": 0, "type": "invoke", "f": "write", '
        '"key": "x", "value": 1, "time": 12.5}')


def event_problem(event: Any) -> str | None:
    """What is wrong with one event, or None when it is well formed."""
    if not isinstance(event, dict):
        return f"an event must be a JSON object, not {type(event).__name__}"
    missing = [name for name in REQUIRED if name not in event]
    if missing:
        return "missing " + ", ".join(repr(name) for name in missing)
    process, kind, f, when = event["process"], event["type"], event["f"], event["time"]
    if isinstance(process, bool) or not isinstance(process, (int, str)):
        return f'"process" must be an integer or a string, not {process!r}'
    if kind not in EVENT_TYPES:
        return f'"type" must be one of {", ".join(EVENT_TYPES)}, not {kind!r}'
    if not isinstance(f, str) or not f:
        return f'"f" must be a non-empty string, not {f!r}'
    if isinstance(when, bool) or not isinstance(when, (int, float)) or not math.isfinite(when):
        return f'"time" must be a finite number of seconds, not {when!r}'
    key = event.get("key")
    if key is not None and (isinstance(key, bool) or not isinstance(key, (int, str))):
        return f'"key" must be a string, an integer or null, not {key!r}'
    return None


def validate_history(history: Iterable[dict]) -> list[dict]:
    """*history* as a list, each event checked; a bad one raises ValueError naming its index."""
    events = list(history)
    for index, event in enumerate(events):
        problem = event_problem(event)
        if problem:
            raise ValueError(f"history event #{index}: {problem}: {event!r}\n{HINT}")
    return events


def _files(paths: tuple[str | os.PathLike, ...]) -> list[Path]:
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.jsonl") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise ValueError(f"no history file or directory at {str(given)!r}\n"
                             "hint: pass files or directories of *.jsonl histories")
    return files


def read_events(path: Path) -> list[dict]:
    """The events of one JSON-lines file; a bad line raises ValueError naming file:line."""
    events = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{number}: not JSON ({err.msg}): {line.strip()[:80]!r}\n{HINT}") from None
            problem = event_problem(event)
            if problem:
                raise ValueError(f"{path}:{number}: {problem}\n{HINT}")
            events.append(event)
    return events


def load_history(*paths: str | os.PathLike) -> list[dict]:
    """Read history files and/or directories of ``*.jsonl`` (recursively) into one list of
    events sorted by ``time``; events with equal times keep file order (files sorted by name)."""
    events: list[dict] = []
    for path in _files(paths):
        events.extend(read_events(path))
    events.sort(key=lambda event: event["time"])
    return events
