"""Merge sessions of one suite (shards run on several clusters) into one session directory.

Each input's test directories are brought under ``OUT/<input name>/`` as hard links (copies
when OUT is on another file system), so OUT stays whole when the inputs are deleted. Every
result is kept, with ``shard`` naming the input it came from (the timeline draws one lane
group per shard); a test present in two inputs keeps both results as runs. OUT gets a
``session.json``, so ``ducktape-report rebuild`` and ``compare`` read it like any session;
its reports are written by the same reporters a run uses.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import ducktape
from ducktape.defaults import SESSION_FILE
from ducktape.errors import UsageError
from ducktape.tests.quarantine import merged_quarantine_report
from ducktape.tests.session_reader import (
    RecordedCluster,
    RecordedSession,
    SessionOnDisk,
    read_session,
)
from ducktape.tests.suite_version import suite_text

USAGE = "ducktape-report merge -o OUT SESSION_DIR..."


@dataclass
class MergeOutcome:
    """What a merge wrote: the new session dir, its results, and one line per problem met."""

    out: Path
    results: object
    shards: list[str]
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per step: read, link, results, reports


def merge_sessions(inputs: list[str | os.PathLike], out: str | os.PathLike) -> MergeOutcome:
    """Write the session directory *out* holding every result of the *inputs* session dirs."""
    from ducktape.tests.reporters.base import describe_error, write_atomic
    from ducktape.tests.reporters.files import HtmlReporter
    from ducktape.tests.reporters.session import file_reporters, notify
    from ducktape.tests.result import TestResults, dumps

    if not inputs:
        raise UsageError("merge needs at least one session directory", hint=USAGE)
    clock = time.perf_counter()
    sessions = [read_session(path, USAGE) for path in inputs]
    out_path = _check_out(Path(out), sessions)
    labels = _labels(sessions)
    out_path.mkdir(parents=True, exist_ok=True)
    outcome = MergeOutcome(out_path, None, labels)
    clock = _lap(outcome, "read", clock)
    records = [_session_record(s) for s in sessions]
    context = _merged_context(sessions, labels, out_path, records)
    session = RecordedSession(context, out_path)
    tree: dict[str, tuple[list[str], list[str]]] = {}  # every directory linked: its files and subdirectories
    with ThreadPoolExecutor(max_workers=min(4, len(sessions))) as pool:  # file system calls overlap in threads
        list(pool.map(_link_session, [s.path for s in sessions], [os.path.join(out_path, label) for label in labels],
                      [tree] * len(sessions)))
    clock = _lap(outcome, "link", clock)
    merged = []
    for s, label in zip(sessions, labels):
        merged += _bring_results(s, label, out_path, session, outcome.notes, tree)
    merged.sort(key=lambda r: (r.start_time, labels.index(r.shard), r.test_index or 0))
    size = sum(_int(r.get("cluster_num_nodes")) for r in records)
    client_status = {f"{label}: {key}": value for label, r in zip(labels, records)
                     for key, value in (r.get("client_status") or {}).items()}
    results = TestResults(session, RecordedCluster(size), client_status)
    for result in merged:
        results.append(result)
    results.start_time = min((_time(r.get("start_time")) for r in records if _time(r.get("start_time")) >= 0),
                             default=-1)
    results.stop_time = max((_time(r.get("stop_time")) for r in records), default=-1)
    results.suite_version = _suite_version(records, labels, outcome.notes)
    results.quarantine = merged_quarantine_report([r.get("quarantine") for r in records])
    expected = [r.get("expected_test_count") for r in records]
    expected_count = sum(expected) if all(isinstance(e, int) for e in expected) else None
    record = {"ducktape_version": ducktape.__version__, "session_context": context,
              "start_time": results.start_time, "stop_time": results.stop_time,
              "expected_test_count": expected_count, "cluster_num_nodes": size,
              "interrupted": any(bool(r.get("interrupted")) for r in records), "client_status": client_status,
              "suite_version": results.suite_version, "quarantine": results.quarantine}
    write_atomic(out_path / SESSION_FILE, dumps(record, sort_keys=True, indent=2))
    clock = _lap(outcome, "results", clock)
    reporters = file_reporters(session, out_path.parent)
    for reporter in reporters:
        reporter.expected_count = expected_count
        if isinstance(reporter, HtmlReporter):
            reporter.file_tree = tree  # the test directories were just listed: the report need not list them again
    errors = notify(reporters, "session_finished", results, False)
    outcome.results = results
    outcome.errors = [describe_error(e) for e in errors]
    for reporter in reporters:
        outcome.notes += reporter.notes
    _lap(outcome, "reports", clock)
    return outcome


def _lap(outcome: MergeOutcome, step: str, since: float) -> float:
    now = time.perf_counter()
    outcome.seconds[step] = now - since
    return now


def _check_out(out: Path, sessions: list[SessionOnDisk]) -> Path:
    """OUT resolved; refused when it holds files or overlaps an input (a merge would read its own output)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"output directory exists and is not empty: {out}",
                         hint="give -o a new directory, e.g. results/<night>-merged")
    resolved = out.resolve()
    seen = set()
    for s in sessions:
        if s.path in seen:
            raise UsageError(f"session directory given twice: {s.path}", hint=USAGE)
        seen.add(s.path)
        if resolved == s.path or s.path in resolved.parents or resolved in s.path.parents:
            raise UsageError(f"output directory {out} overlaps the input {s.path}",
                             hint="write the merged session beside the inputs, not inside one")
    return resolved


def _labels(sessions: list[SessionOnDisk]) -> list[str]:
    """Each input's directory name; ``<parent>/<name>`` where names repeat (shards each in their
    own results root share session ids), then ``-2``, ``-3``... if still not unique."""
    names = [s.path.name for s in sessions]
    labels: list[str] = []
    for s, name in zip(sessions, names):
        label = f"{s.path.parent.name}/{name}" if names.count(name) > 1 else name
        base, n = label, 1
        while label in labels:
            n += 1
            label = f"{base}-{n}"
        labels.append(label)
    return labels


def _session_record(s: SessionOnDisk) -> dict:
    """The session-level facts: session.json (expected count, interrupted) over the session report."""
    try:
        recorded = json.loads((s.path / SESSION_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = {}
    record = {key: value for key, value in s.record.items() if key != "results"}
    if isinstance(recorded, dict):
        record.update({key: value for key, value in recorded.items() if value is not None})
    return record


def _merged_context(sessions: list[SessionOnDisk], labels: list[str], out: Path, records: list[dict]) -> dict:
    first = dict(sessions[0].record.get("session_context") or {})
    command = " ".join(["ducktape-report merge -o", str(out), *(str(s.path) for s in sessions)])
    first.update(session_id=out.name, results_dir=str(out), command_line=command,
                 merged_from=[{"shard": label, "session_id": s.session_id, "dir": str(s.path),
                               "suite_version": r.get("suite_version")}
                              for s, label, r in zip(sessions, labels, records)])
    return first


def _suite_version(records: list[dict], labels: list[str], notes: list[str]) -> dict | None:
    """The inputs' suite version when they all agree; else None, and a note naming each input's
    (``session_context.merged_from`` keeps them)."""
    versions = [r.get("suite_version") if isinstance(r.get("suite_version"), dict) else None for r in records]
    if all(v == versions[0] for v in versions):
        return versions[0]
    described = ", ".join(f"{label}: {suite_text(v) or 'unknown'}" for label, v in zip(labels, versions))
    notes.append(f"the inputs ran different suite versions ({described}); the merged session records "
                 "each input's (merged_from in report.json) and no suite version of its own")
    return None


def _bring_results(s: SessionOnDisk, label: str, out: Path, session: RecordedSession, notes: list[str],
                   tree: dict) -> list:
    """The input's results as TestResults under ``OUT/<label>/`` (whose files ``_link_session`` brought
    and listed in *tree*)."""
    from ducktape.tests.result import TestResult

    shard_dir = os.path.join(out, label)
    found = []
    for d in s.results:
        rel = str(d.get("relative_results_dir") or "").strip("/")
        target = os.path.join(shard_dir, rel) if rel else shard_dir
        if target not in tree and not os.path.isdir(target):
            os.makedirs(target, exist_ok=True)
            notes.append(f"{s.path}: test directory {rel} is missing; its result is kept without files")
        result = TestResult.from_json({**d, "results_dir": target, "base_results_dir": str(out),
                                       "relative_results_dir": os.path.join(label, rel, "")}, session)
        result.shard = label
        found.append(result)
    return found


def _link_session(source: Path, target: str, tree: dict) -> None:
    """Every directory of the input session (its tests) and its session logs, into *target*;
    the input's own reports stay behind (OUT gets new ones)."""
    os.makedirs(target, exist_ok=True)
    for entry in os.scandir(source):
        if entry.is_dir(follow_symlinks=False):
            _link_tree(entry.path, os.path.join(target, entry.name), tree)
        elif entry.is_file(follow_symlinks=False) and entry.name.startswith("session_log"):
            _link_or_copy(entry.path, os.path.join(target, entry.name))


def _link_tree(source: str, target: str, tree: dict) -> None:
    """*source* rebuilt at *target*: directories made, files hard-linked, symlinks recreated.
    ``tree[<dir made>]`` gets its files and the subdirectories a walk descends into, as
    ``os.walk`` sorts them apart (a link to a directory is neither)."""
    pending = [(source, target)]
    while pending:
        src, dst = pending.pop()
        os.makedirs(dst, exist_ok=True)
        files, subdirs = [], []
        for entry in os.scandir(src):
            to = os.path.join(dst, entry.name)
            if entry.is_symlink():
                os.symlink(os.readlink(entry.path), to)
                if not entry.is_dir():  # where it leads in the input (its target in OUT may not be made yet)
                    files.append(entry.name)
            elif entry.is_dir():
                pending.append((entry.path, to))
                subdirs.append(entry.name)
            else:
                _link_or_copy(entry.path, to)
                files.append(entry.name)
        tree[dst] = (sorted(files), sorted(subdirs))


def _link_or_copy(src: str, dst: str) -> None:
    """A hard link shares the file without copying it; across file systems, a copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _time(value) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else -1


def _int(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
