"""Tests that leave processes on their nodes in every way a test can end badly.

Each starts a ``Daemon``: a ``sleep`` detached into its own session on its node (as a real
daemon would be), whose node and node-side pid go to ``<marker_dir>/pid-<test>`` as ``<host> <pid>``. The driver
must end those processes before the nodes are used again.
"""
import ctypes
import os
import signal
import time

from ducktape.mark.resource import cluster
from ducktape.services.service import Service
from ducktape.tests.test import Test

SLEEP = "3607"  # a recognisable command line: sleep 3607


def _marker(context, name, text=""):
    path = os.path.join(context.globals["marker_dir"], name)
    with open(path + ".tmp", "w") as out:
        out.write(text)
    os.replace(path + ".tmp", path)


class Daemon(Service):
    def __init__(self, context, stop_raises=False, slow_stop=False):
        super().__init__(context, num_nodes=1)
        self.stop_raises = stop_raises
        self.slow_stop = slow_stop
        self.pids = {}

    def start_node(self, node, **kwargs):
        out = node.account.ssh_output(f"setsid sleep {SLEEP} </dev/null >/dev/null 2>&1 & echo $!")
        pid = int(out.split()[-1])
        self.pids[node.account.hostname] = pid
        _marker(self.context, f"pid-{self.context.function_name}", f"{node.account.hostname} {pid}")

    def stop_node(self, node, **kwargs):
        pid = self.pids.get(node.account.hostname)
        if pid is None:  # start() stops each node before starting it
            return
        if self.slow_stop:
            _marker(self.context, f"stopping-{self.context.function_name}")
            time.sleep(120)
        if self.stop_raises:
            raise RuntimeError("stop_node failed")
        node.account.ssh(f"kill -9 {pid}", allow_fail=True)

    def clean_node(self, node, **kwargs):
        pass


class LeftoversTest(Test):
    """Run one at a time, in name order; test_z checks the node the others used."""

    def __init__(self, test_context):
        super().__init__(test_context=test_context)
        name = test_context.function_name
        self.daemon = Daemon(test_context, stop_raises=name == "test_c_stop_raises", slow_stop=name == "test_slow_stop")

    @cluster(num_nodes=1)
    def test_a_exits(self):
        self.daemon.start()
        os._exit(3)

    @cluster(num_nodes=1)
    def test_b_segfaults(self):
        self.daemon.start()
        ctypes.string_at(0)

    @cluster(num_nodes=1)
    def test_c_stop_raises(self):
        self.daemon.start()

    @cluster(num_nodes=1)
    def test_d_closes_every_fd(self):
        self.daemon.start()
        os.closerange(0, 65536)
        time.sleep(30)

    @cluster(num_nodes=1)
    def test_e_forked_child_outlives_it(self):
        self.daemon.start()
        child = os.fork()
        if child == 0:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            time.sleep(3600)
            os._exit(0)
        _marker(self.test_context, "pid-test_e_forked_child", f"<driver> {child}")

    @cluster(num_nodes=1)
    def test_slow_stop(self):
        """For the signal runs: stopping the service takes long; Ctrl-C bursts arrive meanwhile."""
        self.daemon.start()
        _marker(self.test_context, "started-test_slow_stop")
        time.sleep(120)

    @cluster(num_nodes=1)
    def test_ignores_signals(self):
        """For the signal runs: deaf to Ctrl-C and SIGTERM, so the driver has to kill it."""
        self.daemon.start()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
        _marker(self.test_context, "started-test_ignores_signals")
        time.sleep(120)

    @cluster(num_nodes=1)
    def test_remote_command(self):
        """For the signal runs: a remote command still running when Ctrl-C arrives."""
        account = self.daemon.nodes[0].account  # the service holds the test's node; never started
        lines = account.ssh_capture(f"echo $$; exec sleep {SLEEP}")
        pid = int(next(lines))
        _marker(self.test_context, "pid-test_remote_command-command", f"{account.hostname} {pid}")
        _marker(self.test_context, "started-test_remote_command")
        for _ in lines:
            pass

    @cluster(num_nodes=1)
    def test_remote_commands_when_the_driver_dies(self):
        """For the driver-SIGKILL run: two daemons the test starts itself (no service stops
        them) and a remote command still running when the driver is killed."""
        account = self.daemon.nodes[0].account  # the service holds the test's node; never started
        for number in range(2):
            out = account.ssh_output(f"setsid sleep {SLEEP} </dev/null >/dev/null 2>&1 & echo $!")
            _marker(self.test_context, f"pid-driver-dies-{number}", f"{account.hostname} {int(out.split()[-1])}")
        lines = account.ssh_capture(f"echo $$; exec sleep {SLEEP}")
        _marker(self.test_context, "pid-driver-dies-command", f"{account.hostname} {int(next(lines))}")
        _marker(self.test_context, "started-driver-dies", str(os.getpid()))
        for _ in lines:
            pass

    @cluster(num_nodes=3)
    def test_every_node(self):
        """On the namespace cluster: takes every node, so the session cleans each of them first."""

    @cluster(num_nodes=1)
    def test_z_node_is_clean(self):
        """Runs last, on a one-node cluster, so on the node every test above used: nothing
        they started there, nor anything they left on the driver's machine, may still run."""
        node = self.daemon.nodes[0]
        left = []
        marker_dir = self.test_context.globals["marker_dir"]
        for name in sorted(os.listdir(marker_dir)):
            if not name.startswith("pid-"):
                continue
            with open(os.path.join(marker_dir, name)) as pid_file:
                host, pid = pid_file.read().split()
            if host == "<driver>" or getattr(node.account, "local", False):
                stat = _local_stat(pid)
            else:
                stat = node.account.ssh_output(f"cat /proc/{pid}/stat 2>/dev/null || true").decode()
            if stat and stat.rsplit(")", 1)[1].split()[0] not in "ZX":
                left.append(f"{name}: {stat}")
        assert not left, f"still running: {left}"


def _local_stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read()
    except OSError:
        return ""
