"""Session reporters: ``make_reporters`` for the runner, and upstream's reporter classes
(importable from ``ducktape.tests.reporter`` too, upstream's path).

The runner builds its reporters with ``make_reporters(session_context, results_root)`` and
calls ``session_started`` / ``test_finished`` / ``session_finished`` on each
(``notify`` does it with errors contained). The upstream class names below stay
importable for code that used them directly; each is a thin adapter over the
same renderers in this package.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from ducktape.tests.reporters.base import Reporter, notify
from ducktape.tests.reporters.console import ConsoleReporter, _click_echo
from ducktape.tests.reporters.files import (
    HtmlReporter,
    JsonFileReporter,
    JUnitFileReporter,
    LatestLinkReporter,
    RerunFailedReporter,
    SessionRecordReporter,
    TextFileReporter,
    write_test_files,
)
from ducktape.tests.reporters.rerun import test_symbol
from ducktape.tests.reporters.text import (
    DEFAULT_SEPARATOR_WIDTH,
    format_time,
    result_string,
    summary_header,
    summary_string,
    test_report_string,
)
from ducktape.tests.status import status_of

__all__ = [
    "DEFAULT_SEPARATOR_WIDTH",
    "FailedTestSymbolReporter",
    "HTMLSummaryReporter",
    "JSONReporter",
    "JUnitReporter",
    "Reporter",
    "SimpleFileSummaryReporter",
    "SimpleStdoutSummaryReporter",
    "SimpleSummaryReporter",
    "SingleResultFileReporter",
    "SingleResultReporter",
    "SummaryReporter",
    "file_reporters",
    "format_time",
    "make_reporters",
    "notify",
]


def file_reporters(session_context, results_root: Path | None = None) -> list[Reporter]:
    """The reporters that write files in the session dir (what ``ducktape-report rebuild`` reruns)."""
    return [
        TextFileReporter(session_context),
        JsonFileReporter(session_context),
        JUnitFileReporter(session_context),
        HtmlReporter(session_context, results_root),
        RerunFailedReporter(session_context),
    ]


def make_reporters(session_context, results_root: str | None = None) -> list[Reporter]:
    """Every reporter of a ``ducktape`` run, in the order they should be called; *results_root*
    (``--results-root``) holds the ``latest`` link."""
    root = Path(results_root).absolute() if results_root else None
    return [
        SessionRecordReporter(session_context),
        *file_reporters(session_context, root),
        LatestLinkReporter(session_context, root),  # before the console: a closed stdout must not cost it
        ConsoleReporter(session_context),
    ]


def _terminal_width() -> int:
    return shutil.get_terminal_size().columns


# -- upstream names -----------------------------------------------------------------------------


class SingleResultReporter:
    """Text view of one result."""

    def __init__(self, result):
        self.result = result
        self.width = _terminal_width()

    def result_string(self) -> str:
        return result_string(self.result)

    def report_string(self) -> str:
        return test_report_string(self.result, self.width)


class SingleResultFileReporter(SingleResultReporter):
    """Writes one test's ``report.txt`` and ``data.json``."""

    def report(self) -> None:
        write_test_files(self.result)


class SummaryReporter:
    """Base of the whole-session reporters."""

    def __init__(self, results):
        self.results = results
        self.width = _terminal_width()

    @property
    def session_dir(self) -> Path:
        return Path(self.results.session_context.results_dir)

    def report(self) -> None:
        raise NotImplementedError("method report must be implemented by subclasses of SummaryReporter")


class SimpleSummaryReporter(SummaryReporter):
    def header_string(self) -> str:
        return summary_header(self.results, self.width)

    def report_string(self) -> str:
        return summary_string(self.results, self.width)


class SimpleFileSummaryReporter(SimpleSummaryReporter):
    def report(self) -> None:
        self.width = DEFAULT_SEPARATOR_WIDTH
        TextFileReporter(self.results.session_context).session_finished(self.results)


class SimpleStdoutSummaryReporter(SimpleSummaryReporter):
    def report(self) -> None:
        _click_echo(self.report_string())


class JSONReporter(SummaryReporter):
    def report(self) -> None:
        JsonFileReporter(self.results.session_context).session_finished(self.results)


class JUnitReporter(SummaryReporter):
    def report(self) -> None:
        JUnitFileReporter(self.results.session_context).session_finished(self.results)


class HTMLSummaryReporter(SummaryReporter):
    def __init__(self, results, expected_test_count: int):
        super().__init__(results)
        self.expected_test_count = expected_test_count

    def report(self) -> None:
        reporter = HtmlReporter(self.results.session_context)
        reporter.expected_count = self.expected_test_count
        reporter.session_finished(self.results)


class FailedTestSymbolReporter(SummaryReporter):
    """Writes ``rerun-failed.yml`` and prints the failed symbols (cwd-relative, never raising)."""

    def __init__(self, results):
        super().__init__(results)
        self.working_dir = Path().absolute()
        self.separator = "=" * self.width

    def to_symbol(self, result) -> str | None:
        return test_symbol(result, str(self.working_dir))

    def report(self) -> None:
        RerunFailedReporter(self.results.session_context).session_finished(self.results)
        console = ConsoleReporter(self.results.session_context, width=self.width)
        symbols = [s for s in (self.to_symbol(r) for r in self.results if status_of(r.test_status).fails_run) if s]
        if symbols:
            console.echo_rerun(symbols, self.width)
