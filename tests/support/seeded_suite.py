"""A suite with every kind of failure a results history has to tell apart, for the signature,
deflake and quarantine tests: stable, always failing, failing with varying numbers, flaky by
attempt and flaky by session. ``SEEDED_STATE`` (a directory) counts attempts across processes;
``SEEDED_SESSION_FAILS=1`` makes the session-flaky test fail.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.suites import write_suite

SEEDED = {"seeded_test.py": '''
    import os

    from ducktape.errors import TimeoutError
    from ducktape.mark import parametrize
    from ducktape.mark.resource import cluster
    from ducktape.services.service import Service
    from ducktape.tests.test import Test


    class EchoService(Service):
        """Appends a line to a log file on its node; the log is collected after every attempt."""

        def __init__(self, context, line):
            super().__init__(context, num_nodes=1)
            self.line = line
            self.log_dir = os.path.join(os.environ["SEEDED_STATE"], "echo")
            self.logs = {"echo_log": {"path": os.path.join(self.log_dir, "echo.log"), "collect_default": True}}

        def start_node(self, node, **kwargs):
            node.account.ssh(f"mkdir -p {self.log_dir} && echo '{self.line}' >> {self.log_dir}/echo.log")

        def stop_node(self, node, **kwargs):
            pass

        def clean_node(self, node, **kwargs):
            node.account.ssh(f"rm -rf {self.log_dir}", allow_fail=True)


    def attempt(name):
        """How many times *name* has run in this results history (1 the first time)."""
        path = os.path.join(os.environ["SEEDED_STATE"], name)
        count = int(open(path).read()) + 1 if os.path.exists(path) else 1
        with open(path, "w") as out:
            out.write(str(count))
        return count


    def wait_for_worker(seconds, worker):
        raise TimeoutError(f"timed out after {seconds} s waiting for worker{worker}")


    class SeededTest(Test):
        @cluster(num_nodes=1)
        def test_stable(self):
            self.logger.info("stable passes")

        @cluster(num_nodes=1)
        def test_always_fails(self):
            raise RuntimeError(f"log dir /tmp/tmp{attempt('always'):08d}x/data is full")

        @cluster(num_nodes=1)
        @parametrize(seconds=12.3, worker=3)
        @parametrize(seconds=45.1, worker=1)
        def test_varying(self, seconds, worker):
            wait_for_worker(seconds, worker)

        @cluster(num_nodes=1)
        def test_flaky_by_attempt(self):
            count = attempt("by_attempt")
            self.logger.info("flaky attempt number %d", count)
            EchoService(self.test_context, f"echo of attempt {count}").start()
            assert count % 3 == 0, f"leader not elected after {count * 0.7:.1f} s (attempt {count})"

        @cluster(num_nodes=1)
        def test_flaky_by_session(self):
            if os.environ.get("SEEDED_SESSION_FAILS") == "1":
                raise AssertionError(f"lost {attempt('lost')} of 100 messages")
'''}

TEST_IDS = {
    "stable": "seeded_test.SeededTest.test_stable",
    "always": "seeded_test.SeededTest.test_always_fails",
    "varying_a": "seeded_test.SeededTest.test_varying.seconds=12.3.worker=3",
    "varying_b": "seeded_test.SeededTest.test_varying.seconds=45.1.worker=1",
    "by_attempt": "seeded_test.SeededTest.test_flaky_by_attempt",
    "by_session": "seeded_test.SeededTest.test_flaky_by_session",
}


def write_seeded_suite(root: Path, git: bool = False) -> Path:
    """Write the suite into *root* (with a ``state`` directory beside it); with *git*, commit it
    so sessions record a clean suite version."""
    write_suite(root, SEEDED, packages=False)
    (root / "state").mkdir(exist_ok=True)
    if git:
        for args in (["init", "-q"], ["add", "seeded_test.py"],
                     ["-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-qm", "seeded suite"]):
            subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)
    return root
