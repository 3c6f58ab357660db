"""BrokerService: the toy broker of scripts/broker_server.py on each of its nodes, managed the
way kafkatest's KafkaService manages Kafka (rendered config, nohup start, log-watched startup,
pids from ps, signals to stop, remove to clean)."""
from __future__ import annotations

import os
import signal
from typing import ClassVar

from ducktape.services.service import Service
from ducktape.utils.util import wait_until

SCRIPTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts")


class BrokerService(Service):
    """One broker per node, listening on ``port`` at the node's routable address."""

    ROOT = "/mnt/compat/broker"
    BIN_DIR = ROOT + "/bin"
    CONFIG_FILE = ROOT + "/broker.properties"
    SERVER_LOG = ROOT + "/server.log"
    STDOUT_STDERR = ROOT + "/broker.stdout"
    DATA_DIR = ROOT + "/data"
    STARTED_PATTERN = "listening on"

    logs: ClassVar[dict] = {
        "broker_server_log": {"path": SERVER_LOG, "collect_default": True},
        "broker_stdout_stderr": {"path": STDOUT_STDERR, "collect_default": True},
        "broker_data": {"path": DATA_DIR, "collect_default": False},
    }

    def __init__(self, context, num_nodes=1, port=9192, greeting=None):
        super().__init__(context, num_nodes=num_nodes)
        self.port = port
        self.greeting = greeting

    def start_cmd(self, node):
        return (f"nohup python3 -u {self.BIN_DIR}/broker_server.py --config {self.CONFIG_FILE} "
                f"--server-log {self.SERVER_LOG} >> {self.STDOUT_STDERR} 2>&1 &")

    def start_node(self, node, **kwargs):
        node.account.mkdirs(self.BIN_DIR)
        node.account.copy_to(os.path.join(SCRIPTS_DIR, "broker_server.py"), self.BIN_DIR)
        node.account.copy_to(os.path.join(SCRIPTS_DIR, "producer_client.py"), self.BIN_DIR)
        config = self.render("broker.properties", node=node, broker_id=self.idx(node), who=self.who_am_i())
        self.logger.info("broker.properties for %s:\n%s", node.account.hostname, config)
        node.account.create_file(self.CONFIG_FILE, config)
        with node.account.monitor_log(self.SERVER_LOG) as monitor:
            node.account.ssh(self.start_cmd(node))
            monitor.wait_until(self.STARTED_PATTERN, timeout_sec=30, backoff_sec=0.2,
                               err_msg=f"broker on {node.account.hostname} did not start within 30 s")
        if not self.pids(node):
            raise RuntimeError(f"no broker process on {node.account.hostname} after start")

    def pids(self, node):
        cmd = "ps ax | grep -i broker_server.py | grep -v grep | awk '{print $1}'"
        return list(node.account.ssh_capture(cmd, allow_fail=True, callback=int))

    def alive(self, node):
        return len(self.pids(node)) > 0

    def stop_node(self, node, clean_shutdown=True, **kwargs):
        sig = signal.SIGTERM if clean_shutdown else signal.SIGKILL
        for pid in self.pids(node):
            node.account.signal(pid, sig, allow_fail=False)
        wait_until(lambda: not self.alive(node), timeout_sec=20, backoff_sec=0.2,
                   err_msg=f"broker on {node.account.hostname} still running after signal {sig.name}")

    def clean_node(self, node, **kwargs):
        node.account.kill_process("broker_server", clean_shutdown=False, allow_fail=True)
        node.account.remove(self.ROOT, allow_fail=True)

    def client_cmd(self, node, *args):
        """A producer_client.py command line aimed at the broker on *node*."""
        host = node.account.externally_routable_ip
        return f"python3 {self.BIN_DIR}/producer_client.py --host {host} --port {self.port} " + " ".join(args)

    def ping(self, node):
        return node.account.ssh_output(self.client_cmd(node, "--ping")).decode().strip()

    def send(self, node, count, prefix="msg"):
        """Send *count* messages from the broker's own node; returns the acked offsets."""
        out = node.account.ssh_output(self.client_cmd(node, f"--count {count} --prefix {prefix}"))
        return [int(line.split()[-1]) for line in out.decode().splitlines()]

    def message_count(self, node):
        out = node.account.ssh_output(f"cat {self.DATA_DIR}/messages.log 2>/dev/null | wc -l", allow_fail=True)
        return int(out.decode().strip() or 0)

    def server_log(self, node):
        return node.account.ssh_output(f"cat {self.SERVER_LOG}", allow_fail=True).decode()
