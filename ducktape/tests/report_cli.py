"""``ducktape-report``: tools for results directories.

``ducktape-report rebuild <session dir>`` reads ``session.json`` (or, for sessions
written by upstream ducktape, the session ``report.json``) and every per-test
``report.json`` below the session dir, and rewrites report.txt, report.json,
report.xml, report.html and rerun-failed.yml. It is how a session killed with
SIGKILL, or one whose reports were deleted, gets its reports back.

``ducktape-report merge -o OUT SESSION_DIR...`` writes one session from shards
(``tests/merge``); ``ducktape-report compare BASE NEW`` says what changed between two
sessions and exits 1 when something newly fails (``tests/compare``).
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ducktape.errors import USAGE_EXIT, UsageError
from ducktape.tests.session_reader import (
    RecordedCluster,
    RecordedSession,
    check_session_dir,
    read_session_record,
    read_test_reports,
)
from ducktape.utils.plural import counted


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
    path = check_session_dir(session_dir, "ducktape-report rebuild results/<session id>")
    record = read_session_record(path, given)
    session = RecordedSession(record.get("session_context") or {}, path)
    results_list, skipped = read_test_reports(path, session)
    results = TestResults(session, RecordedCluster(_cluster_size(record, results_list)), record.get("client_status"))
    for result in results_list:
        results.append(result)
    results.interrupted_ids = [str(test_id) for test_id in record.get("interrupted_tests") or []]
    results.not_started = [NotStarted.from_json(d) for d in record.get("not_started") or [] if isinstance(d, dict)]
    results.start_time, results.stop_time = _session_times(record, results_list)
    results.suite_version, results.quarantine = record.get("suite_version"), record.get("quarantine")
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
        theirs = read_session_record(target, str(target)).get("start_time")
    except UsageError:
        return True  # it points at something that is no session
    return not isinstance(theirs, (int, float)) or theirs <= start_time


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

    @cli.command(help="Write one session directory OUT holding every result of the SESSION_DIRs (shards).")
    @click.option("-o", "--output", "out", required=True, type=click.Path(path_type=str),
                  help="The new session directory (must not exist, or be empty).")
    @click.argument("session_dirs", nargs=-1, required=True, type=click.Path(path_type=str))
    def merge(out: str, session_dirs: tuple[str, ...]) -> None:
        from ducktape.tests.merge import merge_sessions

        outcome = merge_sessions(list(session_dirs), out)
        for line in outcome.notes:
            click.echo(line, err=True)
        for line in outcome.errors:
            click.echo(f"could not write a report: {line}", err=True)
        results = outcome.results
        click.echo(f"merged {len(outcome.shards)} sessions into {outcome.out}: {len(results)} results "
                   f"({results.num_passed} passed, {results.num_failed} failed, {results.num_ignored} ignored, "
                   f"{results.num_flaky} flaky)")
        if outcome.errors:
            raise SystemExit(1)

    @cli.command(help="Say which tests newly fail, are fixed, still fail, are flaky, new, gone or slower in NEW "
                      "than in BASE (session directories). Exits 1 when something newly fails.")
    @click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
    @click.argument("base", type=click.Path(path_type=str))
    @click.argument("new", type=click.Path(path_type=str))
    def compare(as_json: bool, base: str, new: str) -> None:
        import json

        from ducktape.tests.compare import compare as compare_results
        from ducktape.tests.compare import comparison_text
        from ducktape.tests.session_reader import read_session

        usage = "ducktape-report compare BASE_SESSION_DIR NEW_SESSION_DIR"
        before, after = read_session(base, usage), read_session(new, usage)
        comparison = compare_results(before.results, after.results, before.session_id, after.session_id)
        click.echo(json.dumps(comparison.to_json(), indent=2) if as_json else comparison_text(comparison))
        raise SystemExit(comparison.exit_status)

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
