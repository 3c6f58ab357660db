"""``--collect-only`` output: upstream's text listing, or one JSON object per test (``--collect-format json``)."""
from __future__ import annotations

import json
import os
import sys

from ducktape.utils.plural import counted


def print_collected(tests: list, output_format: str = "text") -> None:
    """Write the collected tests to stdout."""
    out = sys.stdout
    if output_format == "json":
        for test in tests:
            out.write(json.dumps(collect_record(test), default=repr) + "\n")
        return
    lines = [f"Collected {counted(len(tests), 'test')}:"]
    lines += [f"    {test!r}" for test in tests]
    out.write("\n".join(lines) + "\n")


def collect_record(test) -> dict:
    """The machine-readable description of one collected test."""
    spec = test.expected_cluster_spec
    return {
        "test_id": test.test_id,
        "symbol": test_symbol(test),
        "file": test.file,
        "parameters": test.injected_args,
        "cluster_spec": json.loads(str(spec)) if spec is not None else None,
        "ignored": bool(test.ignore),
    }


def test_symbol(test) -> str:
    """``<path relative to cwd>::Class.method[@json]``: how to name this test on the command line."""
    path = os.path.relpath(test.file) if test.file else ""
    symbol = f"{path}::{test.cls_name}.{test.function_name}"
    if test.injected_args is not None:
        symbol += "@" + json.dumps(test.injected_args, separators=(",", ":"), default=repr)
    return symbol
