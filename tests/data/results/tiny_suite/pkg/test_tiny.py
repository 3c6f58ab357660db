import os

from ducktape.mark import ignore, parametrize
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test


class TinyTest(Test):
    """Tiny class doc."""

    @cluster(num_nodes=1)
    def test_pass(self):
        """passes"""
        return {"x": 1}

    @cluster(num_nodes=1)
    @parametrize(a=1, b="q r")
    def test_fail(self, a, b):
        assert a == 2, "a is not 2\nsecond line"

    @ignore
    @cluster(num_nodes=1)
    def test_ignored(self):
        pass

    @cluster(num_nodes=1)
    def test_flaky(self):
        marker = "/tmp/cmp_E/flaky_marker"
        if not os.path.exists(marker):
            open(marker, "w").close()
            raise RuntimeError("first run fails")
