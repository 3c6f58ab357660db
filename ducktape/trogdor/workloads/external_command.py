"""ExternalCommand: run any program as a worker, speaking JSON lines over stdio.

Protocol (documented in docs/trogdor.md): the worker writes one line to the
program's stdin, ``{"id": TASK_ID, "workload": WORKLOAD}``; every line the program
prints on stdout that is a JSON object may carry ``"status"`` (becomes the task's
status), ``"log"`` (goes to the agent's log) and ``"error"`` (fails the task, and
the program is stopped). The program ending with status 0 ends the task; any other
status is an error. Its environment names a directory for operation histories
(``TROGDOR_HISTORY_DIR``) and the process-id prefix that keeps its clients apart from
other tasks' (``TROGDOR_HISTORY_PROCESS``). To stop it, the worker sends SIGTERM to its
process group and, after ``shutdownGracePeriodMs``, SIGKILL.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import subprocess
import threading
import time
from typing import Any

from ducktape.trogdor.spec import SpecError, TaskSpec, register_spec
from ducktape.trogdor.worker import DoneFuture, Platform, TaskWorker, WorkerStatus

DEFAULT_SHUTDOWN_GRACE_PERIOD_MS = 5000
log = logging.getLogger("trogdor.external")


@register_spec("org.apache.kafka.trogdor.workload.ExternalCommandSpec")
@dataclasses.dataclass(frozen=True)
class ExternalCommandSpec(TaskSpec):
    """Run ``command`` (argv) on ``command_node``, passing it ``workload``."""

    command_node: str
    command: tuple[str, ...]
    workload: Any = None
    shutdown_grace_period_ms: int | None = None

    def validate(self) -> None:
        if not self.command:
            raise SpecError("command", "must name a program to run, e.g. [\"python3\", \"worker.py\"]")
        if self.shutdown_grace_period_ms is not None and self.shutdown_grace_period_ms < 0:
            raise SpecError("shutdownGracePeriodMs", "must be >= 0")

    def target_nodes(self, node_names: list[str]) -> list[str]:
        return [self.command_node]

    def new_worker(self, worker_id: int) -> ExternalCommandWorker:
        return ExternalCommandWorker(worker_id, self)


class ExternalCommandWorker(TaskWorker):
    """Starts the program, feeds it the first line, follows its stdout and stderr."""

    spec: ExternalCommandSpec

    def start(self, platform: Platform, status: WorkerStatus, done: DoneFuture) -> None:
        self._status, self._done = status, done
        self._stopping = threading.Event()
        env = dict(os.environ, TROGDOR_HISTORY_DIR=platform.history_dir(self),
                   TROGDOR_HISTORY_PROCESS=platform.history_process(self, ""))
        try:
            self._proc = subprocess.Popen(list(self.spec.command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True, bufsize=1, start_new_session=True,
                                          env=env)
        except OSError as e:
            done.complete(f"cannot start {self.spec.command[0]}: {e.strerror or e}")
            return
        _write_pid(platform, self.worker_id, self._proc.pid)
        first = json.dumps({"id": self.task_id or str(self.worker_id), "workload": self.spec.workload})
        threading.Thread(target=self._write_first, args=(first,), daemon=True, name=f"ext-{self.worker_id}-in").start()
        threading.Thread(target=self._read_stderr, daemon=True, name=f"ext-{self.worker_id}-err").start()
        threading.Thread(target=self._read_stdout, daemon=True, name=f"ext-{self.worker_id}-out").start()

    def _write_first(self, line: str) -> None:
        """Send the first line; a thread of its own, as a big workload may fill the pipe."""
        try:
            self._proc.stdin.write(line + "\n")
            self._proc.stdin.flush()
        except (OSError, ValueError):
            pass  # the program ended at once (or was stopped); its exit status tells the story

    def _read_stdout(self) -> None:
        for line in self._proc.stdout:
            self._handle_line(line.strip())
        code = self._proc.wait()
        if self._stopping.is_set():
            self._done.complete("")
        elif code != 0:
            self._done.complete(f"{self.spec.command[0]} exited with status {code}")
        else:
            self._done.complete("")

    def _handle_line(self, line: str) -> None:
        if not line:
            return
        try:
            message = json.loads(line)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            log.info("worker %d stdout: %s", self.worker_id, line)
            return
        if "status" in message:
            self._status.update(message["status"])
        if message.get("log") is not None:
            log.info("worker %d: %s", self.worker_id, message["log"])
        if message.get("error"):
            self._done.complete(str(message["error"]))

    def _read_stderr(self) -> None:
        for line in self._proc.stderr:
            log.info("worker %d stderr: %s", self.worker_id, line.rstrip())

    def stop(self, platform: Platform) -> None:
        proc = getattr(self, "_proc", None)
        if proc is None:
            return
        try:
            self._terminate(proc)
        finally:
            _remove_pid(platform, self.worker_id)

    @classmethod
    def recover(cls, platform: Platform, worker_id: int, spec: ExternalCommandSpec) -> None:
        """The agent died while the program ran: kill what is left of its process group."""
        path = _pid_path(platform, worker_id)
        try:
            with open(path, encoding="utf-8") as f:
                pgid = int(f.read().strip())
        except (OSError, ValueError):
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(pgid, sig)
            except (ProcessLookupError, PermissionError):
                break
            time.sleep(0.2)
        _remove_pid(platform, worker_id)

    def _terminate(self, proc: subprocess.Popen) -> None:
        if proc.poll() is not None:
            _signal_group(proc, signal.SIGKILL)  # whatever the program left in its group
            return
        self._stopping.set()
        grace_ms = self.spec.shutdown_grace_period_ms
        grace = (DEFAULT_SHUTDOWN_GRACE_PERIOD_MS if grace_ms is None else grace_ms) / 1000.0
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            log.warning("worker %d: %s ignored SIGTERM for %.1fs; sending SIGKILL",
                        self.worker_id, self.spec.command[0], grace)
            _signal_group(proc, signal.SIGKILL)
            proc.wait()


def _pid_path(platform: Platform, worker_id: int) -> str:
    return os.path.join(platform.state_dir, f"external-command-{worker_id}.pid")


def _write_pid(platform: Platform, worker_id: int, pid: int) -> None:
    """Note the program's process group, so ``recover`` can find it after a crash."""
    with open(_pid_path(platform, worker_id), "w", encoding="utf-8") as f:
        f.write(f"{pid}\n")


def _remove_pid(platform: Platform, worker_id: int) -> None:
    try:
        os.remove(_pid_path(platform, worker_id))
    except FileNotFoundError:
        pass


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
