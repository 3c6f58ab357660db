"""Consuming in kafkatest's ConsoleConsumer style: a backgrounded remote command, streamed until stopped.

Kept apart from the other tests so the comparison can run it on its own.
"""
from __future__ import annotations

from compatsuite.services.broker import BrokerService
from compatsuite.services.watcher import CountWatcherService
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test
from ducktape.utils.util import wait_until


class ConsumeTest(Test):
    """A broker and a watcher on two nodes."""

    def __init__(self, test_context):
        super().__init__(test_context=test_context)
        self.broker = BrokerService(test_context, num_nodes=1, port=test_context.globals.get("broker_port", 9192))

    @cluster(num_nodes=2)
    def test_watch_until_stopped(self):
        """A ConsoleConsumer-style service: its backgrounded command streams until stop() kills it."""
        self.broker.start()
        node = self.broker.nodes[0]
        watcher = CountWatcherService(self.test_context, broker=self.broker)
        watcher.start()
        self.broker.send(node, 3)
        wait_until(lambda: watcher.last_count() == 3 or not watcher.worker_threads[1].is_alive(), timeout_sec=30,
                   backoff_sec=0.1, err_msg=lambda: f"the watcher saw counts {watcher.counts}, never 3")
        assert watcher.last_count() == 3, f"the watcher's output ended early; it saw counts {watcher.counts}"
        watcher.stop()
        assert not watcher.worker_threads[1].is_alive()
        return {"last_count_seen": watcher.last_count()}
