"""Run a loaded session: build the cluster and reporters, run the tests, decide the exit status.

``command_line`` parses flags and loads the tests, then calls ``run_session``. This
module wires the pieces (cluster, reporters, TestRunner) and points ``latest`` at the
session afterwards; it prints nothing itself and never exits the process.
"""
from __future__ import annotations

import logging
import os
from typing import Any

from ducktape.tests.progress import ProgressReporter
from ducktape.tests.reporters.base import notify
from ducktape.tests.runner import TestRunner, has_cluster_size


def run_session(args: dict, session_context: Any, session_logger: logging.Logger, tests: list) -> int:
    """Run *tests* and return the exit status: 0 only when nothing failed and every
    expected test reported a result."""
    from ducktape.cluster.factory import make_cluster
    from ducktape.cluster.localhost import embedded_size
    from ducktape.tests.reporter import make_reporters

    apply_default_num_nodes(tests, args.get("default_num_nodes"))
    if args.get("localhost_nodes") is None:
        args = {**args, "localhost_nodes": embedded_size(
            [ctx.expected_num_nodes if has_cluster_size(ctx) else None for ctx in tests], args.get("max_parallel") or 1)}
    cluster = make_cluster(args, notice_logger=session_logger)
    connect_ahead = getattr(cluster, "connect_ahead", None)  # SSH clusters: handshakes overlap the setup below
    if callable(connect_ahead):
        connect_ahead()
    try:
        for ctx in tests:
            ctx.cluster = cluster
        deflake = args.get("deflake") or 1
        if deflake < 1:
            session_logger.warning("--deflake %s is less than 1: running each test once", deflake)
        reporters = [ProgressReporter(session_context), *make_reporters(session_context, args)]
        expected = len(tests)
        notify(reporters, "session_started", session_context, expected, cluster_size=len(cluster),
               logger=session_logger)
        runner = TestRunner(cluster, session_context, session_logger, tests, deflake, reporters=reporters)
        results = runner.run_all_tests()
        errors = notify(reporters, "session_finished", results, interrupted=runner.interrupted, logger=session_logger)
        if not errors:
            update_latest_symlink(os.path.dirname(session_context.results_dir), session_context.results_dir)
        return exit_status(results, expected, session_logger)
    finally:
        close = getattr(cluster, "close", None)  # a custom --cluster class may not derive from Cluster
        if callable(close):
            close()  # clusters that provision nodes end them here, whatever happened


def apply_default_num_nodes(tests: list, num_nodes: int | None) -> None:
    """``--default-num-nodes N``: tests without ``@cluster`` reserve N nodes instead of the
    whole cluster (and are no longer greedy under ``--fail-greedy-tests``)."""
    if num_nodes is None:
        return
    for ctx in tests:
        metadata = ctx.cluster_use_metadata
        if "num_nodes" not in metadata and "cluster_spec" not in metadata:
            metadata["num_nodes"] = num_nodes


def exit_status(results: Any, expected: int, logger: logging.Logger) -> int:
    """1 when a test failed or fewer results than tests came back; else 0."""
    if len(results) < expected:
        logger.warning("All tests were NOT run. Expected %d tests, only %d were run.", expected, len(results))
        return 1
    return 0 if results.get_aggregate_success() else 1


def update_latest_symlink(results_root: str, session_dir: str) -> None:
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
