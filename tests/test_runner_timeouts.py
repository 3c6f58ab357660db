"""TestRunner in this process on a real LocalhostCluster: the teardown grace after a timeout
(too long to wait for through the CLI), and the driver's bookkeeping of client processes."""
from __future__ import annotations

import logging

import pytest

from ducktape.cluster.localhost import LocalhostCluster
from ducktape.tests.loader import TestLoader
from ducktape.tests.runner import TestRunner
from ducktape.tests.session import SessionContext
from tests.support.suites import write_suite

SUITE = {"grace/test_grace.py": """
    import time
    from ducktape.mark import timeout
    from ducktape.mark.resource import cluster
    from ducktape.services.service import Service
    from ducktape.tests.test import Test

    class IdleService(Service):
        pass

    class GraceTest(Test):
        def tearDown(self):
            time.sleep(60)  # teardown that never ends within the grace period

        @timeout(0.5)
        @cluster(num_nodes=1)
        def test_hangs_twice(self):
            IdleService(self.test_context, num_nodes=1)
            time.sleep(60)


    class NextTest(Test):
        @cluster(num_nodes=1)
        def test_z_next(self):
            pass
    """}


@pytest.fixture
def runner_for(tmp_path, monkeypatch):
    def make(**session_kwargs) -> TestRunner:
        write_suite(tmp_path / "suite", SUITE)
        monkeypatch.chdir(tmp_path / "suite")
        session = SessionContext(session_id="s1", results_dir=str(tmp_path / "results" / "s1"), **session_kwargs)
        logger = logging.getLogger(f"runner-test-{tmp_path.name}")
        tests = TestLoader(session, logger).load(["grace"])
        cluster = LocalhostCluster(num_nodes=2)
        for ctx in tests:
            ctx.cluster = cluster
        return TestRunner(cluster, session, logger, tests, teardown_grace=1.0)
    return make


def test_a_timed_out_test_whose_teardown_hangs_is_killed_after_the_grace(runner_for):
    runner = runner_for()
    results = {r.function_name: r for r in runner.run_all_tests()}
    hung = results["test_hangs_twice"]
    assert hung.test_status == "FAIL"
    assert hung.summary.startswith("Test timed out after 0.5 seconds, and its process was killed")
    assert "(last phase: teardown)" in hung.summary
    assert "Services that may still be running: IdleService-0-" in hung.summary
    assert results["test_z_next"].test_status == "PASS"  # the session went on
    statuses = {key.test_id.rsplit(".", 1)[1]: value for key, value in runner.client_status.items()}
    assert statuses["test_hangs_twice"]["status"] == "TERMINATED" and statuses["test_hangs_twice"]["exitcode"] == -9
    assert statuses["test_z_next"]["status"] == "FINISHED" and statuses["test_z_next"]["exitcode"] == 0
    assert runner.cluster.num_available_nodes() == 2  # every node came back
