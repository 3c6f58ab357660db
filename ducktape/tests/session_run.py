"""Run a loaded session: build the cluster and reporters, run the tests, decide the exit status.

``command_line`` parses flags and loads the tests, then calls ``run_session``. This
module wires the pieces (cluster, reporters, TestRunner); it prints nothing itself and
never exits the process.
"""
from __future__ import annotations

import datetime
import logging
import os
from typing import Any

from ducktape.session_config import SessionConfig
from ducktape.tests.quarantine import apply_quarantine, quarantine_report
from ducktape.tests.reporters.html_report import earlier_sessions
from ducktape.tests.reporters.progress import ProgressReporter
from ducktape.tests.runner import TestRunner, has_cluster_size, run_and_report
from ducktape.tests.suite_version import suite_version
from ducktape.utils.plural import counted


def run_session(config: SessionConfig, session_context: Any, session_logger: logging.Logger, tests: list,
                quarantine: list | None = None) -> int:
    """Run *tests* with the settings of *config* and return the exit status: 0 only when
    nothing failed and every expected test reported a result. *quarantine* holds the entries
    of ``--quarantine`` (tests/quarantine.py), read by the caller."""
    from ducktape.cluster.factory import make_cluster
    from ducktape.cluster.localhost import embedded_size
    from ducktape.cluster.mux import start_for as start_mux
    from ducktape.cluster.mux import wanted as wanted_mux
    from ducktape.tests.after_test import standard_hooks
    from ducktape.tests.reporters.session import make_reporters

    apply_default_num_nodes(tests, config.default_num_nodes)
    today = datetime.date.today()
    apply_quarantine(tests, quarantine or [], today)
    version = suite_version(config.test_path)
    localhost_nodes = config.localhost_nodes
    if localhost_nodes is None:
        localhost_nodes = embedded_size([ctx.expected_num_nodes if has_cluster_size(ctx) else None for ctx in tests],
                                        config.max_parallel)
    cluster = make_cluster(config.cluster if config.cluster_given else None, config.cluster_file, config.ssh_checker_function,
                           localhost_nodes=localhost_nodes, notice_logger=session_logger)
    mux = start_mux(cluster, wanted_mux(config.mux, config.no_mux, config.cluster_file),
                    os.path.join(session_context.results_dir, "mux.log"))
    cluster.connect_ahead()  # SSH clusters: handshakes overlap the setup below
    try:
        for ctx in tests:
            ctx.cluster = cluster
        deflake = config.deflake or 1  # --deflake 0 runs once without a warning, as before
        if deflake < 1:
            session_logger.warning("--deflake %s is less than 1: running each test once", deflake)
        reporters = [ProgressReporter(session_context), *make_reporters(session_context, config.results_root)]
        expected = len(tests)
        runner = TestRunner(cluster, session_context, session_logger, tests, deflake, reporters=reporters,
                            after_test=standard_hooks(session_logger))

        def add_quarantine(results: Any) -> None:
            if config.quarantine:
                history = earlier_sessions(config.results_root, session_context.results_dir)
                results.quarantine = quarantine_report(quarantine or [], results, history, today,
                                                       config.quarantine_release_after)

        run = run_and_report(runner, expected, version, annotate=add_quarantine)
        status = exit_status(run.results, expected, session_logger, disk_full=run.disk_full)
        if run.stopped:  # the reports are whole, but the run was stopped
            return max(status, 1)
        return status
    finally:
        cluster.close()  # clusters that provision nodes end them here, whatever happened
        mux.stop()


def apply_default_num_nodes(tests: list, num_nodes: int | None) -> None:
    """``--default-num-nodes N``: tests without ``@cluster`` reserve N nodes instead of the
    whole cluster (and are no longer greedy under ``--fail-greedy-tests``)."""
    if num_nodes is None:
        return
    for ctx in tests:
        metadata = ctx.cluster_use_metadata
        if "num_nodes" not in metadata and "cluster_spec" not in metadata:
            metadata["num_nodes"] = num_nodes


def exit_status(results: Any, expected: int, logger: logging.Logger, disk_full: bool = False) -> int:
    """1 when a test failed, fewer results than tests came back, or the results root filled
    up (what is on disk is then not the whole story); else 0."""
    if disk_full:
        return 1
    if len(results) < expected:
        logger.warning("All tests were NOT run. Expected %s, only %d %s run.", counted(expected, "test"), len(results),
                       "was" if len(results) == 1 else "were")
        return 1
    return 0 if results.get_aggregate_success() else 1
