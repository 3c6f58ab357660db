"""Producing through a BackgroundThreadService on two nodes to a broker on a third."""
from __future__ import annotations

from compatsuite.services.broker import BrokerService
from compatsuite.services.producer import ProducerService
from ducktape.mark import defaults, ignore, matrix
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test
from ducktape.utils.util import wait_until


class ProduceTest(Test):
    """A broker started in setUp; producers made by the test."""

    def __init__(self, test_context):
        super().__init__(test_context=test_context)
        self.broker = BrokerService(test_context, num_nodes=1, port=test_context.globals.get("broker_port", 9192))
        self.producer = None

    def setUp(self):
        self.broker.start()

    @cluster(num_nodes=3)
    @ignore(compression="none", num_messages=1000)
    @defaults(compression=["none"])
    @matrix(num_messages=[3, 7, 1000])
    def test_produce(self, num_messages, compression):
        """Two producers each send num_messages; the broker's log must hold all of them."""
        self.producer = ProducerService(self.test_context, num_nodes=2, broker=self.broker,
                                        num_messages=num_messages, prefix=compression)
        self.producer.start()
        self.producer.wait(timeout_sec=60)
        node = self.broker.nodes[0]
        wait_until(lambda: self.broker.message_count(node) == 2 * num_messages, timeout_sec=30, backoff_sec=0.2,
                   err_msg=lambda: f"broker holds {self.broker.message_count(node)} messages, "
                                   f"expected {2 * num_messages}")
        acked = sorted(len(lines) for lines in self.producer.acked.values())
        return {"acked_per_producer": acked, "broker_messages": self.broker.message_count(node),
                "compression": compression, "injected_args": self.test_context.injected_args}
