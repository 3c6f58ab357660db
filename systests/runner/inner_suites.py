"""Suites the runner systests hand to an inner ``ducktape`` run, kept as text so that
discovery of systests/ never collects them."""

TWO_NODES = '''
from ducktape.mark.resource import cluster
from ducktape.services.service import Service
from ducktape.tests.test import Test


class EchoService(Service):
    """Writes its node's hostname into a log on that node."""

    logs = {"echo_log": {"path": "/tmp/ducktape-systest/echo.log", "collect_default": True}}

    def start_node(self, node, **kwargs):
        node.account.mkdirs("/tmp/ducktape-systest")
        node.account.ssh("hostname > /tmp/ducktape-systest/echo.log")

    def clean_node(self, node, **kwargs):
        node.account.remove("/tmp/ducktape-systest", allow_fail=True)


class InnerTest(Test):
    @cluster(num_nodes=2)
    def test_two_nodes(self):
        service = EchoService(self.test_context, num_nodes=2)
        service.start()
        return sorted(n.account.ssh_output("cat /tmp/ducktape-systest/echo.log").decode().strip()
                      for n in service.nodes)

    @cluster(num_nodes=1)
    def test_fails(self):
        raise AssertionError("inner failure")
'''

HANGS = '''
import time

from ducktape.mark.resource import cluster
from ducktape.services.service import Service
from ducktape.tests.test import Test


class SleeperService(Service):
    """A remote process that would outlive the test unless teardown stops it."""

    def start_node(self, node, **kwargs):
        node.account.ssh("nohup sleep 1000 >/dev/null 2>&1 & echo $! > /tmp/ducktape-sleeper.pid; "
                         "cp /tmp/ducktape-sleeper.pid /var/tmp/ducktape-sleeper.lastpid")

    def stop_node(self, node, **kwargs):
        node.account.ssh("test ! -f /tmp/ducktape-sleeper.pid || kill $(cat /tmp/ducktape-sleeper.pid) || true")

    def clean_node(self, node, **kwargs):
        node.account.ssh("rm -f /tmp/ducktape-sleeper.pid")


class HangTest(Test):
    @cluster(num_nodes=1)
    def test_hangs(self):
        SleeperService(self.test_context, num_nodes=1).start()
        time.sleep(600)
'''
