"""A node that dies mid-test: that test fails, the next one runs on the node left."""
import os
import time
from typing import ClassVar

from ducktape.mark.resource import cluster
from ducktape.services.service import Service
from ducktape.tests.test import Test


class NoteService(Service):
    """Writes a note on its node (over SSH) and keeps it as a log."""

    logs: ClassVar[dict] = {"note": {"path": "/tmp/ducktape-note.txt", "collect_default": True}}

    def __init__(self, context):
        super().__init__(context, num_nodes=1)

    def start_node(self, node, **kwargs):
        node.account.ssh("hostname > /tmp/ducktape-note.txt")

    def stop_node(self, node, **kwargs):
        node.account.ssh("true")

    def clean_node(self, node, **kwargs):
        node.account.ssh("rm -f /tmp/ducktape-note.txt")


class NodeLossTest(Test):
    def _marker(self, name):
        open(os.path.join(self.test_context.globals["marker_dir"], name), "w").close()

    @cluster(num_nodes=1)
    def test_a_node_dies(self):
        service = NoteService(self.test_context)
        service.start()
        node = service.nodes[0]
        self._marker(f"holding-{node.account.hostname}")
        deadline = time.time() + 60
        while time.time() < deadline:
            node.account.ssh("true")  # raises once the node is gone
            time.sleep(0.1)
        raise AssertionError("the node never went away")

    @cluster(num_nodes=1)
    def test_b_after(self):
        service = NoteService(self.test_context)
        service.start()
        return {"host": service.nodes[0].account.ssh_output("hostname").decode().strip()}
