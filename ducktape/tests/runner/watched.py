"""One test process's life as the driver sees it: what it knows, how it kills and reaps.

``ActiveTest`` is the driver's record of a forked test process, from fork to reap; the
functions end a process and what it started locally, and say why a test without a
result ended. The loop that uses them is runner/driver.py.
"""
from __future__ import annotations

import os
import select
import signal
import time
from collections import namedtuple
from dataclasses import dataclass, field
from typing import Any

from ducktape.tests import events
from ducktape.utils import proc

TestKey = namedtuple("TestKey", ["test_id", "test_index"])

TEARDOWN_GRACE_SECONDS = 60.0  # after a timeout, how long teardown may take before SIGKILL
UNRESPONSIVE_GRACE_SECONDS = 5.0  # after a missed heartbeat, time for the stack dump
EXIT_GRACE_SECONDS = 30.0  # after FINISHED, how long the process may take to exit


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

    def deadlines(self, active: bool, liveness_seconds: float) -> list[float]:
        """When the driver must look at this test next: its kill time once it is being stopped
        or has reported; else its heartbeat deadline and its own timeout."""
        if not active or self.stop_reason:
            return [self.kill_at] if self.kill_at else []
        found = [self.last_heard + liveness_seconds]
        if self.timeout:
            found.append(self.start_time + self.timeout)
        return found

    def hear(self, event: dict) -> bool:
        """Note an event from the process; True when it is the last one (FINISHED)."""
        self.last_heard = time.time()
        kind = event["event"]
        if kind == events.PHASE:
            self.phase = event["phase"]
        elif kind == events.SERVICE:
            self.services[event["service_id"]] = event["nodes"]
        elif kind == events.FINISHED:
            self.dirty = bool(event.get("dirty"))
            self.unreachable = tuple(event["unreachable"])
            return True
        return False

    def reap(self, status: dict) -> None:
        """Wait for the exited process; note its exit in *status*, its ``client_status`` entry."""
        self.process.join()
        status.update(exitcode=self.process.exitcode, runner_end_time=time.time())
        if status.setdefault("status", "FINISHED") == "RUNNING":
            status["status"] = "FINISHED"

    def send(self, signum: int) -> None:
        """Signal the test process, if it still exists."""
        try:
            os.kill(self.process.pid, signum)
        except ProcessLookupError:
            pass

    def overdue(self, now: float, active: bool, liveness_seconds: float,
                teardown_grace: float) -> tuple[str, float] | None:
        """What is due now: None; ("", 0) to SIGKILL it; or (why, grace) to stop it (stack dump,
        then teardown) and SIGKILL it after *grace* seconds."""
        if self.kill_at and now >= self.kill_at:
            return "", 0.0
        if not active or self.stop_reason:
            return None
        if self.timeout and now >= self.start_time + self.timeout:
            return f"Test timed out after {self.timeout:g} seconds", teardown_grace
        if now >= self.last_heard + liveness_seconds:
            return (f"No message from the test process for {liveness_seconds:g} seconds (--test-runner-timeout)",
                    min(UNRESPONSIVE_GRACE_SECONDS, liveness_seconds))
        return None

    def lost_summary(self) -> str:
        """Why the process ended without sending its result, for its FAIL."""
        code = self.process.exitcode
        if self.stop_reason:
            why = f"{self.stop_reason}, and its process was killed before it reported a result"
        elif code is not None and code < 0:
            why = f"Test process was killed by signal {signal.Signals(-code).name} before it reported a result"
        else:
            why = f"Test process exited with status {code} before it reported a result"
        return f"{why} (last phase: {self.phase}).{self.service_note()}"


class Watcher:
    """The pipes and process sentinels of every test process, watched with one ``poll``."""

    def __init__(self) -> None:
        self._poller = select.poll()
        self._watched: dict[int, ActiveTest] = {}  # fd -> test

    def watch(self, test: ActiveTest) -> None:
        for fd in (test.conn.fileno(), test.process.sentinel):
            self._watched[fd] = test
            self._poller.register(fd, select.POLLIN)

    def unwatch(self, fd: int) -> None:
        if self._watched.pop(fd, None) is not None:
            self._poller.unregister(fd)

    def forget(self, test: ActiveTest) -> None:
        """Stop watching *test*'s pipe and process; close the pipe."""
        if not test.conn.closed:
            self.unwatch(test.conn.fileno())
            test.conn.close()
        self.unwatch(test.process.sentinel)

    def wait(self, timeout: float, tests: list[ActiveTest]) -> tuple[list[ActiveTest], list[ActiveTest]]:
        """Wait up to *timeout* seconds; returns (tests with events to read, tests whose process exited)."""
        ready = [fd for fd, _ in self._poller.poll(timeout * 1000)]
        exited = [self._watched[fd] for fd in ready if fd in self._watched
                  and fd == self._watched[fd].process.sentinel]
        # a process whose own child inherited its sentinel is noticed by waitpid instead
        exited += [test for test in tests
                   if all(test is not known for known in exited) and test.process.exitcode is not None]
        readable = [self._watched[fd] for fd in ready if fd in self._watched
                    and fd != self._watched[fd].process.sentinel]
        return readable, exited


def hostnames(nodes: list) -> list[str]:
    return [node.account.hostname for node in nodes]


def append_to_test_log(ctx: Any, index: int, message: str) -> None:
    """Say in the test's own log why it ended, when its process could not."""
    from ducktape.tests.test_context import TestContext

    path = os.path.join(TestContext.results_dir(ctx, index), "test_log.info")
    if os.path.exists(path):
        with open(path, "a") as log:
            log.write(f"[ERROR - {time.strftime('%Y-%m-%d %H:%M:%S')} - runner]: {message}\n")


def kill_stragglers(pgid: int, wait: float = 2.0) -> None:
    """SIGKILL what is left of an exited test process's group (a child it forked, a local
    process it started; the group outlives its leader while any member does), and wait a
    moment until they are gone, so the next test on its nodes never meets them."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return  # the usual case: nothing left
    proc.wait_while(lambda: proc.group_running(pgid), wait)


def kill_group(pid: int) -> None:
    """SIGKILL a test process and whatever it started locally (it leads its own group)."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
