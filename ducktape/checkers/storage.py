"""Where a test keeps its histories, so the report finds them, and copying one back from a node."""
from __future__ import annotations

import os
from typing import Any

HISTORY_DIR = "history"


def history_dir(test_context: Any) -> str:
    """``<test results dir>/history``, created: the report draws every ``*.jsonl`` in it."""
    results_dir = test_context.results_dir
    if callable(results_dir):  # TestContext.results_dir is a static helper of (context, index)
        results_dir = results_dir(test_context, getattr(test_context, "test_index", None))
    path = os.path.join(results_dir, HISTORY_DIR)
    os.makedirs(path, exist_ok=True)
    return path


def collect_history(node: Any, remote_path: str, test_context: Any) -> str:
    """Copy a history file (or directory of them) a client wrote on *node* into the test's
    history directory, over the node's account; returns the local path."""
    local = os.path.join(history_dir(test_context), node.account.hostname)
    os.makedirs(local, exist_ok=True)
    node.account.copy_from(remote_path, local)
    copied = os.path.join(local, os.path.basename(remote_path.rstrip("/")))
    if not os.path.exists(copied):
        raise FileNotFoundError(f"no history at {node.account.hostname}:{remote_path}\n"
                                "hint: did the client start, and does it write there?")
    return copied
