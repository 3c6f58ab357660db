"""The test process (upstream's ``RunnerClient``): run one test, tear it down, report it.

The driver forks one process per test (runner/fork_safety.py prepares it); the child
inherits the expanded TestContext (nothing is re-discovered), runs setUp, the test method
and the teardown steps, each through ``PhaseOutcome.capture`` (runner/outcome.py), writes
the result to disk, then sends it up the pipe (runner/channel.py). A heartbeat thread tells
the driver the process is alive. Scheduling, timeouts and reporting belong to the driver
(runner/driver.py); what else a teardown does comes from the hook list (runner/hooks.py).
"""
from __future__ import annotations

import faulthandler
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from ducktape.checkers.result import verdict
from ducktape.cluster.process_tag import current_tag
from ducktape.tests import events
from ducktape.tests.attempts import AttemptFiles
from ducktape.tests.history_view import history_view
from ducktape.tests.runner.channel import EventChannel, beat
from ducktape.tests.runner.hooks import AfterTestHooks
from ducktape.tests.runner.outcome import (
    PhaseOutcome,
    TestTimedOut,
    merge_run_summaries,
)
from ducktape.tests.runner.signals import TIMEOUT_SIGNAL
from ducktape.tests.status import FAIL, FLAKY, OFAIL, OPASS, PASS, TestStatus
from ducktape.tests.still_running import still_running, still_running_warning
from ducktape.utils import proc
from ducktape.utils.plural import counted


def _terminate_children(logger: logging.Logger) -> None:
    """SIGTERM processes this test process started and left running."""
    for pid in proc.children():
        logger.warning("process %d did not terminate on its own, sending SIGTERM", pid)
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass


def subcluster_hostnames(cluster: Any) -> list[str]:
    """Hostnames of the nodes a test's subcluster holds."""
    return [node.account.hostname for node in getattr(cluster, "nodes", [])]


_PHASE_LOG = {"construct": "Instantiating the test...", "setUp": "Setting up...", "test": "Running..."}


class RunnerClient:
    """Runs one test in this (forked) process and reports it to the driver over *conn*."""

    def __init__(self, test_context: Any, test_index: int, session_context: Any, conn: Any,
                 deflake_num: int = 1, timeout_seconds: float | None = None,
                 heartbeat_interval: float = 1.0, hooks: AfterTestHooks | None = None) -> None:
        self.test_context = test_context
        self.test_index = test_index
        self.session_context = session_context
        self.channel = EventChannel(conn)
        self.deflake_num = max(1, deflake_num)
        self.timeout_seconds = timeout_seconds
        self.heartbeat_interval = heartbeat_interval
        self.hooks = hooks or AfterTestHooks()
        self.no_teardown = bool(session_context.no_teardown)
        self.test: Any = None
        self._timed_out = False
        self._interrupt_seen = False  # Ctrl-C (or SIGTERM) reached this process
        self._raising = False  # inside a captured phase or step: signals may raise there
        self._pending: BaseException | None = None  # a signal that arrived outside one
        self._all_services: list = []
        self._teardown_failed = False  # stopping or cleaning a service failed: processes may be left
        self._left_running: list[str] = []  # "<host>: <pid> <command>" found after a teardown
        self._current_run = 1
        self._watched_registries: list = []
        self._dump_file: Any = None

    @property
    def logger(self) -> logging.Logger:
        return self.test_context.logger

    def log(self, level: int, msg: str) -> None:
        self.logger.log(level, "RunnerClient: %s: %s", self.test_context.test_id, msg)

    def run(self) -> None:
        """Run the test (with deflake retries), write its result, send it, clean up."""
        from ducktape.tests.test_context import TestContext

        os.makedirs(TestContext.results_dir(self.test_context, self.test_index), exist_ok=True)
        self._install_signal_handlers()
        self.channel.send(events.started(os.getpid()))
        stop = threading.Event()
        threading.Thread(target=beat, args=(self.channel, self.heartbeat_interval, stop),
                         name="ducktape-heartbeat", daemon=True).start()
        try:
            result, interrupted = self._run_with_deflake()
            unreachable = self._unreachable_nodes() if result.test_status == FAIL else []
            if unreachable:
                result.summary += "\n\nnode(s) unreachable after the test: " + ", ".join(unreachable)
            write_error = self._write(result)
            dirty = self._teardown_failed or self._timed_out or self._interrupt_seen
            self.channel.send(events.finished(result.to_json(), interrupted, unreachable, write_error, dirty))
            if self.channel.lost:  # the driver was killed: no one else will end what the test left
                self._end_own_leftovers(unreachable)
        finally:
            stop.set()
            _terminate_children(self.logger)
            self._close_node_connections()
            self.test_context.close()

    def _close_node_connections(self) -> None:
        """Close this process's connections to its nodes (through the session's multiplexer,
        their idle shells go back to it for the next test on the node)."""
        for node in getattr(self.test_context.cluster, "nodes", []):
            try:
                node.account.close()
            except Exception as err:  # noqa: BLE001 - the process exits next: its sockets close anyway
                self.log(logging.DEBUG, f"closing the connection to {node.account.hostname}: {err!r}")

    def _end_own_leftovers(self, unreachable: list[str]) -> None:
        """Do what the driver does after a test that ended badly: end this test's tagged processes."""
        from ducktape.tests.leftovers import end_own_tagged

        if self.no_teardown:
            return
        nodes = [n for n in getattr(self.test_context.cluster, "nodes", []) if n.account.hostname not in unreachable]
        ended, failed = end_own_tagged(nodes)
        if ended:
            self.log(logging.WARNING, f"the driver is gone: ended {counted(len(ended), 'process', 'processes')} "
                                      f"the test left running: {'; '.join(ended)}")
        for line in failed:
            self.log(logging.WARNING, f"the driver is gone: cannot look for processes the test left on {line}")

    def _install_signal_handlers(self) -> None:
        """Ctrl-C and SIGTERM raise KeyboardInterrupt; the timeout signal dumps every thread's
        stack into the test log (even when Python code cannot run) and raises TestTimedOut."""
        from ducktape.tests.test_context import TestContext

        signal.signal(signal.SIGINT, self._on_interrupt)
        signal.signal(signal.SIGTERM, self._on_interrupt)
        signal.signal(TIMEOUT_SIGNAL, self._on_timeout)
        log_path = os.path.join(TestContext.results_dir(self.test_context, self.test_index), "test_log.info")
        self._dump_file = open(log_path, "a")  # noqa: SIM115 - faulthandler keeps the fd until exit
        faulthandler.register(TIMEOUT_SIGNAL, file=self._dump_file, all_threads=True, chain=True)

    def _on_interrupt(self, signum: int, frame: Any) -> None:
        self._interrupt_seen = True
        self._deliver(KeyboardInterrupt(f"received {signal.Signals(signum).name}"))

    def _on_timeout(self, signum: int, frame: Any) -> None:
        if self._timed_out:
            return
        self._timed_out = True
        self.log(logging.ERROR, "timed out; the stack of every thread was written to test_log.info")
        limit = f" of {self.timeout_seconds:g} seconds" if self.timeout_seconds else ""
        self._deliver(TestTimedOut(f"test exceeded its timeout{limit}; the stack of every thread is in test_log.info"))

    def _deliver(self, err: BaseException) -> None:
        """Raise *err* into the running phase or step; between them, keep it for the next phase,
        so a signal never escapes the runner's own bookkeeping."""
        if self._raising:
            raise err
        if self._pending is None:
            self._pending = err

    def _capture(self, name: str, fn: Callable[[], Any]) -> PhaseOutcome:
        """PhaseOutcome.capture with signals allowed to raise while *fn* runs."""
        def guarded() -> Any:
            self._raising = True
            try:
                return fn()
            finally:
                self._raising = False
        return PhaseOutcome.capture(name, guarded)

    def _run_with_deflake(self) -> tuple[Any, bool]:
        """Up to ``deflake_num`` runs while the test fails; returns (TestResult, interrupted)."""
        from ducktape.tests.result import TestResult
        from ducktape.tests.test_context import TestContext

        summaries: list[list[str]] = []
        status, data, start, num_runs = FAIL, None, time.time(), 0
        test_dir = TestContext.results_dir(self.test_context, self.test_index)
        while status == FAIL and num_runs < self.deflake_num and not self._interrupt_seen and not self._timed_out:
            num_runs += 1
            files = AttemptFiles(test_dir) if self.deflake_num > 1 else None  # attempt-<n>/ under --deflake
            self.log(logging.INFO, f"on run {num_runs}/{self.deflake_num}")
            start = time.time()
            status, lines, data = self._run_once(num_runs)
            if lines:
                summaries.append(lines)
            if status == PASS and num_runs > 1:
                status = FLAKY
            self.log(logging.INFO, str(status.to_json()) + (": " + "\n".join(lines) if lines else ""))
            if files is not None:
                self._step("keep the attempt's logs", lambda: files.keep(num_runs))  # noqa: B023 - called at once
        summary = merge_run_summaries(summaries, status, num_runs)
        if self._left_running:
            summary = [*summary, "", still_running_warning(self._left_running)]
        status, summary = self._check_cluster_utilization(status, summary)
        if getattr(self.test_context, "ok_to_fail", False) and status in (PASS, FAIL):
            status = OPASS if status == PASS else OFAIL
        self._report_all_services()
        result = TestResult(self.test_context, self.test_index, self.session_context, status,
                            "\n".join(summary), data, start, time.time())
        result.nodes = subcluster_hostnames(self.test_context.cluster)
        for decorate in self.hooks.decorate_result:
            self._step("add to the result", lambda decorate=decorate: decorate(result))
        view = PhaseOutcome.capture("history", lambda: history_view(result.results_dir, data, start))
        result.history = view.value if view.ok else {"error": "\n".join(view.summary_lines()[:1])}
        return result, self._interrupt_seen

    def _run_once(self, run: int) -> tuple[TestStatus, list[str], Any]:
        """One run: construct, setUp, the test method, then every teardown step.
        Returns (status, summary lines, data)."""
        ctx = self.test_context
        self._watch_services(ctx.services, run)
        outcome = self._phase("construct", lambda: ctx.cls(ctx))
        self.test = outcome.value
        if outcome.ok:
            outcome = self._phase("setUp", self.test.setup)
            if outcome.ok:
                outcome = self._phase("test", lambda: ctx.function(self.test))
        status = PASS if outcome.ok else FAIL
        lines = outcome.summary_lines()
        judged = verdict(outcome.value) if outcome.ok else None
        if judged is not None:
            status, lines = self._judge(*judged)
        self._teardown(status)
        self._name_processes_left()
        errors = PhaseOutcome.capture("service errors", ctx.services.errors)
        if errors.ok and errors.value:
            lines.extend(["", "", str(errors.value)])
        self._step("free nodes", ctx.services.free_all)
        return status, lines, outcome.value if outcome.ok else None

    def _judge(self, valid: bool | None, summary: str) -> tuple[TestStatus, list[str]]:
        """The status a checker result in the test's data gives: False fails the test with the
        checker's summary; None (undecided) passes, and says so in the log and the summary."""
        self.log(logging.INFO, f"checker: {summary}")
        if valid is False:
            return FAIL, [summary]
        return PASS, [] if valid else [f"checker undecided: {summary}"]

    def _phase(self, name: str, fn: Callable[[], Any]) -> PhaseOutcome:
        """A phase of the test itself; a signal kept since the last phase ends it unrun."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            return PhaseOutcome(name, error=pending)
        self.channel.send(events.phase(name))
        self.log(logging.INFO, _PHASE_LOG.get(name, f"{name}..."))
        return self._capture(name, fn)

    def _step(self, name: str, fn: Callable[[], Any]) -> PhaseOutcome:
        """A teardown step: always run; its failure is logged and never changes the status."""
        outcome = self._capture(name, fn)
        if not outcome.ok:
            self.log(logging.WARNING, f"error in {name} (ignored): " + "\n".join(outcome.summary_lines()))
        return outcome

    def _teardown(self, status: TestStatus) -> None:
        """The hooks' first steps (healing faults), tearDown, stop services, collect logs, clean
        services; each step isolated."""
        services = self.test_context.services
        test = self.test
        # hooks first, whatever the flags: services stop and logs copy over a healthy network
        steps: list[tuple[str, Callable[[], Any]]] = list(self.hooks.before_teardown)
        if not self.no_teardown:
            if test is not None:
                steps.append(("tearDown", test.teardown))
            steps.append(("stop services", services.stop_all))
        if test is not None:
            steps.append(("collect logs", lambda: test.copy_service_logs(status)))
        if not self.no_teardown:
            steps.append(("clean services", services.clean_all))
        self.channel.send(events.phase("teardown"))
        self.log(logging.INFO, "Tearing down...")
        for name, fn in steps:
            outcome = self._step(name, fn)
            if name in ("stop services", "clean services") and (not outcome.ok or outcome.value):
                self._teardown_failed = True

    def _name_processes_left(self) -> None:
        """Processes of this test still running after its services were stopped and cleaned:
        named in a warning of the summary; the runner ends them (the test counts as dirty)."""
        tag = current_tag()
        if self.no_teardown or tag is None or not any(True for _ in self.test_context.services):
            return  # nothing to look for without services (and a no-op test stays as fast)
        outcome = self._capture("find processes left", lambda: still_running(
            list(getattr(self.test_context.cluster, "nodes", [])), tag))
        if outcome.ok and outcome.value:
            self.log(logging.WARNING, "processes left running after the test: " + "; ".join(outcome.value))
            self._left_running.extend(outcome.value)
            self._teardown_failed = True  # so the runner ends them before the nodes are used again

    def _watch_services(self, registry: Any, run: int) -> None:
        """Report each service as it registers, so the driver can name what may be left running."""
        self._current_run = run  # read at registration: one listener serves every deflake run
        if any(watched is registry for watched in self._watched_registries):
            return
        self._watched_registries.append(registry)
        registry.add_listener(lambda service: self._on_service(service, self._current_run))

    def _on_service(self, service: Any, run: int) -> None:
        if self.deflake_num > 1:
            from ducktape.services.service import MultiRunServiceIdFactory

            service.service_id_factory = MultiRunServiceIdFactory(run)
        self._all_services.append(service)
        hosts = [node.account.hostname for node in getattr(service, "nodes", [])]
        self.channel.send(events.service(str(service.service_id), hosts))

    def _report_all_services(self) -> None:
        """Let the result list every service of every run (the registry is empty by now)."""
        from ducktape.services.service_registry import ServiceRegistry

        registry = ServiceRegistry()
        for service in self._all_services:
            registry.append(service)
        self.test_context.services = registry

    def _check_cluster_utilization(self, status: TestStatus, summary: list[str]) -> tuple[TestStatus, list[str]]:
        """Warn (or, with --fail-bad-cluster-utilization, fail a passing test) when the test
        used fewer nodes than it reserved."""
        cluster = self.test_context.cluster
        total, used = len(cluster), cluster.max_used()
        if used >= total:
            return status, summary
        message = f"Test requested {counted(total, 'node')}, used only {used}"
        if self.session_context.fail_bad_cluster_utilization and status != FAIL:
            self.log(logging.INFO, "FAIL: " + message)
            return FAIL, [message]
        self.log(logging.WARNING, message)
        return status, summary

    def _unreachable_nodes(self) -> list[str]:
        """Hostnames of this test's nodes that no longer answer a health check."""
        dead = []
        for node in getattr(self.test_context.cluster, "nodes", []):
            check = PhaseOutcome.capture("health check", node.account.available)
            if not check.ok or not check.value:
                dead.append(node.account.hostname)
        return dead

    def _write(self, result: Any) -> OSError | None:
        """Write the result files. Data that cannot be saved fails the test instead of losing it;
        a file system that cannot take them (full, read-only) is no failure of the test: the
        error is returned for the driver, which holds the result and says it once."""
        written = PhaseOutcome.capture("write result", result.report)
        if written.ok:
            return None
        if isinstance(written.error, OSError):
            self.log(logging.DEBUG, f"cannot write the result: {written.error!r}")
            return written.error
        self.log(logging.ERROR, "cannot write the result: " + "\n".join(written.summary_lines()))
        result.test_status = FAIL
        result.summary += f"\n\ncannot write the test's result (is its return value JSON-able?): {written.error!r}"
        result.data = None
        rewritten = self._step("write result", result.report)
        return rewritten.error if isinstance(rewritten.error, OSError) else None
