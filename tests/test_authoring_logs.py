"""Test.copy_service_logs and friends with a real Service on LocalhostCluster nodes (local accounts)."""
from __future__ import annotations

import os
import tarfile
from pathlib import Path
from typing import ClassVar

import pytest

from ducktape.cluster.localhost import LocalhostCluster
from ducktape.services.service import Service
from ducktape.tests.session import SessionContext
from ducktape.tests.status import FAIL, OFAIL, PASS
from ducktape.tests.test import Test, TestContext


class LogTest(Test):
    def test_logs(self):
        pass


def make_service_class(log_dir: Path) -> type:
    class LoggingService(Service):
        logs: ClassVar[dict] = {
            "default_log": {"path": str(log_dir / "default.log"), "collect_default": True},
            "debug_dir": {"path": str(log_dir / "debug"), "collect_default": False},
        }

    return LoggingService


@pytest.fixture
def setup(tmp_path):
    """Return a factory: (collect_logs, compress) -> (test, service, results_dir_of_test)."""
    log_dir = tmp_path / "node-logs"

    def make(collect_logs=None, compress=False):
        (log_dir / "debug").mkdir(parents=True, exist_ok=True)
        (log_dir / "default.log").write_text("default\n")
        (log_dir / "debug" / "trace.txt").write_text("trace\n")
        session = SessionContext(session_id="s", results_dir=str(tmp_path / "results"),
                                 collect_logs=collect_logs, compress=compress)
        ctx = TestContext(session_context=session, cluster=LocalhostCluster(num_nodes=1), module="m", cls=LogTest,
                          function=LogTest.test_logs, file=__file__)
        ctx.test_index = 1
        test = LogTest(ctx)
        service = make_service_class(log_dir)(ctx, num_nodes=1)
        dest = Path(TestContext.results_dir(ctx, 1), service.service_id, service.nodes[0].account.hostname)
        return test, service, dest

    yield make


def collected(dest: Path) -> set[str]:
    return {str(p.relative_to(dest)) for p in dest.rglob("*")} if dest.exists() else set()


def test_pass_collects_default_logs_only(setup) -> None:
    test, _service, dest = setup()
    test.copy_service_logs(PASS)
    assert collected(dest) == {"default.log"}


def test_fail_collects_everything(setup) -> None:
    for status in (FAIL, OFAIL):
        test, _service, dest = setup()
        test.copy_service_logs(status)
        assert collected(dest) >= {"default.log", "debug", "debug/trace.txt"}


def test_marks_override_defaults(setup) -> None:
    test, service, dest = setup()
    test.mark_for_collect(service, "debug_dir")
    test.mark_no_collect(service, "default_log")
    assert test.should_collect_log("debug_dir", service) and not test.should_collect_log("default_log", service)
    test.copy_service_logs(PASS)
    assert collected(dest) == {"debug", "debug/trace.txt"}


def test_mark_for_collect_without_name_marks_every_log(setup) -> None:
    test, service, dest = setup()
    test.mark_for_collect(service)
    test.copy_service_logs(PASS)
    assert collected(dest) == {"default.log", "debug", "debug/trace.txt"}


def test_collect_logs_always_and_never(setup) -> None:
    test, _service, dest = setup(collect_logs="always")
    test.copy_service_logs(PASS)
    assert collected(dest) == {"default.log", "debug", "debug/trace.txt"}
    test, _service, dest = setup(collect_logs="never")
    test.copy_service_logs(FAIL)
    assert not dest.exists()


def test_compress_collects_archives(setup) -> None:
    test, service, dest = setup(compress=True)
    test.copy_service_logs(PASS)
    assert collected(dest) == {"default.log.tgz"}
    with tarfile.open(dest / "default.log.tgz") as archive:
        assert archive.getnames() == ["default.log"]
    assert not os.path.exists(service.logs["default_log"]["path"]), "upstream removes the original"


def test_free_nodes_returns_them(setup) -> None:
    test, service, _dest = setup()
    cluster = test.cluster
    assert cluster.num_available_nodes() == 0
    test.free_nodes()
    assert cluster.num_available_nodes() == 1 and service.nodes == []
