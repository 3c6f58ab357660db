"""The session: its context (flags every test sees), its logger, its id and results directory."""
from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

from ducktape.defaults import ConsoleDefaults
from ducktape.session_config import SessionConfig
from ducktape.tests.loggermaker import LoggerMaker, add_file_and_console_handlers
from ducktape.tests.reporters.console_style import console_level


class SessionContext:
    """Session-wide settings shared by every test of one ``ducktape`` run. Unknown kwargs are ignored.

    ``ducktape`` builds it with ``from_config``; constructed by hand (upstream's signature,
    ``SessionContext(session_id=..., results_dir=..., **options)``), an option not given takes
    its ``SessionConfig`` default: the defaults live there only.
    """

    def __init__(self, **kwargs: Any) -> None:
        self.session_id = kwargs["session_id"]
        self.results_dir = os.path.abspath(kwargs["results_dir"])
        config = SessionConfig.from_options({k: v for k, v in kwargs.items() if k in _OPTIONS})
        self.debug = config.debug
        self.compress = config.compress
        self.nested_result_dirs = config.nested_result_dirs
        self.exit_first = config.exit_first
        self.no_teardown = config.no_teardown
        self.max_parallel = config.max_parallel
        self.default_expected_num_nodes = config.default_num_nodes
        self.fail_bad_cluster_utilization = config.fail_bad_cluster_utilization
        self.fail_greedy_tests = config.fail_greedy_tests
        self.ignore_node_type = config.ignore_node_type
        self.test_runner_timeout = config.test_runner_timeout
        self.enable_jvm_logs = config.enable_jvm_logs
        self.test_timeout = config.test_timeout
        self.collect_logs = config.collect_logs
        self.verbosity = (config.verbose or 0) - (config.quiet or 0)  # -v/-q on the console
        self.command_line = config.command_line  # how the session was started, for the reports
        self._globals = config.globals

    @classmethod
    def from_config(cls, config: SessionConfig, session_id: str, results_dir: str) -> SessionContext:
        """The context of a session run with *config*."""
        return cls(session_id=session_id, results_dir=results_dir, **config.session_context_kwargs())

    @property
    def globals(self):
        """User globals (an immutable dict); empty when ``--globals`` was not given."""
        if self._globals is None:
            from ducktape.utils.persistence import make_dict

            return make_dict()
        return self._globals

    def to_json(self) -> dict:
        return self.__dict__


_OPTIONS = frozenset(field.name for field in dataclasses.fields(SessionConfig))


class SessionLoggerMaker(LoggerMaker):
    """The driver's logger: session_log.info/.debug in the session dir, and stdout."""

    def __init__(self, session_context: SessionContext) -> None:
        super().__init__(session_context.session_id + ".session_logger")
        self.log_dir = session_context.results_dir
        self.debug = session_context.debug
        self.verbosity = session_context.verbosity

    def configure_logger(self) -> None:
        if self.configured:
            return
        add_file_and_console_handlers(self._logger, self.log_dir, "session_log", ConsoleDefaults.SESSION_LOG_FORMATTER,
                                      console_level(self.debug, self.verbosity, in_test=False))


def _next_id(previous: str | None) -> str:
    """The id after *previous*: same day +1, else today's 001."""
    today = time.strftime("%Y-%m-%d")
    if previous and previous[:10] == today:
        try:
            return f"{today}--{int(previous[12:]) + 1:03d}"
        except ValueError:
            pass
    return f"{today}--001"


def generate_session_id(session_id_file: str) -> str:
    """Read the last id from *session_id_file*, write and return the next one. Runs that share
    the file (sharded nights started together, with results roots of their own) each get an id
    of their own: the read and the write happen under a lock on ``<file>.lock``."""
    with _locked(session_id_file + ".lock"):
        previous = None
        if os.path.isfile(session_id_file):
            with open(session_id_file) as fp:
                previous = fp.read().strip()
        session_id = _next_id(previous)
        _write_session_id(session_id_file, session_id)
    return session_id


@contextlib.contextmanager
def _locked(path: str) -> Iterator[None]:
    """An exclusive lock on *path* between processes (none where it cannot be created)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _write_session_id(session_id_file: str, session_id: str) -> None:
    """Replace the file in one step, so a concurrent reader never sees it empty."""
    tmp = f"{session_id_file}.{os.getpid()}.{threading.get_ident()}.tmp"
    with open(tmp, "w") as fp:
        fp.write(session_id)
    os.replace(tmp, session_id_file)


SESSION_LOGS = frozenset({"session_log.info", "session_log.debug"})


def discard_unused_session_dir(results_dir: str) -> bool:
    """Remove *results_dir* when it holds nothing but the session's own logs: a run that ended
    on an error before the session started (no session.json, no test) leaves no empty session
    behind. True when it was removed."""
    try:
        entries = set(os.listdir(results_dir))
    except OSError:
        return False
    if not entries <= SESSION_LOGS:
        return False
    try:
        for name in entries:
            os.unlink(os.path.join(results_dir, name))
        os.rmdir(results_dir)
    except OSError:
        return False
    return True


def generate_results_dir(results_root: str, session_id: str) -> str:
    """Absolute path of the session's results directory."""
    return os.path.join(os.path.abspath(results_root), session_id)


def allocate_session(session_id_file: str, results_root: str) -> tuple[str, str]:
    """Pick the next session id and create its results dir atomically (safe for concurrent runs).

    The directory is created with a single mkdir; when another run got there first we move on to the
    next id instead of sharing a directory.
    """
    os.makedirs(os.path.dirname(session_id_file) or ".", exist_ok=True)
    os.makedirs(os.path.abspath(results_root), exist_ok=True)
    session_id = generate_session_id(session_id_file)
    for _ in range(1000):
        results_dir = generate_results_dir(results_root, session_id)
        try:
            os.mkdir(results_dir)
        except FileExistsError:
            session_id = _next_id(session_id)  # taken by a concurrent run: step past it
            continue
        _write_session_id(session_id_file, session_id)
        return session_id, results_dir
    raise FileExistsError(f"no free session directory under {results_root}")
