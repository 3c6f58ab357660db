"""Faults inside real ducktape tests: one times out, one is killed, one runs a probe workload."""
import os
import signal
import time

from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.mark import timeout
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test
from ducktape.trogdor.faults import network_partition, record_samples
from ducktape.trogdor.faults.context import partition_fault

PROBE = """
import socket, sys, time
ip, seconds = sys.argv[1], float(sys.argv[2])
end = time.time() + seconds
while time.time() < end:
    t = time.time()
    try:
        socket.create_connection((ip, 22), timeout=0.5).close()
        ok = 1
    except OSError:
        ok = 0
    print("%.3f %.4f %d" % (t, time.time() - t, ok), flush=True)
    time.sleep(0.05)
"""


class FaultSuite(Test):
    def _two_nodes(self):
        return self.test_context.cluster.alloc(ClusterSpec.simple_linux(2))

    def _marker(self, name):
        open(os.path.join(self.test_context.globals["marker_dir"], name), "w").close()

    @timeout(4)
    @cluster(num_nodes=2)
    def test_a_times_out_partitioned(self):
        n1, n2 = self._two_nodes()
        with network_partition([n1], [n2]):
            self._marker("partitioned")
            time.sleep(60)

    @cluster(num_nodes=2)
    def test_b_killed_partitioned(self):
        n1, n2 = self._two_nodes()
        partition_fault([n1], [n2]).apply()
        self._marker("killed")
        os.kill(os.getpid(), signal.SIGKILL)

    @cluster(num_nodes=2)
    def test_c_probe_under_partition(self):
        n1, n2 = self._two_nodes()
        n1.account.create_file("/tmp/probe.py", PROBE)
        n1.account.ssh(f"nohup python3 /tmp/probe.py {n2.account.ssh_hostname} 8 > /tmp/probe.txt 2>&1 &")
        time.sleep(2)
        with network_partition([n1], [n2]):
            time.sleep(3)
        time.sleep(3)
        samples = [tuple(float(x) for x in line.split())
                   for line in n1.account.ssh_output("cat /tmp/probe.txt").decode().splitlines()]
        record_samples("connect n1->n2", samples)
        return {"samples": len(samples)}
