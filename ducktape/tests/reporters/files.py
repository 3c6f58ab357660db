"""Reporters that write the session files: session.json, report.txt/json/xml/html, rerun-failed.yml.

``session.json`` is written when the session starts, so a run killed with SIGKILL
can still be rebuilt (``ducktape-report rebuild``). ``report.txt`` gets one append
per finished test; the whole-file reports are rendered once, at session end or
on interrupt, never after every test.
"""
from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

import ducktape
from ducktape.defaults import SESSION_FILE
from ducktape.tests.reporters.base import Reporter, write_atomic
from ducktape.tests.reporters.junit import junit_string
from ducktape.tests.reporters.rerun import RERUN_FILE, rerun_suite_text, rerun_symbols
from ducktape.tests.reporters.text import (
    DEFAULT_SEPARATOR_WIDTH,
    summary_string,
    test_block,
    test_report_string,
)


def _dumps(value, **kwargs) -> str:
    from ducktape.tests.result import dumps

    return dumps(value, **kwargs)


def session_report(results, interrupted: bool, expected_count: int | None) -> dict:
    """The session ``report.json`` dict; for an incomplete run (Ctrl-C, SIGTERM, a killed driver,
    ``--exit-first``) also ``interrupted`` and ``expected_test_count``, which the results index
    shows. A complete run's keys are upstream's."""
    report = results.to_json()
    if interrupted or (expected_count is not None and len(results) < expected_count):
        report["interrupted"] = bool(interrupted)
        report["expected_test_count"] = expected_count
    return report


class SessionRecordReporter(Reporter):
    """Writes ``session.json``: session context, start time, expected count, cluster size, suite version
    (and at the end the quarantine report), so ``ducktape-report rebuild`` can restore them."""

    def session_started(self, session_context, expected_count: int, **info) -> None:
        super().session_started(session_context, expected_count, **info)
        self.record = {
            "ducktape_version": ducktape.__version__,
            "session_context": session_context.to_json(),
            "start_time": time.time(),
            "stop_time": -1,
            "expected_test_count": expected_count,
            "cluster_num_nodes": info.get("cluster_size"),
            "suite_version": info.get("suite_version"),
            "interrupted": None,
        }
        self._write()

    def session_finished(self, results, interrupted: bool = False) -> None:
        record = getattr(self, "record", None)
        if record is None:
            return
        record.update(
            start_time=results.start_time if results.start_time >= 0 else record["start_time"],
            stop_time=results.stop_time if results.stop_time >= 0 else time.time(),
            cluster_num_nodes=results.cluster_num_nodes,
            interrupted=bool(interrupted),
            client_status={str(k): v for k, v in results.client_status.items()},
            quarantine=results.quarantine,
            interrupted_tests=list(results.interrupted_ids),
            not_started=[test.to_json() for test in results.not_started],
        )
        self._write()

    def _write(self) -> None:
        self.session_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(self.session_dir / SESSION_FILE, _dumps(self.record, sort_keys=True, indent=2))


def write_test_files(result) -> None:
    """One test's ``report.txt`` and (when it has data) ``data.json``, in its results dir:
    the one writer of both (``TestResult.report`` and upstream's ``SingleResultFileReporter``)."""
    test_dir = Path(result.results_dir)
    (test_dir / "report.txt").write_text(test_report_string(result, DEFAULT_SEPARATOR_WIDTH))
    if result.data is not None:
        (test_dir / "data.json").write_text(_dumps(result.data))


class TextFileReporter(Reporter):
    """``report.txt``: a running list while tests finish, the full summary at the end."""

    width = DEFAULT_SEPARATOR_WIDTH

    def session_started(self, session_context, expected_count: int, **info) -> None:
        super().session_started(session_context, expected_count, **info)
        header = [
            "=" * self.width,
            "SESSION REPORT (IN PROGRESS)",
            f"ducktape version: {ducktape.__version__}",
            f"session_id:       {session_context.session_id}",
            f"tests expected:   {expected_count}",
            "=" * self.width,
        ]
        self.session_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(self.session_dir / "report.txt", "\n".join(header))

    def test_finished(self, result) -> None:
        with open(self.session_dir / "report.txt", "a", encoding="utf-8") as out:
            out.write("\n" + test_block(result, self.width))

    def session_finished(self, results, interrupted: bool = False) -> None:
        write_atomic(self.session_dir / "report.txt", summary_string(results, self.width))


class JsonFileReporter(Reporter):
    """``report.json``: the session report of contract 7.4."""

    def session_finished(self, results, interrupted: bool = False) -> None:
        text = _dumps(session_report(results, interrupted, self.expected_count), sort_keys=True, indent=2,
                      separators=(",", ": "))
        write_atomic(self.session_dir / "report.json", text)


class JUnitFileReporter(Reporter):
    """``report.xml``: JUnit XML for CI servers."""

    def session_finished(self, results, interrupted: bool = False) -> None:
        write_atomic(self.session_dir / "report.xml", junit_string(results))


class HtmlReporter(Reporter):
    """``report.html`` for the session, then the results root's ``index.html``."""

    def __init__(self, session_context, results_root: Path | None = None) -> None:
        super().__init__(session_context)
        self.results_root = Path(results_root) if results_root else self.session_dir.parent
        self.file_tree: dict | None = None  # the session's directories, when whoever made them listed them

    def session_finished(self, results, interrupted: bool = False) -> None:
        from ducktape.tests.compare import since_last_run
        from ducktape.tests.reporters.html_report import (
            write_html_report,
            write_results_index,
        )

        report = json.loads(_dumps(session_report(results, interrupted, self.expected_count)))
        if self.expected_count is not None:
            report["expected_test_count"] = self.expected_count
        write_html_report(self.session_dir, report, since_last_run(self.results_root, self.session_dir, report),
                          self.file_tree)
        # the index needs this session's report too: hand it over rather than have it read report.json again
        known = {self.session_dir.name: report} if self.session_dir.parent == self.results_root else {}
        write_results_index(self.results_root, self.notes, known)


class LatestLinkReporter(Reporter):
    """Points ``<results root>/latest`` at the session, whatever the other reporters managed."""

    def __init__(self, session_context, results_root: Path | None = None) -> None:
        super().__init__(session_context)
        self.results_root = Path(results_root) if results_root else self.session_dir.parent

    def session_finished(self, results, interrupted: bool = False) -> None:
        update_latest_symlink(self.results_root, self.session_dir)


def update_latest_symlink(results_root: Path, session_dir: Path) -> None:
    """Point ``<results_root>/latest`` at *session_dir* in one step. When that is impossible
    (``latest`` is a real directory, say) the run's result stands: a warning, no error."""
    latest = os.path.join(results_root, "latest")
    if os.path.isdir(latest) and not os.path.islink(latest):
        logging.getLogger("ducktape").warning(
            "%s is a directory, not a link: left as it is, not pointed at %s (remove or rename it)", latest, session_dir)
        return
    tmp = f"{latest}.{os.getpid()}.tmp"
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(os.path.abspath(session_dir), tmp)
    os.replace(tmp, latest)


class RerunFailedReporter(Reporter):
    """``rerun-failed.yml``, only when something failed: ``ducktape <it>`` reruns the failures."""

    def session_finished(self, results, interrupted: bool = False) -> None:
        path = self.session_dir / RERUN_FILE
        if rerun_symbols(results):
            write_atomic(path, rerun_suite_text(self.session_context.session_id, results))
        elif path.exists():
            path.unlink()
