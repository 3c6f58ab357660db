"""TestContext: everything one expanded test knows about itself (identity, marks, session, logger).

Built by the loader, one per parametrization; the runner adds ``cluster`` and ``test_index``.
Services come from ``ducktape.services`` and are imported only when a test first touches them.
"""
from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import tempfile
from typing import Any

from ducktape.defaults import ConsoleDefaults
from ducktape.mark.consts import (
    CLUSTER_NODE_TYPE_KEYWORD,
    CLUSTER_SIZE_KEYWORD,
    CLUSTER_SPEC_KEYWORD,
)
from ducktape.tests.loggermaker import (
    LoggerMaker,
    add_file_and_console_handlers,
    close_logger,
)
from ducktape.tests.reporters.console_style import console_level
from ducktape.utils.local_filesystem_utils import mkdir_p, safe_name, short_name

_WHITESPACE = re.compile(r"\s+")
_UNSAFE = re.compile(r"[^.\-=\w]+")
_DOTS = re.compile(r"\.+")


def _escape_pathname(s: str) -> str:
    """Delete whitespace, turn other unsafe runs into dots, collapse dots, trim dots at the ends."""
    s = _UNSAFE.sub(".", _WHITESPACE.sub("", s))
    return _DOTS.sub(".", s).strip(".") if "." in s else s


class TestLoggerMaker(LoggerMaker):
    """Per-test logger: test_log.info/.debug in the test's results dir, console at WARNING (DEBUG with --debug)."""

    __test__ = False

    def __init__(self, logger_name: str, log_dir: str, debug: bool, verbosity: int = 0,
                 test_id: str | None = None) -> None:
        super().__init__(logger_name)
        self.log_dir = log_dir
        self.debug = debug
        self.verbosity = verbosity  # -v minus -q
        self.test_id = test_id  # named on console lines

    def configure_logger(self) -> None:
        if self.configured:
            return
        mkdir_p(self.log_dir)
        add_file_and_console_handlers(self._logger, self.log_dir, "test_log", ConsoleDefaults.TEST_LOG_FORMATTER,
                                      console_level(self.debug, self.verbosity, in_test=True), self.test_id)


def test_logger(logger_name: str, log_dir: str, debug: bool, verbosity: int = 0,
                test_id: str | None = None) -> logging.Logger:
    """The logger named *logger_name*, configured on first call."""
    return TestLoggerMaker(logger_name, log_dir, debug, verbosity, test_id).logger


test_logger.__test__ = False

@functools.lru_cache(maxsize=256)
def _simple_linux_text(num_nodes: int, node_type: str | None) -> str:
    from ducktape.cluster.cluster_spec import ClusterSpec

    return str(ClusterSpec.simple_linux(num_nodes, node_type))


_FIELDS = ("session_context", "cluster", "module", "test_suite_name", "file", "cls", "function",
           "injected_args", "ignore", "cluster_use_metadata")


class TestContext:
    """State for one test unit: a class, a method and one set of injected arguments."""

    __test__ = False

    def __init__(self, **kwargs: Any) -> None:
        self.session_context = kwargs["session_context"]
        self.cluster = kwargs.get("cluster")
        self.module = kwargs.get("module")
        self.test_suite_name = kwargs.get("test_suite_name")
        file = kwargs.get("file")
        self.file = os.path.abspath(file) if file is not None else None
        self.cls = kwargs.get("cls")
        self.function = kwargs.get("function")
        self.injected_args = kwargs.get("injected_args")
        self.ignore = kwargs.get("ignore", False)
        self.cluster_use_metadata = dict(kwargs.get("cluster_use_metadata") or {})
        self.test_index = None
        self.quarantine: dict | None = None  # the --quarantine entry in force for this test, as JSON
        self.log_collect: dict = {}
        self._services = None
        self._logger = None
        self._local_scratch_dir = None

    def __repr__(self) -> str:
        return (
            f"<module={self.module}, cls={self.cls_name}, function={self.function_name}, "
            f"injected_args={self.injected_args}, file={self.file}, ignore={self.ignore}, "
            f"cluster_spec={self._cluster_spec_text()}>"
        )

    def _cluster_spec_text(self) -> str:
        """str(expected_cluster_spec), memoised for the common num_nodes/node_type case (collect speed)."""
        metadata = self.cluster_use_metadata
        num_nodes = metadata.get(CLUSTER_SIZE_KEYWORD)
        if num_nodes is None or metadata.get(CLUSTER_SPEC_KEYWORD) is not None:
            return str(self.expected_cluster_spec)
        ignore_node_type = self.session_context.ignore_node_type if self.session_context else False
        return _simple_linux_text(num_nodes, None if ignore_node_type else metadata.get(CLUSTER_NODE_TYPE_KEYWORD))

    def copy(self, **kwargs: Any) -> TestContext:
        """A new context with the same fields (overridden by *kwargs*) and a fresh service registry."""
        new = TestContext(**{name: self.__dict__.get(name) for name in _FIELDS})
        new.__dict__.update(kwargs)
        return new

    @property
    def services(self):
        """The ServiceRegistry of services built with this context (created on first use)."""
        if self._services is None:
            from ducktape.services.service_registry import ServiceRegistry

            enable_jvm_logs = self.session_context.enable_jvm_logs if self.session_context else False
            self._services = ServiceRegistry(enable_jvm_logs=enable_jvm_logs)
        return self._services

    @services.setter
    def services(self, registry) -> None:
        self._services = registry

    @property
    def local_scratch_dir(self) -> str:
        """A driver-side temp dir for this test, removed by close()."""
        if not self._local_scratch_dir:
            self._local_scratch_dir = tempfile.mkdtemp()
        return self._local_scratch_dir

    @property
    def test_metadata(self) -> dict:
        return {
            "directory": os.path.dirname(self.file),
            "file_name": os.path.basename(self.file),
            "cls_name": self.cls_name,
            "method_name": self.function_name,
            "injected_args": self.injected_args,
        }

    @staticmethod
    def logger_name(test_context: TestContext, test_index: int | None) -> str:
        if test_index is None:
            return test_context.test_id
        return f"{test_context.test_id}-{test_index}"

    @staticmethod
    def results_dir(test_context: TestContext, test_index: int | None) -> str:
        """``<session>/<Class>/<method>[/<args>]/<index>``; one dir per argument with --nested-result-dirs.
        An argument name too long for the file system is cut and ends with a hash of it."""
        d = test_context.session_context.results_dir
        if test_context.cls is not None:
            d = os.path.join(d, safe_name(test_context.cls.__name__))
        if test_context.function is not None:
            d = os.path.join(d, safe_name(test_context.function.__name__))
        args = test_context.injected_args
        if args is not None:
            if test_context.session_context.nested_result_dirs:
                for key in sorted(args):
                    d = os.path.join(d, short_name(_escape_pathname(f"{key}={args[key]}")))
            else:
                d = os.path.join(d, short_name(test_context.injected_args_name))
        if test_index is not None:
            d = os.path.join(d, str(test_index))
        return d

    @property
    def expected_num_nodes(self) -> int:
        """Nodes this test will hold (0 when unschedulable or when it asks for none)."""
        spec = self.expected_cluster_spec
        return spec.size() if spec else 0

    @property
    def expected_cluster_spec(self):
        """The ClusterSpec this test will be given, or None when it cannot run (--fail-greedy-tests)."""
        from ducktape.cluster.cluster_spec import ClusterSpec

        metadata = self.cluster_use_metadata
        ignore_node_type = self.session_context.ignore_node_type if self.session_context else False
        cluster_spec = metadata.get(CLUSTER_SPEC_KEYWORD)
        if cluster_spec is not None:
            return cluster_spec.without_node_types() if ignore_node_type else cluster_spec
        num_nodes = metadata.get(CLUSTER_SIZE_KEYWORD)
        if num_nodes is not None:
            node_type = None if ignore_node_type else metadata.get(CLUSTER_NODE_TYPE_KEYWORD)
            return ClusterSpec.simple_linux(num_nodes, node_type)
        if not self.cluster:
            return ClusterSpec.empty()
        if self.session_context.fail_greedy_tests:
            return None
        return self.cluster.all()

    @property
    def timeout_seconds(self) -> float | None:
        """The @timeout mark of the test, else the session's --test-timeout, else None."""
        for mark in getattr(self.function, "marks", ()):
            if mark.name == "TIMEOUT":
                return mark.seconds
        return None if self.session_context is None else self.session_context.test_timeout

    @property
    def ok_to_fail(self) -> bool:
        """True when the test carries @ok_to_fail or is quarantined (report OPASS/OFAIL)."""
        return self.quarantine is not None or "OK_TO_FAIL" in getattr(self.function, "mark_names", ())

    @property
    def globals(self):
        return self.session_context.globals

    @property
    def module_name(self) -> str:
        return "" if self.module is None else self.module

    @property
    def cls_name(self) -> str:
        return "" if self.cls is None else self.cls.__name__

    @property
    def function_name(self) -> str:
        return "" if self.function is None else self.function.__name__

    @property
    def description(self) -> str:
        """The method's docstring, else the class's, else ""."""
        if self.function is not None and self.function.__doc__:
            return self.function.__doc__
        if self.cls is not None and self.cls.__doc__ is not None:
            return self.cls.__doc__
        return ""

    @property
    def injected_args_name(self) -> str:
        """Escaped ``k=v`` pairs joined by dots ("" without injected args)."""
        if self.injected_args is None:
            return ""
        return _escape_pathname(".".join(f"{k}={v}" for k, v in self.injected_args.items()))

    @property
    def test_id(self) -> str:
        return self.test_name

    @property
    def test_name(self) -> str:
        """``module.Class.method[.args]``: the test's identity in reports and logs."""
        parts = (self.module_name, self.cls_name, self.function_name, self.injected_args_name)
        return ".".join(p for p in parts if p)

    @property
    def logger(self) -> logging.Logger:
        if self._logger is None:
            self._logger = test_logger(
                TestContext.logger_name(self, self.test_index),
                TestContext.results_dir(self, self.test_index),
                self.session_context.debug,
                self.session_context.verbosity,
                self.test_id,
            )
        return self._logger

    def close(self) -> None:
        """Close services, remove the scratch dir, detach the logger's handlers."""
        if self._services is not None:
            for service in self._services:
                service.close()
            self._services = None
        if self._local_scratch_dir and os.path.exists(self._local_scratch_dir):
            shutil.rmtree(self._local_scratch_dir)
        if self._logger:
            close_logger(self._logger)
