"""Tests of mixed node counts; each records the nodes it held."""
import time

from ducktape.mark import matrix
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test


class MixedTest(Test):
    def _hold(self, n):
        nodes = self.test_context.cluster.alloc(self.test_context.expected_cluster_spec)
        time.sleep(0.2)
        names = [node.account.hostname for node in nodes]
        self.test_context.cluster.free(nodes)
        assert len(names) == n
        return {"nodes": names}

    @cluster(num_nodes=3)
    @matrix(i=[0, 1])
    def test_three(self, i):
        return self._hold(3)

    @cluster(num_nodes=2)
    @matrix(i=[0, 1, 2])
    def test_two(self, i):
        return self._hold(2)

    @cluster(num_nodes=1)
    @matrix(i=[0, 1, 2, 3])
    def test_one(self, i):
        return self._hold(1)

    @cluster(num_nodes=5)
    def test_too_big(self):
        pass

    def test_undecorated(self):
        return {"held": len(self.test_context.cluster)}
