"""CountWatcherService: a long-running BackgroundThreadService stopped from outside, like
kafkatest's ConsoleConsumer: the remote command is backgrounded behind ``tee``, the worker
streams its output until ``stop_node`` kills the process, then ``wait_node`` joins it."""
from __future__ import annotations

import os
from typing import ClassVar

from ducktape.services.background_thread import BackgroundThreadService

from .broker import SCRIPTS_DIR


class CountWatcherService(BackgroundThreadService):
    """Follows the message count of the broker's first node; ``counts`` holds what it saw."""

    ROOT = "/mnt/compat/watcher"
    SCRIPT = ROOT + "/count_watcher.py"
    LOG_FILE = ROOT + "/watcher.log"
    STDERR_FILE = ROOT + "/watcher.stderr"

    logs: ClassVar[dict] = {"watcher_log": {"path": LOG_FILE, "collect_default": False}}

    def __init__(self, context, broker):
        super().__init__(context, num_nodes=1)
        self.broker = broker
        self.counts = []

    def _worker(self, idx, node):
        node.account.mkdirs(self.ROOT)
        node.account.copy_to(os.path.join(SCRIPTS_DIR, "producer_client.py"), self.SCRIPT)
        target = self.broker.nodes[0].account.externally_routable_ip
        cmd = (f"python3 -u {self.SCRIPT} --host {target} --port {self.broker.port} --watch "
               f"2>> {self.STDERR_FILE} | tee -a {self.LOG_FILE} &")
        for line in node.account.ssh_capture(cmd):
            with self.lock:
                self.counts.append(int(line.split()[1]))

    def last_count(self):
        with self.lock:
            return self.counts[-1] if self.counts else None

    def stop_node(self, node, **kwargs):
        node.account.kill_process("count_watcher", clean_shutdown=False, allow_fail=True)
        if not self.wait_node(node, timeout_sec=20):
            raise RuntimeError(f"{self.who_am_i(node)}: the watcher did not stop")

    def clean_node(self, node, **kwargs):
        node.account.remove(self.ROOT, allow_fail=True)
