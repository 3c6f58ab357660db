"""The runner: one forked process per test, watched by a driver loop.

Module map (each named after what it does):

- ``driver``        the driver loop, ``TestRunner``: schedule, fork, poll, record
- ``watched``       one test process's life in the driver: ``ActiveTest``, kill, reap
- ``fork_safety``   the child's first moments after the fork; every fork-safety rule
- ``runner_client`` the test process, ``RunnerClient`` (upstream's name, kept in the log lines)
- ``outcome``       ``PhaseOutcome``, ``TestTimedOut``, one summary for every run
- ``channel``       the child's end of the event pipe, and its heartbeat
- ``signals``       Ctrl-C/SIGTERM at the driver; the timeout signal to a test
- ``no_process``    results for tests that got no process
- ``hooks``         the after-test hook list (fault healing, leftovers: registered by the session)
- ``reporting``     the one place reporters are told anything
- ``session``       a whole session's run: reporters told, tests run, reports written

Upstream's import paths keep working: ``ducktape.tests.runner.TestRunner`` here and
``ducktape.tests.runner_client.RunnerClient`` in its own small module.
"""
from ducktape.tests.runner.driver import TestRunner, has_cluster_size
from ducktape.tests.runner.session import SessionRun, run_and_report
from ducktape.tests.runner.watched import TestKey

__all__ = ["SessionRun", "TestKey", "TestRunner", "has_cluster_size", "run_and_report"]
