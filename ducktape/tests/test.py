"""Test: the base class of every ducktape test, plus log-collection helpers the runner calls."""
from __future__ import annotations

import os
import shlex
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ducktape.template import TemplateRenderer
from ducktape.tests.status import status_of
from ducktape.tests.test_context import TestContext
from ducktape.utils.local_filesystem_utils import mkdir_p, safe_name

__all__ = ["Test", "TestContext", "in_dir", "in_temp_dir"]


class Test(TemplateRenderer):
    """Subclass this; methods named ``test*`` (or ``*test``) are tests. Services are built in __init__."""

    __test__ = False

    def __init__(self, test_context: TestContext, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.test_context = test_context

    @property
    def cluster(self):
        return self.test_context.cluster

    @property
    def logger(self):
        return self.test_context.logger

    def min_cluster_spec(self):
        """Deprecated; never called by ducktape. Kept so overriding subclasses still load."""
        raise NotImplementedError

    def min_cluster_size(self):
        """Deprecated; never called by ducktape. Kept so overriding subclasses still load."""
        raise NotImplementedError

    def setup(self) -> None:
        self.setUp()

    def teardown(self) -> None:
        self.tearDown()

    def setUp(self) -> None:
        pass

    def tearDown(self) -> None:
        pass

    def free_nodes(self) -> None:
        """Return every service's nodes; only KeyboardInterrupt gets through."""
        try:
            self.test_context.services.free_all()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - freeing must not fail the test
            self.test_context.logger.warning("Error freeing nodes: %r", exc)

    def compress_service_logs(self, node, service, node_logs: list[str]) -> list[str]:
        """Tar+gzip each path on *node* as ``<path>.tgz`` (the original is removed); return the archives."""
        compressed = []
        for log_path in node_logs:
            try:
                node.account.ssh(_compress_cmd(log_path))
                compressed.append(log_path.rstrip(os.path.sep) + ".tgz")
            except Exception as exc:  # noqa: BLE001 - log collection is never fatal
                self.test_context.logger.warning("Error compressing log %s: service %s: %s", log_path, service, exc)
        return compressed

    def _logs_to_collect(self, service, test_status) -> list[str]:
        """Paths of *service*'s logs to copy, by ``--collect-logs``: ``always`` every log,
        ``on-failure`` every log of a failed test and none otherwise, ``never`` none; without
        the flag, upstream's rule (every log on failure, else those collected by default or marked)."""
        session = self.test_context.session_context
        policy = None if session is None else session.collect_logs
        failed = status_of(test_status).failed
        if policy == "never" or (policy == "on-failure" and not failed):
            return []
        take_all = policy == "always" or failed
        return [entry["path"] for name, entry in service.logs.items()
                if take_all or self.should_collect_log(name, service)]

    def copy_service_logs(self, test_status) -> None:
        """Copy the selected logs of every service node into ``<test dir>/<service_id>/<hostname>/``."""
        for service in self.test_context.services:
            if not getattr(service, "logs", None):
                self.test_context.logger.debug("Won't collect service logs from %s - no logs to collect.",
                                               service.service_id)
                continue
            for node in service.nodes:
                node_logs = self._logs_to_collect(service, test_status)
                self.test_context.logger.debug("Preparing to copy logs from %s: %s", node.account.hostname, node_logs)
                if self.test_context.session_context.compress:
                    node_logs = self.compress_service_logs(node, service, node_logs)
                if node_logs:
                    self._copy_node_logs(service, node, node_logs)

    def _copy_node_logs(self, service, node, node_logs: list[str]) -> None:
        dest = os.path.join(TestContext.results_dir(self.test_context, self.test_context.test_index),
                            safe_name(service.service_id), _node_dir_name(service, node))
        mkdir_p(dest)
        for log_path in node_logs:
            try:
                node.account.copy_from(log_path, dest)
            except Exception as exc:  # noqa: BLE001 - log collection is never fatal
                self.test_context.logger.warning("Error copying log %s from %s to %s. service %s: %s",
                                                 log_path, node.account.hostname, dest, service, exc)

    def mark_for_collect(self, service, log_name: str | None = None) -> None:
        """Collect *log_name* of *service* (every log of it when None) even if the test passes."""
        names = list(service.logs) if log_name is None else [log_name]
        for name in names:
            self.test_context.log_collect[(name, service)] = True

    def mark_no_collect(self, service, log_name: str | None = None) -> None:
        """Do not collect *log_name* of *service* on success (upstream: None marks nothing real)."""
        self.test_context.log_collect[(log_name, service)] = False

    def should_collect_log(self, log_name: str, service) -> bool:
        """The explicit mark for (log_name, service), else the log's ``collect_default``."""
        default = service.logs[log_name]["collect_default"]
        return self.test_context.log_collect.get((log_name, service), default)


def _node_dir_name(service: Any, node: Any) -> str:
    """The node's directory under its service's: its host name, made safe as one entry;
    nodes of one service sharing a host name (a cluster file may repeat it) get their
    1-based index appended so their logs never land in one place."""
    host = node.account.hostname
    if sum(1 for other in service.nodes if other.account.hostname == host) > 1:
        host = f"{host}-{service.idx(node)}"
    return safe_name(host)


def _compress_cmd(log_path: str) -> str:
    quoted = shlex.quote(log_path)
    return (f'cd "$(dirname {quoted})" && f="$(basename {quoted})" && '
            f'if [ -e "$f" ]; then tar czf "$f.tgz" "$f"; fi && rm -rf {quoted}')


@contextmanager
def in_dir(path: str) -> Iterator[None]:
    """Run the block with *path* as the working directory."""
    cwd = os.getcwd()
    try:
        os.chdir(path)
        yield
    finally:
        os.chdir(cwd)


@contextmanager
def in_temp_dir() -> Iterator[str]:
    """Run the block inside a new temp dir, removed afterwards."""
    tmpdir = tempfile.mkdtemp()
    try:
        with in_dir(tmpdir):
            yield tmpdir
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
