"""Plain-text views of results: the per-test block and the session summary (contract 7.6).

Pure functions from results to strings; writing them anywhere is the reporters' job.
Tools grep these labels, so their spelling and spacing follow upstream exactly.
"""
from __future__ import annotations

import json

import ducktape
from ducktape.tests.quarantine import quarantine_lines
from ducktape.tests.status import status_of

DEFAULT_SEPARATOR_WIDTH = 100


def format_time(seconds: float) -> str:
    """``"1 minute 2.345 seconds"``: minutes only when at least one, then seconds to 3 places."""
    minutes = int(seconds / 60)
    text = f"{minutes} minute{'' if minutes == 1 else 's'} " if minutes > 0 else ""
    return text + "%.3f seconds" % (seconds % 60)


def result_string(result) -> str:
    """One test's block: id, status, run time, the summary when it failed or was flaky, its data.

    Upstream hides FLAKY summaries; we show them, since they say which runs failed and why.
    """
    lines = [
        f"test_id:    {result.test_id}",
        f"status:     {str(result.test_status).upper()}",
        f"run time:   {format_time(result.run_time_seconds)}",
    ]
    if status_of(result.test_status).shows_summary:
        lines.append("\n")
        lines.append("    " + result.summary)
    if result.data is not None:
        lines.append(json.dumps(result.data))
    return "\n".join(lines)


def test_report_string(result, width: int = DEFAULT_SEPARATOR_WIDTH) -> str:
    """The per-test ``report.txt``."""
    return "=" * width + "\n" + result_string(result)


def summary_header(results, width: int) -> str:
    """The ``SESSION REPORT (ALL TESTS)`` block with the counts."""
    lines = [
        "=" * width,
        "SESSION REPORT (ALL TESTS)",
        f"ducktape version: {ducktape.__version__}",
        f"session_id:       {results.session_context.session_id}",
        f"run time:         {format_time(results.run_time_seconds)}",
        f"tests run:        {len(results)}",
        f"passed:           {results.num_passed}",
        f"flaky:            {results.num_flaky}",
        f"failed:           {results.num_failed}",
        f"ignored:          {results.num_ignored}",
    ]
    if results.num_opassed:
        lines.append(f"opassed:          {results.num_opassed}")
    if results.num_ofailed:
        lines.append(f"ofailed:          {results.num_ofailed}")
    lines += quarantine_lines(results.quarantine)
    if results.interrupted_ids:
        lines.append(f"interrupted:      {len(results.interrupted_ids)}")
    if results.not_started:
        lines.append(f"not started:      {len(results.not_started)}")
    lines.append("=" * width)
    return "\n".join(lines)


def test_block(result, width: int) -> str:
    """A test's block in the session summary, closed by a ``-`` line."""
    return result_string(result) + "\n" + "-" * width


def summary_string(results, width: int = DEFAULT_SEPARATOR_WIDTH) -> str:
    """The whole session summary: header, every test's block, then which tests Ctrl-C cut short
    and which never started."""
    parts = [summary_header(results, width)] + [test_block(r, width) for r in results]
    if results.interrupted_ids:
        parts.append("INTERRUPTED (Ctrl-C or a signal cut these tests short):\n"
                     + "\n".join(f"    {test_id}" for test_id in results.interrupted_ids))
    if results.not_started:
        parts.append("NOT STARTED (the session stopped before these tests):\n"
                     + "\n".join(f"    {test.test_id}" for test in results.not_started))
    return "\n".join(parts)

