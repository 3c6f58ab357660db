"""The driver loop: start each test in its own process, watch it, record its result.

``TestRunner`` asks the scheduler which test fits the free nodes, allocates them, forks
a process (runner/fork_safety.py, runner/runner_client.py) and listens to the events on its pipe.
It notices a test that exits without a result (at once, through the process sentinel), one
that stops beating (``--test-runner-timeout``) and one that overruns its per-test timeout,
and turns each into an ordinary FAIL whose nodes go back to the pool. Stop conditions
(Ctrl-C, SIGTERM, ``--exit-first``) are read at one point of the loop, between scheduling
decisions (runner/signals.py). What else happens when a test ends comes from the hook list
(runner/hooks.py); formatting output is the reporters' job (runner/reporting.py).
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ducktape.cluster import process_tag
from ducktape.cluster.finite_subcluster import FiniteSubcluster  # noqa: F401 - imported once here, not per test
from ducktape.cluster.node_container import InsufficientResourcesError
from ducktape.mark.consts import CLUSTER_SIZE_KEYWORD, CLUSTER_SPEC_KEYWORD
from ducktape.services.service_registry import ServiceRegistry  # noqa: F401 - likewise: every test process uses it
from ducktape.tests import events
from ducktape.tests.disk_full import DiskFull
from ducktape.tests.leftovers import SessionRecord
from ducktape.tests.result import NotStarted, TestResult, TestResults
from ducktape.tests.runner import hooks, watched
from ducktape.tests.runner.fork_safety import run_test_process
from ducktape.tests.runner.hooks import AfterTestHooks
from ducktape.tests.runner.no_process import NoProcessResults
from ducktape.tests.runner.reporting import Reporting
from ducktape.tests.runner.signals import TIMEOUT_SIGNAL, DriverSignals
from ducktape.tests.runner.watched import ActiveTest, TestKey
from ducktape.tests.scheduler import TestScheduler
from ducktape.tests.status import FAIL
from ducktape.utils.plural import counted

POLL_SECONDS = 1.0  # longest wait between looks at the processes (waitpid catches what poll cannot)


class TestRunner:
    """Runs the session's tests, each in its own process, and collects their results."""

    __test__ = False

    def __init__(self, cluster: Any, session_context: Any, session_logger: logging.Logger, tests: list,
                 deflake_num: int = 1, *, reporters: list | None = None,
                 teardown_grace: float = watched.TEARDOWN_GRACE_SECONDS, after_test: AfterTestHooks | None = None) -> None:
        self.cluster = cluster
        self.session_context = session_context
        self.session_logger = session_logger
        self.deflake_num = max(1, deflake_num)
        self.after_test = after_test or AfterTestHooks()
        self.teardown_grace = teardown_grace
        self.max_parallel = max(1, int(session_context.max_parallel or 1))
        self.exit_first = bool(session_context.exit_first)
        self.liveness_seconds = session_context.test_runner_timeout / 1000.0
        self.heartbeat_interval = max(0.05, min(1.0, self.liveness_seconds / 4))
        self.client_status: dict = {}
        self.results = TestResults(session_context, cluster, client_status=self.client_status)
        results_dir = session_context.results_dir
        self.disk = DiskFull(os.path.dirname(results_dir), session_logger)
        self.disk.session_dir = results_dir
        self.reporting = Reporting(list(reporters or []), session_logger, self.disk)
        self.no_teardown = bool(session_context.no_teardown)
        self.process_tag = process_tag.new_session_tag()
        self.record = SessionRecord(os.path.dirname(results_dir), session_context.session_id, self.process_tag,
                                    session_logger)
        self.ignored = [ctx for ctx in tests if ctx.ignore]
        self.scheduler = TestScheduler([ctx for ctx in tests if not ctx.ignore], cluster)
        self.total_tests = len(tests)
        self.test_counter = 1
        self.active: dict[TestKey, ActiveTest] = {}
        self.exiting: dict[TestKey, ActiveTest] = {}  # reported, process not yet reaped
        self.stop_reason = ""
        self.interrupted = False
        self.signals = DriverSignals(self._log, self._on_first_signal)
        self._releasing: ActiveTest | None = None  # the test whose leftovers are being ended
        self._mp = multiprocessing.get_context("fork")
        self.watcher = watched.Watcher()
        self.no_process = NoProcessResults(session_context, session_logger, self._record, self._next_index,
                                           self._check_written)

    def _log(self, level: int, msg: str) -> None:
        self.session_logger.log(level, msg)

    # ---- the loop -------------------------------------------------------------------------

    @contextmanager
    def holding_signals(self) -> Iterator[None]:
        """Keep the Ctrl-C/SIGTERM handling in force around ``run_all_tests`` and the session
        reports after it (runner/signals.py); runner/session.py uses it."""
        with self.signals.holding_scope():
            yield

    def run_all_tests(self) -> TestResults:
        """Run every test; on a second Ctrl-C, kill what runs and return what finished."""
        self.results.start_time = time.time()
        self.signals.finishing = False
        previous = None if self.signals.holding else self.signals.install()
        self.record.open()
        try:
            self.no_process.ignored(self.ignored)
            self._report_unschedulable(self.scheduler.filter_unschedulable_tests())
            self._log(logging.INFO, f"running {counted(len(self.scheduler), 'test')} "
                                    f"(session {self.session_context.session_id}, up to {self.max_parallel} at once)")
            self._loop()
        except KeyboardInterrupt:
            self.interrupted = True
            self._log(logging.WARNING, "interrupted again: killing running tests")
            self._kill_all("the session was interrupted twice; the test was killed without teardown")
        except Exception as err:  # noqa: BLE001 - report what finished whatever broke
            self.interrupted = True
            self._log(logging.ERROR, f"internal error in the runner, killing running tests: {err!r}\n"
                                     + traceback.format_exc())
            self._kill_all(f"the runner failed ({err!r}); the test was killed without teardown")
        finally:
            self.record.close()
            self.results.not_started = [NotStarted.of(ctx) for ctx in self.scheduler.drain_remaining_tests()]
            self.signals.finishing = True
            if previous is not None:
                self.signals.restore(previous)
            self.results.stop_time = time.time()
        return self.results

    def _loop(self) -> None:
        while True:
            if not self.stop_reason:
                self._start_tests()
            if not self.active and not (self.exiting and len(self.scheduler) and not self.stop_reason):
                break  # (tests still exiting hold nodes the queued tests may be waiting for)
            self._wait_for_events()
            self._enforce_deadlines()
        self._reap_exiting(block=True)
        if self.stop_reason:
            self._log(logging.WARNING, f"stopped scheduling: {self.stop_reason}; "
                                       f"{counted(len(self.scheduler), 'test')} not run")

    def _start_tests(self) -> None:
        while len(self.active) < self.max_parallel:
            ctx = self.scheduler.peek()
            if ctx is None:
                if not self.active and not self.exiting and len(self.scheduler):
                    self._report_not_run("no test fits the healthy nodes left in the cluster")
                return
            size = len(self.cluster)
            try:
                nodes = self.cluster.alloc(ctx.expected_cluster_spec)
            except InsufficientResourcesError as err:
                self._log(logging.WARNING, f"cannot allocate nodes for {ctx.test_id} now: {err}")
                self._report_unschedulable(self.scheduler.filter_unschedulable_tests())
                if getattr(err, "bad_nodes", None) or len(self.cluster) < size:
                    continue  # the cluster dropped nodes (upstream's contract): offer what still fits
                if not self.active and not self.exiting and len(self.scheduler):
                    self._report_not_run(f"cannot allocate healthy nodes: {err}")
                return
            except Exception as err:  # noqa: BLE001 - one test's broken request must not end the session
                self.scheduler.remove(ctx)
                self.no_process.not_run([ctx], f"allocating its nodes failed: {err!r}")
                continue
            self.scheduler.remove(ctx)
            self._launch(ctx, nodes)

    def _launch(self, ctx: Any, nodes: list) -> None:
        index = self._next_index()
        if self.max_parallel > 1 and nodes and len(nodes) == len(self.cluster) and not has_cluster_size(ctx):
            self._log(logging.WARNING, f"Test {ctx.test_id} has no @cluster mark, so it holds the entire cluster "
                                       f"and runs alone; give it @cluster(num_nodes=...) to run it in parallel")
        reader, writer = self._mp.Pipe(duplex=False)
        timeout = ctx.timeout_seconds
        others = [reader, *(test.conn for test in [*self.active.values(), *self.exiting.values()])]
        predialled = self.cluster.take_predialled(nodes)
        args = (ctx, index, nodes, self.session_context, writer, others, self.deflake_num, timeout,
                self.heartbeat_interval, process_tag.tag_for(self.process_tag, index), predialled, self.after_test)
        self.record.before_use(nodes)
        process = self._mp.Process(target=run_test_process, args=args, name=f"ducktape-test-{index}")
        try:
            process.start()
        except BaseException:
            self._give_back_predialled(predialled)
            raise
        writer.close()
        now = time.time()
        test = ActiveTest(ctx, index, nodes, process, reader, now, timeout, last_heard=now, predialled=predialled)
        self.active[test.key] = test
        self.watcher.watch(test)
        self.client_status[test.key] = {"status": "RUNNING", "pid": process.pid, "name": process.name,
                                        "runner_start_time": now}
        self.reporting.test_started(ctx, index, watched.hostnames(nodes))
        if self.interrupted:
            os.kill(process.pid, signal.SIGINT)
        self._log(logging.DEBUG, f"started test {index} of {self.total_tests}: {ctx.test_id} "
                                 f"(pid {process.pid}, nodes {', '.join(watched.hostnames(nodes)) or '-'})")

    def _next_index(self) -> int:
        index, self.test_counter = self.test_counter, self.test_counter + 1
        return index

    # ---- events ---------------------------------------------------------------------------

    def _wait_for_events(self) -> None:
        """Wait until a pipe has events, a process exits or the next deadline; handle what came."""
        due = self._seconds_to_next_deadline()
        readable, exited = self.watcher.wait(POLL_SECONDS if due is None else min(due, POLL_SECONDS),
                                             [*self.active.values(), *self.exiting.values()])
        for test in readable:
            self._drain(test)
        for test in exited:
            self._on_exit(test)

    def _drain(self, test: ActiveTest) -> None:
        """Read every event waiting on *test*'s pipe."""
        while test.key in self.active and test.conn.poll():
            try:
                raw = test.conn.recv_bytes()
            except (EOFError, OSError):
                self.watcher.unwatch(test.conn.fileno())
                return
            try:
                self._handle(test, events.decode(raw))
            except events.EventError as err:
                self._log(logging.ERROR, f"test {test.index} ({test.context.test_id}) sent a bad event: {err}")

    def _handle(self, test: ActiveTest, event: dict) -> None:
        if not test.hear(event):
            return
        result = TestResult.from_json(event["result"], self.session_context)
        self._check_written(test.context.test_id, events.write_error(event))
        if event["interrupted"]:
            self.results.interrupted_ids.append(test.context.test_id)
            self.stop_reason = self.stop_reason or "a test was interrupted (Ctrl-C)"
        if test.unreachable:
            self._log(logging.ERROR, f"nodes unreachable after {test.context.test_id}: " + ", ".join(test.unreachable))
        self._finish(test, result)

    def _on_exit(self, test: ActiveTest) -> None:
        """*test*'s process has exited: reap it, free its nodes; without a result, that is a
        FAIL of its own."""
        test.reap(self.client_status[test.key])
        if test.key in self.active:
            self._drain(test)
        if test.key in self.active:
            watched.kill_group(test.process.pid)  # a child it forked must not re-apply what is healed next
            left = hooks.run_after_lost(self.after_test, self._ended(test), self.session_logger)
            self._finish(test, self._lost_result(test, left))
        if self.exiting.pop(test.key, None) is not None:
            self._release(test)
        self._forget(test)

    def _forget(self, test: ActiveTest) -> None:
        """Stop watching *test*; its process has exited: the connections dialled ahead for it
        go back to the cluster."""
        self._give_back_predialled(test.predialled)
        test.predialled = {}
        self.watcher.forget(test)

    def _give_back_predialled(self, predialled: dict) -> None:
        if predialled:
            self.cluster.give_back_predialled(predialled)

    def _ended(self, test: ActiveTest) -> hooks.EndedTest:
        reachable = tuple(node for node in test.nodes if node.account.hostname not in test.unreachable)
        return hooks.EndedTest(test.context.test_id, test.index, list(test.nodes), reachable,
                               process_tag.tag_for(self.process_tag, test.index), test.dirty, not self.no_teardown)

    def _lost_result(self, test: ActiveTest, faults: list[dict] | None = None) -> TestResult:
        """A FAIL for a test whose process ended without sending its result."""
        summary = test.lost_summary()
        self._log(logging.ERROR, f"{test.context.test_id}: {summary}")
        watched.append_to_test_log(test.context, test.index, summary)
        return self.no_process.write(test.context, test.index, FAIL, summary, test.start_time,
                                     nodes=test.nodes, nodes_used=len(test.nodes), faults=faults)

    def _finish(self, test: ActiveTest, result: TestResult) -> None:
        """Result recorded; the nodes go back to the pool once ``_on_exit`` has reaped the
        process (its one path, even when the process has already exited: the watcher sees it
        at once, and its exit status is noted)."""
        self.active.pop(test.key, None)
        test.result = result
        test.kill_at = time.time() + watched.EXIT_GRACE_SECONDS
        self.exiting[test.key] = test
        self._record(result)
        if self.exit_first and result.test_status == FAIL and not self.stop_reason:
            self.stop_reason = "--exit-first: a test failed"

    def _release(self, test: ActiveTest) -> None:
        """*test*'s process is gone: end what it may have left on its nodes, then free them.
        (Should a second Ctrl-C cut the search short, ``_kill_all`` searches again.)"""
        watched.kill_stragglers(test.process.pid)
        self._releasing = test
        ended, failed = hooks.run_after_exit(self.after_test, self._ended(test))  # what it left on its nodes
        self._releasing = None
        if ended:
            message = f"ended {counted(len(ended), 'process', 'processes')} the test left running: {'; '.join(ended)}"
            self._log(logging.WARNING, f"{test.context.test_id}: {message}")
            watched.append_to_test_log(test.context, test.index, message)
        for line in failed:
            self._log(logging.WARNING, f"{test.context.test_id}: cannot look for processes it left on {line}")
        self.cluster.free(test.nodes)

    def _record(self, result: TestResult) -> None:
        self.results.append(result)
        self._log(logging.DEBUG, f"{result.test_status.to_json()}: {result.test_id} (index {result.test_index})")
        self.reporting.test_finished(result)

    def _check_written(self, test_id: str, err: OSError | None) -> None:
        """Say why a result could not be written: once for a full disk, else once per test."""
        if err is not None and not self.disk.check([err]):
            self._log(logging.ERROR, f"cannot write the result of {test_id}: {err}")

    # ---- deadlines ------------------------------------------------------------------------

    def _seconds_to_next_deadline(self) -> float | None:
        tests = list(self.active.values()) + list(self.exiting.values())
        deadlines = [d for test in tests for d in test.deadlines(test.key in self.active, self.liveness_seconds)]
        return max(0.0, min(deadlines) - time.time()) if deadlines else None

    def _enforce_deadlines(self) -> None:
        now = time.time()
        for test in list(self.active.values()) + list(self.exiting.values()):
            due = test.overdue(now, test.key in self.active, self.liveness_seconds, self.teardown_grace)
            if due is None:
                continue
            if due[0]:
                self._stop_test(test, *due)
                continue
            self._log(logging.ERROR, f"killing test process {test.process.pid} ({test.context.test_id})")
            self.client_status[test.key]["status"] = "TERMINATED"
            watched.kill_group(test.process.pid)
            test.kill_at = None
            test.dirty = True

    def _stop_test(self, test: ActiveTest, reason: str, grace: float) -> None:
        """Ask *test* to stop (stack dump, then teardown); SIGKILL after *grace* seconds."""
        self._log(logging.ERROR, f"{test.context.test_id}: {reason} (in phase {test.phase}); stopping it")
        test.stop_reason = reason
        test.kill_at = time.time() + grace
        test.send(TIMEOUT_SIGNAL)

    def _reap_exiting(self, block: bool) -> None:
        while self.exiting and block:
            self._wait_for_events()
            self._enforce_deadlines()

    def _kill_all(self, reason: str) -> None:
        """SIGKILL every test process; tests without a result become FAIL with *reason*."""
        if self._releasing is not None:
            interrupted, self._releasing = self._releasing, None
            self._release(interrupted)
        for test in list(self.active.values()) + list(self.exiting.values()):
            watched.kill_group(test.process.pid)
            test.process.join()
            self.client_status[test.key].update(status="TERMINATED", exitcode=test.process.exitcode,
                                                runner_end_time=time.time())
            test.dirty = True
            if test.key in self.active:
                test.stop_reason = reason
                self.results.interrupted_ids.append(test.context.test_id)
                self._finish(test, self._lost_result(test))
            if self.exiting.pop(test.key, None) is not None:
                self._release(test)
            self._forget(test)

    # ---- tests that get no process (runner/no_process.py) ---------------------------------

    def _report_unschedulable(self, unschedulable: list) -> None:
        self.no_process.unschedulable(unschedulable, self.scheduler, self.cluster)

    def _report_not_run(self, reason: str) -> None:
        self.no_process.not_run(self.scheduler.drain_remaining_tests(), reason)

    # ---- signals (runner/signals.py) -----------------------------------------------------

    @property
    def late_signal(self) -> str:
        """Name of a signal received while the session reports were written ("" if none)."""
        return self.signals.late_signal

    def _on_first_signal(self, name: str) -> None:
        """First Ctrl-C/SIGTERM: stop scheduling, let running tests tear down."""
        self.interrupted = True
        self.stop_reason = f"received {name}"
        self._log(logging.WARNING, f"{self.stop_reason}: waiting for {len(self.active)} running tests "
                                   "to tear down (press Ctrl-C again to kill them)")
        for test in self.active.values():
            test.send(signal.SIGINT)


def has_cluster_size(ctx: Any) -> bool:
    """True when the test says how many nodes it needs (@cluster, or --default-num-nodes)."""
    metadata = getattr(ctx, "cluster_use_metadata", None) or {}
    return CLUSTER_SIZE_KEYWORD in metadata or CLUSTER_SPEC_KEYWORD in metadata
