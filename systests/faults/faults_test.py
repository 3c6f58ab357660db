"""Systests of the fault tools, applied from a test on real nodes: a partition, a degraded link,
stopped and killed processes, a filled disk, and the healing of a fault left by a test process
that was killed. Each checks the effect on the nodes while the fault holds and that nothing of
it is left afterwards (no tagged rule, no ledger).

Run them on real nodes, e.g. the local namespace cluster:
    ducktape-cluster up --nodes 3 && ducktape systests --cluster-file .ducktape/cluster.json
"""
from __future__ import annotations

import re

from ducktape.mark.resource import cluster
from ducktape.tests.test import Test
from ducktape.trogdor.faults import (
    disk_fill,
    network_degrade,
    network_partition,
    process_kill,
    process_stop,
)
from ducktape.trogdor.faults.disk import available_bytes
from ducktape.trogdor.faults.ledger import tasks_on_node
from ducktape.trogdor.faults.shell import account_run
from ducktape.utils.util import wait_until

from ..inner_session import run_inner_session

VICTIM = "dt-systest-victim"  # the command name of the process the process faults act on

KILLED_WITH_A_PARTITION = '''
import os
import signal

from ducktape.mark.resource import cluster
from ducktape.tests.test import Test
from ducktape.trogdor.faults.context import partition_fault


class InnerTest(Test):
    @cluster(num_nodes=2)
    def test_dies_partitioned(self):
        a, b = self.test_context.cluster.nodes
        partition_fault([a], [b]).apply()  # applied, never healed by this process
        os.kill(os.getpid(), signal.SIGKILL)  # no teardown
'''


def reaches(src, dst) -> bool:
    """A TCP connection from *src* to *dst*'s sshd within a second."""
    ip = dst.account.externally_routable_ip
    return src.account.ssh(f"timeout 1 bash -c 'true </dev/tcp/{ip}/22'", allow_fail=True) == 0


def nothing_left(nodes) -> None:
    """No fault rule and no ledger on any of *nodes*."""
    for node in nodes:
        assert "dt-fault:" not in node.account.ssh_output("iptables -w -S").decode(), node.account.hostname
        assert tasks_on_node(account_run(node.account)) == [], node.account.hostname


def start_victim(node) -> int:
    """Start a process named VICTIM on *node*, detached; its pid."""
    return int(node.account.ssh_output(
        f"nohup bash -c 'exec -a {VICTIM} sleep 600' >/dev/null 2>&1 </dev/null & echo $!"))


def ping_ms(src, dst, count: int = 3) -> list[float]:
    """Round trips from *src* to *dst* in ms (``-U``: timed in user space, after the node's INPUT)."""
    out = src.account.ssh_output(f"ping -U -n -c {count} -i 0.2 -W 5 {dst.account.externally_routable_ip}",
                                 allow_fail=True).decode()
    return [float(ms) for ms in re.findall(r"time=([0-9.]+) ms", out)]


class FaultsSystest(Test):
    """The fault tools from ``ducktape.trogdor.faults`` on real nodes reached over SSH."""

    @cluster(num_nodes=3)
    def test_partition_cuts_only_between_groups_and_heals(self):
        n1, n2, n3 = self.test_context.cluster.nodes
        with network_partition([n1], [n2, n3]):
            assert not reaches(n1, n2) and not reaches(n3, n1)
            assert reaches(n2, n3)
        assert reaches(n1, n2) and reaches(n3, n1)
        nothing_left([n1, n2, n3])

    @cluster(num_nodes=2)
    def test_degrade_delays_one_link_and_heals(self):
        n1, n2 = self.test_context.cluster.nodes
        with network_degrade([n1], peers=[n2], delay_ms=200) as fault:
            slow = ping_ms(n1, n2)
            method = fault.results[n1.account.hostname]["method"]
        assert len(slow) == 3 and min(slow) >= 150, (slow, method)  # the delay is added, whatever the load
        assert len(ping_ms(n1, n2)) == 3  # the link still carries packets
        nothing_left([n1, n2])
        return {"method": method, "delayed_ms": slow}

    @cluster(num_nodes=1)
    def test_process_stop_pauses_and_resumes(self):
        node = self.test_context.cluster.nodes[0]
        pid = start_victim(node)
        try:
            def stopped() -> bool:
                return node.account.ssh_output(f"ps -o stat= -p {pid}").decode().startswith("T")

            with process_stop([node], VICTIM) as fault:
                assert fault.results[node.account.hostname] == [pid]
                wait_until(stopped, 10, err_msg=f"pid {pid} never stopped")  # signals arrive asynchronously
            wait_until(lambda: not stopped(), 10, err_msg=f"pid {pid} never resumed")
            nothing_left([node])
        finally:
            node.account.ssh(f"kill -CONT {pid}; kill {pid}", allow_fail=True)

    @cluster(num_nodes=1)
    def test_process_kill_ends_it_and_runs_the_restart(self):
        node = self.test_context.cluster.nodes[0]
        pid = start_victim(node)
        marker = "/tmp/dt-systest-restarted"
        try:
            with process_kill([node], VICTIM, restart=f"touch {marker}") as fault:
                assert fault.results[node.account.hostname] == [pid]
                wait_until(lambda: not node.account.alive(pid), 10, err_msg=f"pid {pid} outlived SIGKILL")
            wait_until(lambda: node.account.isfile(marker), 10, err_msg="the restart command never ran")
            nothing_left([node])
        finally:
            node.account.ssh(f"kill {pid}; rm -f {marker}", allow_fail=True)

    @cluster(num_nodes=1)
    def test_disk_fill_leaves_the_requested_space_and_frees_it(self):
        node = self.test_context.cluster.nodes[0]
        mount, leave = "/mnt/dt-systest-fill", 4 * 2**20
        # a small file system of the node's own: filling /mnt (an unbounded tmpfs) would eat the host's memory
        node.account.ssh(f"mkdir -p {mount} && mount -t tmpfs -o size=24m tmpfs {mount}")
        try:
            run = account_run(node.account)
            before = available_bytes(run, mount)
            with disk_fill([node], mount, leave):
                assert abs(available_bytes(run, mount) - leave) <= 64 * 1024
            assert available_bytes(run, mount) == before
            nothing_left([node])
        finally:
            node.account.ssh(f"umount {mount}; rmdir {mount}", allow_fail=True)

    @cluster(num_nodes=2)
    def test_a_fault_left_by_a_killed_test_is_healed_by_the_runner(self):
        """An inner test partitions its two nodes and SIGKILLs itself: the inner driver heals the
        nodes from their ledgers before freeing them, and says so in the test's result."""
        n1, n2 = self.test_context.cluster.nodes
        status, report = run_inner_session(self, KILLED_WITH_A_PARTITION)
        assert status == 1
        (result,) = report["results"]
        assert result["test_status"] == "FAIL" and "SIGKILL" in result["summary"], result["summary"]
        assert [f["detail"].get("healed_by") for f in result.get("faults", [])] == [
            "the runner, after the test process died"], result.get("faults")
        assert reaches(n1, n2) and reaches(n2, n1)
        nothing_left([n1, n2])
