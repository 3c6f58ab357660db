"""HelloService: writes greetings to a log file on each of its nodes.

A service in the smallest form ducktape knows: start a thing on a node, stop it,
clean up after it, and name the logs worth keeping.
"""
from __future__ import annotations

from ducktape.services.service import Service


class HelloService(Service):
    """Appends a greeting to ``hello.log`` on every node it holds."""

    ROOT = "/tmp/ducktape-hello"

    def __init__(self, context, num_nodes: int = 1, greeting: str = "hello"):
        super().__init__(context, num_nodes=num_nodes)
        self.greeting = greeting
        # One directory per test and service: on the embedded localhost cluster all nodes
        # share /tmp, tests run side by side (--max-parallel), and a service id alone can
        # repeat across tests (it embeds id(self), and every test process is forked alike).
        session = context.session_context.session_id
        self.log_dir = f"{self.ROOT}/{session}/{context.test_index}-{self.service_id}"
        self.log_file = f"{self.log_dir}/hello.log"
        self.logs = {"hello_log": {"path": self.log_file, "collect_default": True}}

    def start_node(self, node, **kwargs):
        node.account.mkdirs(self.log_dir)
        node.account.ssh(f"echo '{self.greeting} from {node.account.hostname}' >> {self.log_file}")

    def stop_node(self, node, **kwargs):
        self.logger.info("nothing to stop on %s", node.account.hostname)

    def clean_node(self, node, **kwargs):
        # Only this service's own directory: removing the shared parents, even when empty,
        # races with a test beside it whose mkdir -p is creating them.
        node.account.remove(self.log_dir, allow_fail=True)

    def greetings(self, node) -> list[str]:
        """The lines logged so far on *node*."""
        return node.account.ssh_output(f"cat {self.log_file}", allow_fail=True).decode().splitlines()
