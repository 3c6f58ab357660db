"""Test symbols for failed tests: what ``FAILED TEST SYMBOLS`` prints and ``rerun-failed.yml`` holds
(with the tests an interrupted session never started)."""
from __future__ import annotations

import json
import os

from ducktape.tests.status import status_of

RERUN_FILE = "rerun-failed.yml"


def test_symbol(result, base_dir: str | None = None) -> str | None:
    """``<path>::<Class>.<method>[@<json>]``; path relative to *base_dir*, absolute when None.

    Works for files outside *base_dir* too (``../t/test_x.py``), unlike upstream.
    """
    if not result.file_name:
        return None
    path = os.path.abspath(result.file_name)
    if base_dir is not None:
        path = os.path.relpath(path, base_dir)
    symbol = f"{path}::{result.cls_name}.{result.function_name}"
    if result.injected_args:
        symbol += "@" + json.dumps(result.injected_args, separators=(",", ":"))
    return symbol


def failed_symbols(results, base_dir: str | None = None) -> list[str]:
    """Symbols of every FAILed test, in result order, without duplicates."""
    symbols: list[str] = []
    for result in results:
        if not status_of(result.test_status).fails_run:
            continue
        symbol = test_symbol(result, base_dir)
        if symbol is not None and symbol not in symbols:
            symbols.append(symbol)
    return symbols


def rerun_symbols(results, base_dir: str | None = None) -> list[str]:
    """What a rerun should run: the failed tests (the interrupted ones among them), then the
    tests the session never started."""
    symbols = failed_symbols(results, base_dir)
    for test in results.not_started:
        symbol = test_symbol(test, base_dir)
        if symbol is not None and symbol not in symbols:
            symbols.append(symbol)
    return symbols


def rerun_suite_text(session_id: str, results) -> str:
    """The ``rerun-failed.yml`` text. Paths are absolute, so the suite finds the tests from any
    directory: suite paths are read relative to the suite file, which lives in the session dir."""
    import yaml  # only needed when something failed

    return yaml.dump({session_id: rerun_symbols(results)}, indent=4)
