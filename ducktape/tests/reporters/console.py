"""The end-of-session console output: summary, tables, and how to rerun the failures."""
from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable

from ducktape.tests.reporters.base import Reporter
from ducktape.tests.reporters.console_style import colour_enabled, paint
from ducktape.tests.reporters.rerun import RERUN_FILE, failed_symbols
from ducktape.tests.reporters.runs import RUN_HEADER, repeat_numbers, run_label
from ducktape.tests.reporters.text import format_time, summary_string
from ducktape.tests.status import SUMMARY_ORDER, status_of

SUMMARY_WIDTH = 80


def _click_echo(text: str) -> None:
    import click

    click.echo(text)


class ConsoleReporter(Reporter):
    """Prints the summary (contract 7.6), a status table, the failed tests, and rerun hints.

    *echo* receives whole blocks of text (default: ``click.echo``); *width* defaults to
    the terminal width.
    """

    console = True

    def __init__(self, session_context, echo: Callable[[str], None] | None = None,
                 width: int | None = None, colour: bool | None = None) -> None:
        super().__init__(session_context)
        self.echo = echo or _click_echo
        self.width = width
        self.colour = colour_enabled(sys.stdout) if colour is None else colour  # the tables' status column

    def session_finished(self, results, interrupted: bool = False) -> None:
        width = self.width or shutil.get_terminal_size().columns
        self.echo(summary_string(results, width))
        self.echo("\n" + status_table(results, self.colour))
        failing = failing_table(results, self.colour)
        if failing:
            self.echo("\n" + failing)
        if interrupted or (self.expected_count is not None and len(results) < self.expected_count):
            self.echo(f"Not every test ran: {len(results)} of {self.expected_count} finished.")
            if results.interrupted_ids:
                self.echo(f"Interrupted: {', '.join(results.interrupted_ids)}")
            if results.not_started:
                self.echo(f"Never started: {', '.join(test.test_id for test in results.not_started)} "
                          f"(listed in {self.session_dir / RERUN_FILE})")
        symbols = failed_symbols(results, os.getcwd())
        if symbols:
            self.echo_rerun(symbols, width)

    def echo_rerun(self, symbols: list[str], width: int) -> None:
        """The ``FAILED TEST SUITE`` and ``FAILED TEST SYMBOLS`` blocks."""
        separator = "=" * width
        self.echo("\n".join([
            separator,
            "FAILED TEST SUITE",
            f"Test suite to rerun failed tests: {self.session_dir / RERUN_FILE}",
            separator,
            "FAILED TEST SYMBOLS",
            "Pass the test symbols below to your ducktape run",
            " ".join(f"'{symbol}'" for symbol in symbols),
        ]))


def status_table(results, colour: bool = False) -> str:
    """One row per status that occurred: how many tests, their total run time."""
    from tabulate import tabulate

    counts: dict[str, list] = {}
    for result in results:
        row = counts.setdefault(str(result.test_status), [0, 0.0])
        row[0] += 1
        row[1] += max(result.run_time_seconds, 0)
    rows = [[paint(status.upper(), status, colour), counts[status][0], format_time(counts[status][1])]
            for status in map(str, SUMMARY_ORDER) if status in counts]
    rows.append(["TOTAL", len(results), format_time(sum(r[1] for r in counts.values()))])
    return tabulate(rows, headers=["status", "tests", "run time"], tablefmt="simple")


def failing_table(results, colour: bool = False) -> str:
    """One row per failed or flaky test with the first line of its summary; "" when none.

    A test run several times (``--repeat``) names its run: ``test_id (run 2 of 3)``."""
    from tabulate import tabulate

    results = list(results)
    numbers = repeat_numbers((r.test_id, r.test_index) for r in results)
    rows = []
    for result, (run, total) in zip(results, numbers):
        if not status_of(result.test_status).shows_summary:
            continue
        status = str(result.test_status)
        label = run_label(run, total)
        test = f"{result.test_id} ({label})" if label else result.test_id
        rows.append([paint(status.upper(), status, colour), test, _clip(headline(result.summary), SUMMARY_WIDTH)])
    if not rows:
        return ""
    return tabulate(rows, headers=["status", "test", "summary"], tablefmt="simple")


def headline(summary: str | None) -> str:
    """The first informative line of a summary, skipping deflake headers like ``runs 1, 2 summary:``."""
    for line in (summary or "").splitlines():
        line = line.strip()
        if line and not RUN_HEADER.match(line) and not set(line) <= {"~"}:
            return line
    return ""


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
