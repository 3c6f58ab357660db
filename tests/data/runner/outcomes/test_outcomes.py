"""Every way a test can end, in one suite (run with --deflake 2 --test-timeout 30)."""
import os
import time

from ducktape.mark import ignore, ok_to_fail, parametrize, timeout
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test


class OutcomesTest(Test):
    @cluster(num_nodes=1)
    def test_pass(self):
        return {"answer": 42}

    @cluster(num_nodes=1)
    def test_fail(self):
        raise AssertionError("expected failure")

    @ignore
    @cluster(num_nodes=1)
    def test_ignored(self):
        raise AssertionError("an ignored test must not run")

    @ok_to_fail
    @cluster(num_nodes=1)
    def test_ok_to_fail(self):
        raise AssertionError("allowed to fail")

    @cluster(num_nodes=1)
    @parametrize(x=1)
    @parametrize(x=2)
    def test_param(self, x):
        return {"x": x}

    @cluster(num_nodes=1)
    def test_flaky(self):
        """Fails on its first run, passes on the second."""
        marker = os.path.join(self.test_context.globals["marker_dir"], "flaky-ran-once")
        if not os.path.exists(marker):
            open(marker, "w").close()
            raise AssertionError("first run fails")

    @cluster(num_nodes=1)
    def test_crash(self):
        os._exit(3)

    @timeout(1)
    @cluster(num_nodes=1)
    def test_hang(self):
        try:
            time.sleep(120)
        except Exception:  # noqa: BLE001, S110 - a test's own catch-all must not swallow the timeout
            pass
        return "slept"
