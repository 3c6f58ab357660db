"""ProducerService: a BackgroundThreadService whose worker streams the output of the remote
producer client (like kafkatest's VerifiableProducer/ConsoleConsumer) and records each ack."""
from __future__ import annotations

import os
from typing import ClassVar

from ducktape.services.background_thread import BackgroundThreadService

from .broker import SCRIPTS_DIR


class ProducerService(BackgroundThreadService):
    """Each node sends ``num_messages`` messages to the broker's first node."""

    ROOT = "/mnt/compat/producer"
    LOG_FILE = ROOT + "/producer.log"

    logs: ClassVar[dict] = {"producer_log": {"path": LOG_FILE, "collect_default": True}}

    def __init__(self, context, num_nodes, broker, num_messages, prefix="msg", port=None):
        super().__init__(context, num_nodes=num_nodes)
        self.broker = broker
        self.port = port or broker.port
        self.num_messages = num_messages
        self.prefix = prefix
        self.acked = {}

    def _worker(self, idx, node):
        node.account.mkdirs(self.ROOT)
        node.account.copy_to(os.path.join(SCRIPTS_DIR, "producer_client.py"), self.ROOT)
        target = self.broker.nodes[0].account.externally_routable_ip
        cmd = (f"set -o pipefail; python3 -u {self.ROOT}/producer_client.py --host {target} --port {self.port} "
               f"--count {self.num_messages} --prefix {self.prefix}-{idx} 2>&1 | tee -a {self.LOG_FILE}")
        for line in node.account.ssh_capture(cmd):
            with self.lock:
                self.acked.setdefault(idx, []).append(line.strip())

    def stop_node(self, node, **kwargs):
        node.account.kill_process("producer_client", allow_fail=True)
        self.wait_node(node, timeout_sec=20)

    def clean_node(self, node, **kwargs):
        node.account.remove(self.ROOT, allow_fail=True)
