"""Tests whose nodes are reached through the session's multiplexer (tests/test_cluster_mux.py)."""
from ducktape.mark import parametrize
from ducktape.mark.resource import cluster
from ducktape.services.service import Service
from ducktape.tests.test import Test


class Nodes(Service):
    def __init__(self, context, num_nodes):
        super().__init__(context, num_nodes=num_nodes)

    def start_node(self, node, **kwargs):
        node.account.ssh("true")

    def stop_node(self, node, **kwargs):
        node.account.ssh("true")

    def clean_node(self, node, **kwargs):
        node.account.ssh("true")


class OverMuxTest(Test):
    def _use(self, num_nodes):
        service = Nodes(self.test_context, num_nodes)
        service.start()
        outputs = set()
        for node in service.nodes:
            for _ in range(3):
                outputs.add(node.account.ssh_output("echo ok"))
        return {"connections": sorted({type(n.account._conn).__name__ for n in service.nodes}),
                "outputs": sorted(o.decode() for o in outputs)}

    @cluster(num_nodes=1)
    @parametrize(round=1)
    @parametrize(round=2)
    @parametrize(round=3)
    def test_one_node(self, round):
        return self._use(1)

    @cluster(num_nodes=2)
    @parametrize(round=1)
    @parametrize(round=2)
    @parametrize(round=3)
    def test_two_nodes(self, round):
        return self._use(2)
