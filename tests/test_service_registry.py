"""BackgroundThreadService error propagation, ServiceRegistry fan-out, JVM logging, on real nodes."""
from __future__ import annotations

import threading
from typing import ClassVar

import pytest

from ducktape.jvm_logging import JVMLogger
from ducktape.services.background_thread import BackgroundThreadService
from ducktape.services.service import Service
from ducktape.services.service_registry import ServiceRegistry
from tests.support import service_nodes

ctx = service_nodes.ctx  # the fixture: a TestContext on three real nodes
# A failed worker re-raises inside its thread (contract); pytest would warn about each.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")


class RemoteCommandWorker(BackgroundThreadService):
    """Each worker runs one remote command; node 2's command fails when asked to."""

    def __init__(self, context, num_nodes=2, fail_on=()):
        super().__init__(context, num_nodes=num_nodes)
        self.fail_on = set(fail_on)
        self.outputs: dict[int, str] = {}

    def _worker(self, idx, node):
        status = 7 if idx in self.fail_on else 0
        self.outputs[idx] = node.account.ssh_output(f"echo worker {idx}; exit {status}").decode()


def test_background_workers_run_remote_commands(ctx):
    svc = RemoteCommandWorker(ctx)
    svc.run()
    assert svc.outputs == {1: "worker 1\n", 2: "worker 2\n"}
    assert svc.errors == "" and svc.worker_errors == {} and ctx.services.errors() == ""


def test_worker_failure_raises_from_wait_and_stop(ctx):
    svc = RemoteCommandWorker(ctx, fail_on={2})
    svc.start()
    with pytest.raises(Exception, match="exit status 7") as err:
        svc.wait(timeout_sec=30)
    thread_name = f"{svc.service_id}-worker-2"
    assert list(svc.worker_errors) == [thread_name]
    assert str(err.value).startswith(f"{thread_name}: Traceback")
    with pytest.raises(Exception, match="exit status 7"):
        svc.stop()


def test_registry_errors_see_worker_failures_without_a_wait(ctx):
    """The upstream bug: errors() read `error`, BackgroundThreadService wrote `errors`."""
    svc = RemoteCommandWorker(ctx, fail_on={1})
    svc.start()
    for thread in svc.worker_threads.values():
        thread.join(30)
    report = ctx.services.errors()
    assert report.startswith(f"{svc.who_am_i()}: {svc.service_id}-worker-1: Traceback")
    assert "exit status 7" in report


def test_restart_while_a_worker_runs_is_refused(ctx):
    release = threading.Event()

    class Blocking(BackgroundThreadService):
        def _worker(self, idx, node):
            release.wait(30)

    svc = Blocking(ctx, num_nodes=1)
    svc.start()
    with pytest.raises(RuntimeError, match="still alive"):
        svc.start_node(svc.nodes[0])
    assert svc.wait_node(svc.nodes[0], timeout_sec=0.01) is False
    release.set()
    svc.wait(timeout_sec=30)


def test_wait_node_of_a_never_started_node_is_true(ctx):
    svc = RemoteCommandWorker(ctx, num_nodes=1)
    assert svc.wait_node(svc.nodes[0]) is True


class Tracked(Service):
    """Records each teardown step in a shared log; raises where told to."""

    journal: ClassVar[list] = []

    def __init__(self, context, name, fail_on=(), interrupt_on=()):
        super().__init__(context, num_nodes=1)
        self.name, self.fail_on, self.interrupt_on = name, set(fail_on), set(interrupt_on)

    def _step(self, action):
        Tracked.journal.append((action, self.name))
        if action in self.interrupt_on:
            raise KeyboardInterrupt
        if action in self.fail_on:
            self.nodes[0].account.ssh("exit 9")

    def stop_node(self, node, **kwargs):
        self._step("stop")

    def clean_node(self, node, **kwargs):
        self._step("clean")


def test_fan_out_tries_every_service_and_returns_the_failures(ctx):
    Tracked.journal = []
    Tracked(ctx, "a")
    b = Tracked(ctx, "b", fail_on={"stop", "clean"})
    Tracked(ctx, "c")
    stop_failures = ctx.services.stop_all()
    assert Tracked.journal == [("stop", "c"), ("stop", "b"), ("stop", "a")]
    assert [(f.service, f.action) for f in stop_failures] == [(b.who_am_i(), "stop")]
    assert "exit status 9" in str(stop_failures[0])
    Tracked.journal = []
    clean_failures = ctx.services.clean_all()
    assert Tracked.journal == [("clean", "a"), ("clean", "b"), ("clean", "c")]
    assert [f.service for f in clean_failures] == [b.who_am_i()]
    assert ctx.services.free_all() == []
    assert list(ctx.services) == [] and ctx.cluster.num_available_nodes() == 3
    assert all(n.account._logger is None for n in ctx.cluster.nodes)


def test_ctrl_c_in_one_service_is_raised_after_the_others_stopped(ctx):
    Tracked.journal = []
    Tracked(ctx, "a"), Tracked(ctx, "b", interrupt_on={"stop"}), Tracked(ctx, "c")
    with pytest.raises(KeyboardInterrupt):
        ctx.services.stop_all()
    assert Tracked.journal == [("stop", "c"), ("stop", "b"), ("stop", "a")]


def test_registry_basics(ctx):
    svc = Service(ctx, num_nodes=1)
    other = ServiceRegistry()
    assert svc in ctx.services and svc not in other
    assert ctx.services.to_json() == [svc.to_json()]
    assert not hasattr(ServiceRegistry, "__len__")


class NoLogsService(Service):
    def start_node(self, node, **kwargs):
        self.seen = node.account.ssh_output("export FOO=bar; cd /tmp && echo $FOO $(pwd) $JDK_JAVA_OPTIONS").decode()


def test_jvm_logging_wraps_commands_safely_and_restores_them(ctx, tmp_path):
    log_dir = str(tmp_path / "jvm_logs")
    svc = NoLogsService(ctx, num_nodes=1)
    JVMLogger(log_dir).enable_for_service(svc)
    assert Service.logs == {} and NoLogsService.logs == {}
    assert set(svc.logs) == {"jvm_gc_log", "jvm_stdout_stderr", "jvm_heap_dump"}
    assert svc.logs["jvm_heap_dump"]["collect_default"] is False
    node = svc.nodes[0]
    svc.start()
    assert svc.seen.startswith("bar /tmp ") and f"-Xlog:gc*:file={log_dir}/gc.log" in svc.seen
    assert "-Xlog:disable" not in svc.seen
    assert node.account.isdir(log_dir) and svc.JVM_LOG_DIR == log_dir
    svc.clean()
    assert not node.account.isdir(log_dir)
    assert node.account.ssh_output("echo x${JDK_JAVA_OPTIONS}x").decode() == "xx\n"


def test_jvm_logging_is_undone_when_the_service_is_freed(ctx, tmp_path):
    svc = NoLogsService(ctx, num_nodes=1)
    JVMLogger(str(tmp_path / "jvm")).enable_for_service(svc)
    svc.start()
    account = svc.nodes[0].account
    svc.free()
    assert account.ssh_output("echo x${JDK_JAVA_OPTIONS}x").decode() == "xx\n"


def test_registry_applies_jvm_logging_when_the_session_enables_it(ctx):
    ctx.session_context.enable_jvm_logs = True  # read when the context builds its registry
    svc = Service(ctx, num_nodes=1)
    assert "jvm_gc_log" in svc.logs and Service.logs == {}
