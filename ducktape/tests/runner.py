"""The driver loop: start each test in its own process, watch it, record its result.

``TestRunner`` asks the scheduler which test fits the free nodes, allocates them, forks
a process running ``RunnerClient`` and listens to the events on its pipe. It notices a
test that exits without a result (at once, through the process sentinel), one that stops
beating (``--test-runner-timeout``) and one that overruns its per-test timeout, and turns
each into an ordinary FAIL whose nodes go back to the pool. Stop conditions (Ctrl-C,
SIGTERM, ``--exit-first``) are read at one point of the loop, between scheduling
decisions. Formatting output is the reporters' job.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import select
import signal
import time
import traceback
from collections import namedtuple
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ducktape.cluster import process_tag
from ducktape.cluster.finite_subcluster import FiniteSubcluster  # noqa: F401 - imported once here, not per test
from ducktape.cluster.node_container import InsufficientResourcesError
from ducktape.mark.consts import CLUSTER_SIZE_KEYWORD, CLUSTER_SPEC_KEYWORD
from ducktape.services.service_registry import ServiceRegistry  # noqa: F401 - likewise: every test process uses it
from ducktape.tests import events
from ducktape.tests.disk_full import DiskFull
from ducktape.tests.leftovers import LOCAL, SessionRecord, end_tagged, node_key
from ducktape.tests.reporters.base import notify
from ducktape.tests.result import NotStarted, TestResult, TestResults
from ducktape.tests.runner_client import TIMEOUT_SIGNAL, run_test_process
from ducktape.tests.scheduler import TestScheduler
from ducktape.tests.status import FAIL, IGNORE
from ducktape.trogdor.faults import heal_left
from ducktape.utils import proc
from ducktape.utils.plural import counted

TestKey = namedtuple("TestKey", ["test_id", "test_index"])

TEARDOWN_GRACE_SECONDS = 60.0  # after a timeout, how long teardown may take before SIGKILL
UNRESPONSIVE_GRACE_SECONDS = 5.0  # after a missed heartbeat, time for the stack dump
EXIT_GRACE_SECONDS = 30.0  # after FINISHED, how long the process may take to exit
POLL_SECONDS = 1.0  # longest wait between looks at the processes (waitpid catches what poll cannot)


@dataclass
class ActiveTest:
    """What the driver knows about one running test process."""

    context: Any
    index: int
    nodes: list
    process: Any
    conn: Any
    start_time: float
    timeout: float | None
    last_heard: float = 0.0
    phase: str = "starting"
    services: dict = field(default_factory=dict)
    result: Any = None
    stop_reason: str = ""
    kill_at: float | None = None
    dirty: bool = True  # may have left processes on its nodes; a clean FINISHED clears it
    unreachable: tuple = ()  # hostnames found dead after the test: nothing to look for there
    predialled: dict = field(default_factory=dict)  # hostname -> socket, the cluster's until the process exits

    key: TestKey = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.key = TestKey(self.context.test_id, self.index)

    def service_note(self) -> str:
        """Names of services the test registered, for messages about a lost test."""
        if not self.services:
            return ""
        names = "; ".join(f"{sid} on {', '.join(hosts) or 'no nodes'}" for sid, hosts in self.services.items())
        return f"\nServices that may still be running: {names}"


class TestRunner:
    """Runs the session's tests, each in its own process, and collects their results."""

    __test__ = False

    def __init__(self, cluster: Any, session_context: Any, session_logger: logging.Logger, tests: list,
                 deflake_num: int = 1, *, reporters: list | None = None,
                 teardown_grace: float = TEARDOWN_GRACE_SECONDS) -> None:
        self.cluster = cluster
        self.session_context = session_context
        self.session_logger = session_logger
        self.deflake_num = max(1, deflake_num)
        self.reporters = list(reporters or [])
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
        self._signals_seen = 0
        self._holding = False  # holding_signals() is active
        self._finishing = False  # the tests are over; the session is writing its reports
        self._late_signals = 0
        self.late_signal = ""  # name of a signal received while the session reports were written
        self._releasing: ActiveTest | None = None  # the test whose leftovers are being ended
        self._mp = multiprocessing.get_context("fork")
        self._poller = select.poll()
        self._watched: dict[int, ActiveTest] = {}  # fd -> test, for pipes and process sentinels

    def _log(self, level: int, msg: str) -> None:
        self.session_logger.log(level, msg)

    # ---- the loop -------------------------------------------------------------------------

    @contextmanager
    def holding_signals(self) -> Iterator[None]:
        """Keep the session's Ctrl-C/SIGTERM handling in force around ``run_all_tests`` and what
        follows it (the session reports): there a signal is noted, not raised, unless it is the
        third one, so a single or double Ctrl-C just after the last test still leaves every report."""
        previous = self._install_signal_handlers()
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
            self._restore_signal_handlers(previous)

    def run_all_tests(self) -> TestResults:
        """Run every test; on a second Ctrl-C, kill what runs and return what finished."""
        self.results.start_time = time.time()
        self._finishing = False
        previous = None if self._holding else self._install_signal_handlers()
        self.record.open()
        try:
            self._report_ignored()
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
            self._finishing = True
            if previous is not None:
                self._restore_signal_handlers(previous)
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
                summary = f"Test not run: allocating its nodes failed: {err!r}"
                self._log(logging.ERROR, f"{ctx.test_id}: {summary}")
                self._record(self._write_result(ctx, self._next_index(), FAIL, summary, time.time()))
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
                self.heartbeat_interval, process_tag.tag_for(self.process_tag, index), predialled)
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
        self._watch(reader.fileno(), test)
        self._watch(process.sentinel, test)
        self.client_status[test.key] = {"status": "RUNNING", "pid": process.pid, "name": process.name,
                                        "runner_start_time": now}
        notify(self.reporters, "test_started", ctx, index, nodes=_hostnames(nodes), logger=self.session_logger)
        if self.interrupted:
            os.kill(process.pid, signal.SIGINT)
        self._log(logging.DEBUG, f"started test {index} of {self.total_tests}: {ctx.test_id} "
                                 f"(pid {process.pid}, nodes {', '.join(_hostnames(nodes)) or '-'})")

    def _next_index(self) -> int:
        index, self.test_counter = self.test_counter, self.test_counter + 1
        return index

    # ---- events ---------------------------------------------------------------------------

    def _watch(self, fd: int, test: ActiveTest) -> None:
        self._watched[fd] = test
        self._poller.register(fd, select.POLLIN)

    def _unwatch(self, fd: int) -> None:
        if self._watched.pop(fd, None) is not None:
            self._poller.unregister(fd)

    def _wait_for_events(self) -> None:
        """Wait until a pipe has events, a process exits or the next deadline; handle what came."""
        due = self._seconds_to_next_deadline()
        timeout = POLL_SECONDS if due is None else min(due, POLL_SECONDS)
        ready = [fd for fd, _ in self._poller.poll(timeout * 1000)]
        exited = [self._watched[fd] for fd in ready if fd in self._watched
                  and fd == self._watched[fd].process.sentinel]
        # a process whose own child inherited its sentinel is noticed by waitpid instead
        exited += [test for test in [*self.active.values(), *self.exiting.values()]
                   if all(test is not known for known in exited) and test.process.exitcode is not None]
        for fd in ready:
            test = self._watched.get(fd)
            if test is not None and fd != test.process.sentinel:
                self._drain(test)
        for test in exited:
            self._on_exit(test)

    def _drain(self, test: ActiveTest) -> None:
        """Read every event waiting on *test*'s pipe."""
        while test.key in self.active and test.conn.poll():
            try:
                raw = test.conn.recv_bytes()
            except (EOFError, OSError):
                self._unwatch(test.conn.fileno())
                return
            try:
                self._handle(test, events.decode(raw))
            except events.EventError as err:
                self._log(logging.ERROR, f"test {test.index} ({test.context.test_id}) sent a bad event: {err}")

    def _handle(self, test: ActiveTest, event: dict) -> None:
        test.last_heard = time.time()
        kind = event["event"]
        if kind == events.PHASE:
            test.phase = event["phase"]
        elif kind == events.SERVICE:
            test.services[event["service_id"]] = event["nodes"]
        elif kind == events.FINISHED:
            result = TestResult.from_json(event["result"], self.session_context)
            self._check_written(test.context.test_id, events.write_error(event))
            if event["interrupted"]:
                self.results.interrupted_ids.append(test.context.test_id)
                self.stop_reason = self.stop_reason or "a test was interrupted (Ctrl-C)"
            test.dirty = bool(event.get("dirty"))
            test.unreachable = tuple(event["unreachable"])
            if event["unreachable"]:
                self._log(logging.ERROR, f"nodes unreachable after {test.context.test_id}: "
                                         + ", ".join(event["unreachable"]))
            self._finish(test, result)

    def _on_exit(self, test: ActiveTest) -> None:
        """*test*'s process has exited: reap it, free its nodes; without a result, that is a
        FAIL of its own."""
        test.process.join()
        status = self.client_status[test.key]
        status.update(exitcode=test.process.exitcode, runner_end_time=time.time())
        status.setdefault("status", "FINISHED")
        if status["status"] == "RUNNING":
            status["status"] = "FINISHED"
        if test.key in self.active:
            self._drain(test)
        if test.key in self.active:
            _kill_group(test.process.pid)  # a child it forked must not re-apply what is healed next
            left = self._heal_faults_left(test)
            self._finish(test, self._lost_result(test, left))
        elif self.exiting.pop(test.key, None) is not None:
            self._release(test)
        self._forget(test)

    def _forget(self, test: ActiveTest) -> None:
        """Stop watching *test*'s pipe and process; close the pipe. The process has exited:
        the connections dialled ahead for it go back to the cluster."""
        self._give_back_predialled(test.predialled)
        test.predialled = {}
        if not test.conn.closed:
            self._unwatch(test.conn.fileno())
            test.conn.close()
        self._unwatch(test.process.sentinel)

    def _give_back_predialled(self, predialled: dict) -> None:
        if predialled:
            self.cluster.give_back_predialled(predialled)

    def _heal_faults_left(self, test: ActiveTest) -> list[dict]:
        """A test process that died cannot heal its faults: undo them from the nodes' ledgers.
        Returns them as fault records for the test's result."""
        left = heal_left(test.nodes)
        for record in left:
            problems = record.get("heal_problems")
            record["detail"]["healed_by"] = "the runner, after the test process died"
            self._log(logging.ERROR if problems else logging.WARNING,
                      f"{test.context.test_id}: fault {record['task_id']} left on {', '.join(record['nodes'])} "
                      "by the dead test process " + ("NOT healed: " + "; ".join(problems) if problems else "healed"))
        return left

    def _lost_result(self, test: ActiveTest, faults: list[dict] | None = None) -> TestResult:
        """A FAIL for a test whose process ended without sending its result."""
        code = test.process.exitcode
        if test.stop_reason:
            why = f"{test.stop_reason}, and its process was killed before it reported a result"
        elif code is not None and code < 0:
            why = f"Test process was killed by signal {signal.Signals(-code).name} before it reported a result"
        else:
            why = f"Test process exited with status {code} before it reported a result"
        summary = f"{why} (last phase: {test.phase}).{test.service_note()}"
        self._log(logging.ERROR, f"{test.context.test_id}: {summary}")
        _append_to_test_log(test.context, test.index, summary)
        return self._write_result(test.context, test.index, FAIL, summary, test.start_time,
                                  nodes=test.nodes, nodes_used=len(test.nodes), faults=faults)

    def _finish(self, test: ActiveTest, result: TestResult) -> None:
        """Result recorded; the nodes go back to the pool once the process has exited."""
        self.active.pop(test.key, None)
        test.result = result
        test.kill_at = time.time() + EXIT_GRACE_SECONDS
        if test.process.exitcode is None:
            self.exiting[test.key] = test
        else:
            self._release(test)
        self._record(result)
        if self.exit_first and result.test_status == FAIL and not self.stop_reason:
            self.stop_reason = "--exit-first: a test failed"

    def _release(self, test: ActiveTest) -> None:
        """*test*'s process is gone: end what it may have left on its nodes, then free them.
        (Should a second Ctrl-C cut the search short, ``_kill_all`` searches again.)"""
        _kill_stragglers(test.process.pid)
        reachable = [node for node in test.nodes if node.account.hostname not in test.unreachable]
        tag = process_tag.tag_for(self.process_tag, test.index)
        search = reachable if not self.no_teardown else []
        ended, failed = [], []
        if search and test.dirty:
            self._releasing = test
            ended, failed = end_tagged(search, process_tag.tag_pattern(tag))
            self._releasing = None
        elif any(node_key(node) == LOCAL for node in search):  # the embedded cluster: even a clean
            # test's double-forked daemons left its process group; a /proc scan here finds them
            ended = [f"{LOCAL}: {line}" for line in proc.end_with_environ_entry(f"{process_tag.TAG_VARIABLE}={tag}")]
        if ended:
            message = f"ended {counted(len(ended), 'process', 'processes')} the test left running: {'; '.join(ended)}"
            self._log(logging.WARNING, f"{test.context.test_id}: {message}")
            _append_to_test_log(test.context, test.index, message)
        for line in failed:
            self._log(logging.WARNING, f"{test.context.test_id}: cannot look for processes it left on {line}")
        self.cluster.free(test.nodes)

    def _record(self, result: TestResult) -> None:
        self.results.append(result)
        self._log(logging.DEBUG, f"{result.test_status.to_json()}: {result.test_id} (index {result.test_index})")
        self.disk.check(notify(self.reporters, "test_finished", result, logger=self.session_logger))

    def _check_written(self, test_id: str, err: OSError | None) -> None:
        """Say why a result could not be written: once for a full disk, else once per test."""
        if err is not None and not self.disk.check([err]):
            self._log(logging.ERROR, f"cannot write the result of {test_id}: {err}")

    # ---- deadlines ------------------------------------------------------------------------

    def _deadlines(self, test: ActiveTest) -> list[float]:
        if test.key not in self.active:
            return [test.kill_at] if test.kill_at else []
        if test.stop_reason:
            return [test.kill_at] if test.kill_at else []
        found = [test.last_heard + self.liveness_seconds]
        if test.timeout:
            found.append(test.start_time + test.timeout)
        return found

    def _seconds_to_next_deadline(self) -> float | None:
        tests = list(self.active.values()) + list(self.exiting.values())
        deadlines = [d for test in tests for d in self._deadlines(test)]
        return max(0.0, min(deadlines) - time.time()) if deadlines else None

    def _enforce_deadlines(self) -> None:
        now = time.time()
        for test in list(self.active.values()) + list(self.exiting.values()):
            if test.kill_at and now >= test.kill_at:
                self._log(logging.ERROR, f"killing test process {test.process.pid} ({test.context.test_id})")
                self.client_status[test.key]["status"] = "TERMINATED"
                _kill_group(test.process.pid)
                test.kill_at = None
                test.dirty = True
            elif test.key not in self.active or test.stop_reason:
                continue
            elif test.timeout and now >= test.start_time + test.timeout:
                self._stop_test(test, f"Test timed out after {test.timeout:g} seconds", self.teardown_grace)
            elif now >= test.last_heard + self.liveness_seconds:
                reason = (f"No message from the test process for {self.liveness_seconds:g} seconds "
                          "(--test-runner-timeout)")
                self._stop_test(test, reason, min(UNRESPONSIVE_GRACE_SECONDS, self.liveness_seconds))

    def _stop_test(self, test: ActiveTest, reason: str, grace: float) -> None:
        """Ask *test* to stop (stack dump, then teardown); SIGKILL after *grace* seconds."""
        self._log(logging.ERROR, f"{test.context.test_id}: {reason} (in phase {test.phase}); stopping it")
        test.stop_reason = reason
        test.kill_at = time.time() + grace
        try:
            os.kill(test.process.pid, TIMEOUT_SIGNAL)
        except ProcessLookupError:
            pass

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
            _kill_group(test.process.pid)
            test.process.join()
            self.client_status[test.key].update(status="TERMINATED", exitcode=test.process.exitcode,
                                                runner_end_time=time.time())
            test.dirty = True
            if test.key in self.active:
                test.stop_reason = reason
                self.results.interrupted_ids.append(test.context.test_id)
                self._finish(test, self._lost_result(test))
            elif self.exiting.pop(test.key, None) is not None:
                self._release(test)
            self._forget(test)

    # ---- tests that get no process --------------------------------------------------------

    def _write_result(self, ctx: Any, index: int, status: Any, summary: str, start: float,
                      nodes: list | None = None, nodes_used: int = 0,
                      nodes_allocated: int | None = None, faults: list[dict] | None = None) -> TestResult:
        nodes = nodes or []
        if nodes_allocated is None:
            nodes_allocated = len(nodes) if nodes else _expected_nodes(ctx)
        result = TestResult(ctx, index, self.session_context, status, summary, None, start, time.time(),
                            nodes_allocated=nodes_allocated, nodes_used=nodes_used, services=[])
        result.nodes = _hostnames(nodes)
        result.faults = faults or []
        try:
            result.report()
        except OSError as err:
            self._check_written(ctx.test_id, err)
        return result

    def _report_ignored(self) -> None:
        for ctx in self.ignored:
            # an ignored test takes no nodes: say so in its own report.json too
            self._record(self._write_result(ctx, self._next_index(), IGNORE, "", time.time(), nodes_allocated=0))

    def _report_unschedulable(self, unschedulable: list) -> None:
        if unschedulable:
            self._log(logging.ERROR, f"{counted(len(unschedulable), 'test')} cannot run: the cluster is too small for them")
        for ctx in unschedulable:
            summary = (f"Test {ctx.test_id} requires more resources than are available in the whole cluster. "
                       f"{self.scheduler.shortage(ctx)}{_parked_note(self.cluster)}")
            self._log(logging.ERROR, summary)
            self._record(self._write_result(ctx, self._next_index(), FAIL, summary, time.time()))

    def _report_not_run(self, reason: str) -> None:
        for ctx in self.scheduler.drain_remaining_tests():
            summary = f"Test not run: {reason}"
            self._log(logging.ERROR, f"{ctx.test_id}: {summary}")
            self._record(self._write_result(ctx, self._next_index(), FAIL, summary, time.time()))

    # ---- signals --------------------------------------------------------------------------

    def _install_signal_handlers(self) -> dict:
        self._driver_pid = os.getpid()
        previous = {}
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, self._on_signal)
        return previous

    @staticmethod
    def _restore_signal_handlers(previous: dict) -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    def _on_signal(self, signum: int, frame: Any) -> None:
        """First Ctrl-C/SIGTERM: stop scheduling, let running tests tear down. Second: give up."""
        if os.getpid() != self._driver_pid:
            raise KeyboardInterrupt
        if self._finishing:
            self._on_late_signal(signum)
            return
        self._signals_seen += 1
        if self._signals_seen > 1:
            for signum_ in (signal.SIGINT, signal.SIGTERM):  # a third one must not cut the kill short
                signal.signal(signum_, signal.SIG_IGN)
            raise KeyboardInterrupt
        self.interrupted = True
        self.stop_reason = f"received {signal.Signals(signum).name}"
        self._log(logging.WARNING, f"{self.stop_reason}: waiting for {len(self.active)} running tests "
                                   "to tear down (press Ctrl-C again to kill them)")
        for test in self.active.values():
            try:
                os.kill(test.process.pid, signal.SIGINT)
            except ProcessLookupError:
                pass

    def _on_late_signal(self, signum: int) -> None:
        """A signal after the last test: the reports take a moment, and losing them would lose
        the run; the third such signal gives up (each report file is replaced in one step)."""
        self._late_signals += 1
        self.late_signal = signal.Signals(signum).name
        self._log(logging.DEBUG, f"late signal {self._late_signals} of 3: {signal.Signals(signum).name}")
        if self._late_signals >= 3:
            raise KeyboardInterrupt
        if self._late_signals == 1:
            self._log(logging.WARNING, f"received {signal.Signals(signum).name} while writing the session reports: "
                                       "finishing them first (press Ctrl-C twice more to abort)")


def _parked_note(cluster: Any) -> str:
    """Which nodes the cluster parked after a failed health check, and why ("" if none)."""
    parked = cluster.parked()
    if not parked:
        return ""
    return "Parked after failing a health check: " + "; ".join(f"{host} ({why})" for host, why in parked.items())


def _hostnames(nodes: list) -> list[str]:
    return [node.account.hostname for node in nodes]


def has_cluster_size(ctx: Any) -> bool:
    """True when the test says how many nodes it needs (@cluster, or --default-num-nodes)."""
    metadata = getattr(ctx, "cluster_use_metadata", None) or {}
    return CLUSTER_SIZE_KEYWORD in metadata or CLUSTER_SPEC_KEYWORD in metadata


def _expected_nodes(ctx: Any) -> int:
    try:
        return ctx.expected_num_nodes
    except Exception:  # noqa: BLE001 - a broken spec must not stop the report of the test
        return 0


def _append_to_test_log(ctx: Any, index: int, message: str) -> None:
    """Say in the test's own log why it ended, when its process could not."""
    from ducktape.tests.test_context import TestContext

    path = os.path.join(TestContext.results_dir(ctx, index), "test_log.info")
    if os.path.exists(path):
        with open(path, "a") as log:
            log.write(f"[ERROR - {time.strftime('%Y-%m-%d %H:%M:%S')} - runner]: {message}\n")


def _kill_stragglers(pgid: int, wait: float = 2.0) -> None:
    """SIGKILL what is left of an exited test process's group (a child it forked, a local
    process it started; the group outlives its leader while any member does), and wait a
    moment until they are gone, so the next test on its nodes never meets them."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return  # the usual case: nothing left
    proc.wait_while(lambda: proc.group_running(pgid), wait)


def _kill_group(pid: int) -> None:
    """SIGKILL a test process and whatever it started locally (it leads its own group)."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
