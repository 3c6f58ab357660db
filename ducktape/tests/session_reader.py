"""Read a session directory back from disk: its record and its results.

A session directory holds ``session.json`` (written when the run starts) and, once it
finished, the session ``report.json``; every test directory below it holds a per-test
``report.json``. ``ducktape-report`` (rebuild, merge, compare) reads sessions only
through this module. Writing reports is the reporters' job.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ducktape.defaults import SESSION_FILE
from ducktape.errors import UsageError

SESSION_HINT = "pass a session directory such as results/latest or results/2026-01-31--004"


class RecordedSession:
    """A session context read back from disk: ``to_json()`` returns it as it was recorded."""

    def __init__(self, recorded: dict, session_dir: Path) -> None:
        self._recorded = dict(recorded)
        self.session_id = recorded.get("session_id") or session_dir.name
        self.results_dir = str(session_dir)

    def to_json(self) -> dict:
        return self._recorded


class RecordedCluster:
    """Stands for the session's cluster where only its size is known."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size


@dataclass(frozen=True)
class SessionOnDisk:
    """One session directory as read: its record (session report or session.json) and result dicts.

    Each result dict's ``results_dir``/``base_results_dir`` point into *path* as it is now,
    so a session moved or copied elsewhere still finds its test directories."""

    path: Path
    record: dict
    results: list

    @property
    def session_id(self) -> str:
        return str((self.record.get("session_context") or {}).get("session_id") or self.path.name)


def check_session_dir(session_dir: str | os.PathLike, usage: str) -> Path:
    """*session_dir* resolved, or a UsageError naming it when it is missing or not a directory."""
    given = str(session_dir)
    path = Path(session_dir)
    if not path.exists():
        raise UsageError(f"session directory not found: {given}", hint=usage)
    if not path.is_dir():
        raise UsageError(f"not a directory: {given}", hint=usage)
    return path.resolve()


def read_session(session_dir: str | os.PathLike, usage: str = SESSION_HINT) -> SessionOnDisk:
    """The session at *session_dir*: its session report.json when it has one (fast), else its
    session.json and every per-test report (a session killed before it wrote its reports)."""
    given = str(session_dir)
    path = check_session_dir(session_dir, usage)
    record = read_session_record(path, given, ("report.json", SESSION_FILE))
    results = record.get("results")
    if isinstance(results, list) and all(isinstance(r, dict) and "test_id" in r for r in results):
        return SessionOnDisk(path, record, [_rebased(r, path) for r in results])
    found, _ = read_test_reports(path, RecordedSession(record.get("session_context") or {}, path))
    return SessionOnDisk(path, record, [r.to_json() for r in found])


def _rebased(result: dict, path: Path) -> dict:
    """*result* with its directories below *path* (where the session is now)."""
    result = {**result, "injected_args": in_mark_order(str(result["test_id"]), result.get("injected_args"))}
    rel = result.get("relative_results_dir")
    if rel:
        result.update(results_dir=os.path.join(path, rel), base_results_dir=os.path.join(path, ""))
    return result


def read_session_record(path: Path, given: str, names: tuple[str, ...] = (SESSION_FILE, "report.json")) -> dict:
    """The first of *names* in *path* that exists: session.json (the record a run writes at its
    start and end) or the session report.json (all that upstream ducktape writes)."""
    for name in names:
        candidate = path / name
        if not candidate.is_file():
            continue
        try:
            record = json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise UsageError(f"cannot read {candidate}: {err}") from None
        if isinstance(record, dict) and isinstance(record.get("session_context"), dict):
            return record
        raise UsageError(f"{candidate} is not a ducktape session record", hint=SESSION_HINT)
    raise UsageError(f"not a ducktape session directory (no {SESSION_FILE} or report.json): {given}",
                     hint=SESSION_HINT)


def read_test_reports(path: Path, session: RecordedSession) -> tuple[list, list[str]]:
    """Every per-test report.json below *path*, as TestResults sorted by test index."""
    from ducktape.tests.result import TestResult

    found, skipped = [], []
    merged_from = session.to_json().get("merged_from") or []  # a merged session: its inputs' dirs
    shards = [str(m.get("shard")) for m in merged_from if isinstance(m, dict) and m.get("shard")]
    for root, dirs, files in os.walk(path):
        dirs.sort()
        if "report.json" not in files or Path(root) == path:
            continue
        report_path = Path(root) / "report.json"
        try:
            d = json.loads(report_path.read_text(encoding="utf-8"))
            if not isinstance(d, dict) or "test_id" not in d:
                continue
            relative = os.path.relpath(root, path)
            d["results_dir"] = str(path / relative)
            d["base_results_dir"] = str(path)
            d["relative_results_dir"] = os.path.join(relative, "")
            result = TestResult.from_json(d, session)
            result.injected_args = in_mark_order(result.test_id, result.injected_args)
            result.shard = next((shard for shard in shards if relative.startswith(shard + os.sep)), result.shard)
            found.append(result)
        except (OSError, ValueError, KeyError, TypeError) as err:
            skipped.append(f"{report_path}: {err}")
    found.sort(key=lambda r: (r.test_index if r.test_index is not None else sys.maxsize, r.start_time))
    return found, skipped


def in_mark_order(test_id: str, injected_args: Any) -> Any:
    """*injected_args* in the order the test id names them (the marks' order).

    A per-test report.json is written with sorted keys, as upstream writes it, so the order
    of the parameters survives only in the test id (``...test_x.b=2.a=1``).
    """
    if not isinstance(injected_args, dict) or len(injected_args) < 2:
        return injected_args
    def position(key: str) -> int:
        found = test_id.find(f".{key}=")
        return found if found >= 0 else len(test_id)
    return {key: injected_args[key] for key in sorted(injected_args, key=position)}
