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
        # lastpid outlives clean_node for the outer test; a node's /tmp is its own, so
        # concurrent runs on other clusters of the host never see it
        node.account.ssh("nohup sleep 1000 >/dev/null 2>&1 & echo $! > /tmp/ducktape-sleeper.pid; "
                         "cp /tmp/ducktape-sleeper.pid /tmp/ducktape-sleeper.lastpid")

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

PARALLEL = '''
import os
from pathlib import Path

from ducktape.mark.resource import cluster
from ducktape.tests.test import Test
from ducktape.utils.util import wait_until


class MeetTest(Test):
    """Two tests that can only pass if they run at the same time."""

    def _meet(self, me, other):
        meeting = Path(os.environ["HOME"]) / "meeting"
        meeting.mkdir(exist_ok=True)
        (meeting / me).write_text(self.test_context.cluster.nodes[0].account.hostname)
        wait_until(lambda: (meeting / other).exists(), timeout_sec=60, err_msg=f"{other} never ran beside {me}")

    @cluster(num_nodes=1)
    def test_left(self):
        self._meet("left", "right")

    @cluster(num_nodes=1)
    def test_right(self):
        self._meet("right", "left")
'''

FAILING_SERVICES = '''
import time

from ducktape.mark.resource import cluster
from ducktape.services.background_thread import BackgroundThreadService
from ducktape.services.service import Service
from ducktape.tests.test import Test
from ducktape.utils.util import wait_until

ROOT = "/tmp/ducktape-failing"


class BrokenService(Service):
    """Starts, leaves a file, then fails; its logs say what happened."""

    logs = {"always": {"path": f"{ROOT}/always.log", "collect_default": True},
            "on_failure": {"path": f"{ROOT}/on_failure.log", "collect_default": False}}

    def start_node(self, node, **kwargs):
        node.account.mkdirs(ROOT)
        node.account.ssh(f"echo always > {ROOT}/always.log; echo failure > {ROOT}/on_failure.log")
        raise RuntimeError(f"broken on purpose on {node.account.hostname}")

    def clean_node(self, node, **kwargs):
        node.account.remove(ROOT, allow_fail=True)


class QuietService(Service):
    """Like BrokenService, but starts fine."""

    logs = BrokenService.logs

    def start_node(self, node, **kwargs):
        node.account.mkdirs(ROOT)
        node.account.ssh(f"echo always > {ROOT}/always.log; echo failure > {ROOT}/on_failure.log")

    def clean_node(self, node, **kwargs):
        node.account.remove(ROOT, allow_fail=True)


class CrashingWorker(BackgroundThreadService):
    def _worker(self, idx, node):
        raise ValueError("worker crashed on purpose")


class FailingServicesTest(Test):
    @cluster(num_nodes=1)
    def test_start_fails(self):
        BrokenService(self.test_context, num_nodes=1).start()

    @cluster(num_nodes=1)
    def test_quiet(self):
        QuietService(self.test_context, num_nodes=1).start()

    @cluster(num_nodes=1)
    def test_worker_crashes(self):
        worker = CrashingWorker(self.test_context, num_nodes=1)
        worker.start()
        worker.wait()

    @cluster(num_nodes=1)
    def test_worker_crashes_unwatched(self):
        worker = CrashingWorker(self.test_context, num_nodes=1)
        worker.start()
        wait_until(lambda: worker.errors, timeout_sec=30, err_msg="the worker never failed")
'''

NODE_LOSS = '''
import time

from ducktape.mark.resource import cluster
from ducktape.tests.test import Test

LOST_PORT = 2022


class NodeLossTest(Test):
    """Run on a node reached on LOST_PORT, the test takes that node's sshd away and fails."""

    def _run(self):
        account = self.test_context.cluster.nodes[0].account
        if account.ssh_config.port == LOST_PORT:
            # the listener and every session it started (ours too, a moment later) go away
            account.ssh("listener=$(cat /tmp/ducktape-lost-sshd.pid); "
                        "nohup sh -c 'sleep 0.5; kill $(pgrep -P '$listener') '$listener >/dev/null 2>&1 &")
            time.sleep(2)
            account.ssh("true")   # fails: the node is gone
            raise AssertionError("the node answered after losing its sshd")
        return account.ssh_output("hostname").decode().strip()

    @cluster(num_nodes=1)
    def test_one(self):
        return self._run()

    @cluster(num_nodes=1)
    def test_two(self):
        return self._run()
'''
