"""A first ducktape suite: one plain test and one parametrized test, each on one node.

Run it with ``ducktape examples/hello``; no cluster file is needed.
"""
from __future__ import annotations

from ducktape.mark import parametrize
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test
from ducktape.utils.util import wait_until

from .hello_service import HelloService


class HelloTest(Test):
    """Start a HelloService and check what it wrote on its node."""

    def __init__(self, test_context):
        super().__init__(test_context=test_context)
        self.hello = HelloService(test_context, num_nodes=1)

    def _greet(self, greeting: str) -> dict:
        self.hello.greeting = greeting
        self.hello.start()
        node = self.hello.nodes[0]
        wait_until(lambda: f"{greeting} from {node.account.hostname}" in self.hello.greetings(node),
                   timeout_sec=10, backoff_sec=0.05, err_msg=f"no '{greeting}' in the log on {node.account.hostname}")
        return {"node": node.account.hostname, "lines": len(self.hello.greetings(node))}

    @cluster(num_nodes=1)
    def test_hello(self):
        """The service greets once; the log is collected into the results."""
        return self._greet("hello")

    @cluster(num_nodes=1)
    @parametrize(greeting="bonjour")
    @parametrize(greeting="hola")
    def test_greeting(self, greeting):
        """One test per greeting."""
        return self._greet(greeting)
