"""``ducktape-report``: tools for results directories.

``ducktape-report rebuild <session dir>`` reads ``session.json`` (or, for sessions
written by upstream ducktape, the session ``report.json``) and every per-test
``report.json`` below the session dir, and rewrites report.txt, report.json,
report.xml, report.html and rerun-failed.yml. It is how a session killed with
SIGKILL, or one whose reports were deleted, gets its reports back.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ducktape.defaults import SESSION_FILE
from ducktape.errors import USAGE_EXIT, UsageError
from ducktape.utils.plural import counted


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


@dataclass
class RebuildOutcome:
    """What a rebuild found and wrote."""

    session_dir: Path
    results: object
    expected_count: int | None
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    moved_latest: bool = False


def rebuild_session(session_dir: str | os.PathLike) -> RebuildOutcome:
    """Rebuild every session report of *session_dir* from the per-test reports."""
    from ducktape.tests.reporters.files import update_latest_symlink
    from ducktape.tests.reporters.session import file_reporters, notify
    from ducktape.tests.result import NotStarted, TestResults

    given = str(session_dir)
    path = Path(session_dir)
    if not path.exists():
        raise UsageError(f"session directory not found: {given}", hint="ducktape-report rebuild results/<session id>")
    if not path.is_dir():
        raise UsageError(f"not a directory: {given}", hint="ducktape-report rebuild results/<session id>")
    path = path.resolve()
    record = _read_session_record(path, given)
    session = RecordedSession(record.get("session_context") or {}, path)
    results_list, skipped = _read_test_reports(path, session)
    results = TestResults(session, RecordedCluster(_cluster_size(record, results_list)), record.get("client_status"))
    for result in results_list:
        results.append(result)
    results.interrupted_ids = [str(test_id) for test_id in record.get("interrupted_tests") or []]
    results.not_started = [NotStarted.from_json(d) for d in record.get("not_started") or [] if isinstance(d, dict)]
    results.start_time, results.stop_time = _session_times(record, results_list)
    expected = record.get("expected_test_count")
    interrupted = record.get("interrupted")
    if interrupted is None and "interrupted" in record:
        interrupted = True  # session.json, whose driver never finished the session: killed (SIGKILL, a crash)
    elif interrupted is None:  # upstream's report.json: judge by the count
        interrupted = expected is not None and len(results) < expected
    reporters = file_reporters(session, path.parent)
    for reporter in reporters:
        reporter.expected_count = expected
    errors = notify(reporters, "session_finished", results, bool(interrupted))
    moved = False
    if not errors and _newer_than_latest(path, results.start_time):
        update_latest_symlink(path.parent, path)  # a run killed before its reports never moved it
        moved = True
    return RebuildOutcome(path, results, expected, skipped, [f"{e!r}" for e in errors], moved)


def _newer_than_latest(path: Path, start_time: float) -> bool:
    """True when ``latest`` next to *path* is missing, dangling, already *path*, or points at a
    session that started no later than this one."""
    latest = path.parent / "latest"
    if not latest.is_symlink():
        return not latest.exists()  # a real directory named latest is the user's: leave it
    target = latest.resolve()
    if target == path or not target.is_dir():
        return True
    try:
        theirs = _read_session_record(target, str(target)).get("start_time")
    except UsageError:
        return True  # it points at something that is no session
    return not isinstance(theirs, (int, float)) or theirs <= start_time


def _read_session_record(path: Path, given: str) -> dict:
    """session.json, else the session report.json (sessions written by upstream ducktape)."""
    for name in (SESSION_FILE, "report.json"):
        candidate = path / name
        if not candidate.is_file():
            continue
        try:
            record = json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise UsageError(f"cannot read {candidate}: {err}") from None
        if isinstance(record, dict) and isinstance(record.get("session_context"), dict):
            return record
        raise UsageError(f"{candidate} is not a ducktape session record")
    raise UsageError(
        f"not a ducktape session directory (no {SESSION_FILE} or report.json): {given}",
        hint="pass a session directory such as results/latest or results/2026-01-31--004",
    )


def _read_test_reports(path: Path, session: RecordedSession) -> tuple[list, list[str]]:
    """Every per-test report.json below *path*, as TestResults sorted by test index."""
    from ducktape.tests.result import TestResult

    found, skipped = [], []
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


def _cluster_size(record: dict, results: list) -> int:
    """Recorded size, else the distinct hosts the tests held, else the largest allocation."""
    size = record.get("cluster_num_nodes")
    if isinstance(size, int) and size >= 0:
        return size
    hosts = {host for r in results for host in r.nodes}
    return len(hosts) or max((r.nodes_allocated or 0 for r in results), default=0)


def _session_times(record: dict, results: list) -> tuple[float, float]:
    starts = [r.start_time for r in results if r.start_time >= 0]
    stops = [r.stop_time for r in results if r.stop_time >= 0]
    start = record.get("start_time", -1)
    stop = record.get("stop_time", -1)
    if not isinstance(start, (int, float)) or start < 0:
        start = min(starts, default=-1)
    if not isinstance(stop, (int, float)) or stop < 0:
        stop = max(stops, default=start)
    return start, stop


def _describe(outcome: RebuildOutcome) -> str:
    results = outcome.results
    counts = f"{results.num_passed} passed, {results.num_failed} failed, {results.num_ignored} ignored"
    if results.num_flaky:
        counts += f", {results.num_flaky} flaky"
    expected = f" of {outcome.expected_count} expected" if outcome.expected_count is not None else ""
    return f"rebuilt the reports of {outcome.session_dir}: {counted(len(results), 'test')}{expected} ({counts})"


def _cli():
    import click

    @click.group(help="Tools for ducktape results directories.",
                 context_settings={"help_option_names": ["-h", "--help"]})
    def cli() -> None:
        pass

    @cli.command(help="Rewrite report.txt/json/xml/html of SESSION_DIR from its per-test reports.")
    @click.argument("session_dir", type=click.Path(file_okay=True, dir_okay=True, path_type=str))
    def rebuild(session_dir: str) -> None:
        outcome = rebuild_session(session_dir)
        for line in outcome.skipped:
            click.echo(f"skipped unreadable test report {line}", err=True)
        for line in outcome.errors:
            click.echo(f"could not write a report: {line}", err=True)
        click.echo(_describe(outcome))
        if outcome.moved_latest:
            click.echo(f"{outcome.session_dir.parent / 'latest'} -> {outcome.session_dir.name}")
        if outcome.errors:
            raise SystemExit(1)

    return cli


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``ducktape-report``; returns the exit status."""
    import click

    try:
        _cli().main(args=argv, prog_name="ducktape-report", standalone_mode=False)
    except UsageError as err:
        hint = f" (hint: {err.hint})" if err.hint else ""
        click.echo(f"ducktape-report: {err.message}{hint}", err=True)
        return USAGE_EXIT
    except click.ClickException as err:
        err.show()
        return USAGE_EXIT
    except click.exceptions.Abort:
        return 1
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
