"""Faults applied from a test, for real, on the namespace cluster's nodes."""
from __future__ import annotations

import time
import urllib.request

import pytest

from ducktape.trogdor.faults import (
    FaultError,
    disk_fill,
    heal_nodes,
    network_partition,
    process_kill,
    process_stop,
)
from ducktape.trogdor.faults.context import partition_fault
from ducktape.trogdor.faults.disk import available_bytes
from ducktape.trogdor.faults.ledger import tasks_on_node
from ducktape.trogdor.faults.shell import account_run
from tests.support.fault_nodes import allocated

OTHER_RULE = "-s 192.0.2.77/32 -m comment --comment someone-else -j DROP"


@pytest.fixture
def nodes(netns_cluster):
    with allocated(netns_cluster, 3) as nodes:
        yield nodes


def reaches(src, dst) -> bool:
    """TCP connect from *src* to *dst*'s sshd, 1 second at most."""
    ip = dst.account.ssh_hostname
    return src.account.ssh(f"timeout 1 bash -c 'true </dev/tcp/{ip}/22'", allow_fail=True) == 0


def rules(node) -> str:
    return node.account.ssh_output("iptables -w -S INPUT").decode()


def test_partition_cuts_tcp_between_groups_only_and_heals(nodes):
    n1, n2, n3 = nodes
    n2.account.ssh(f"iptables -w -A INPUT {OTHER_RULE}")
    try:
        before = [rules(n) for n in nodes]
        with network_partition([n1], [n2, n3]) as fault:
            assert not reaches(n1, n2) and not reaches(n2, n1)
            assert not reaches(n1, n3) and not reaches(n3, n1)
            assert reaches(n2, n3) and reaches(n3, n2)
            assert all(tasks_on_node(account_run(n.account)) == [fault.task_id] for n in nodes)
        assert [rules(n) for n in nodes] == before  # ours gone, someone else's kept
        assert "someone-else" in rules(n2)
        assert reaches(n1, n2) and reaches(n3, n1)
        assert all(tasks_on_node(account_run(n.account)) == [] for n in nodes)
    finally:
        n2.account.ssh(f"iptables -w -D INPUT {OTHER_RULE}", allow_fail=True)


def test_partition_heals_when_the_block_raises_and_overlaps_heal_separately(nodes):
    n1, n2, n3 = nodes
    before = [rules(n) for n in nodes]
    with pytest.raises(RuntimeError, match="boom"), network_partition([n1], [n2, n3]):
        with network_partition([n1, n2], [n3]):
            assert not reaches(n2, n3) and not reaches(n1, n2)
        assert reaches(n2, n3) and not reaches(n1, n2)
        raise RuntimeError("boom")
    assert [rules(n) for n in nodes] == before
    assert reaches(n1, n2)


def test_a_ledger_left_by_a_dead_test_is_healed_from_the_node(nodes):
    n1, n2, _ = nodes
    before = rules(n1)
    fault = partition_fault([n1], [n2]).apply()  # never healed here: as if the test process died
    assert not reaches(n1, n2)
    healed = heal_nodes([n1, n2])
    assert healed == {n1.account.hostname: {fault.task_id: []}, n2.account.hostname: {fault.task_id: []}}
    assert rules(n1) == before and reaches(n1, n2)


def test_a_partition_plan_naming_unknown_nodes_is_refused(nodes):
    with pytest.raises(FaultError, match="not given"), network_partition(plan={"x": frozenset({"y"})}, nodes=nodes):
        pass


def http_answers(node, port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{node.account.ssh_hostname}:{port}/", timeout=1) as reply:
            return reply.status == 200
    except OSError:
        return False


def wait_until(check, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def start_server(node, port: int) -> int:
    """A small HTTP server on *node*; returns its pid (found by the faults as ``http.server <port>``)."""
    pid = int(node.account.ssh_output(
        f"cd /tmp; nohup python3 -m http.server {port} >/dev/null 2>&1 </dev/null & echo $!"))
    assert wait_until(lambda: http_answers(node, port))
    return pid


def test_stopped_process_stops_answering_and_resumes(nodes):
    node, port = nodes[0], 18301
    pid = start_server(node, port)
    try:
        with process_stop([node], f"http.server {port}") as fault:
            assert fault.results[node.account.hostname] == [pid]
            assert not http_answers(node, port)
            state = node.account.ssh_output(f"ps -o stat= -p {pid}").decode()
            assert state.startswith("T")
        assert wait_until(lambda: http_answers(node, port))
    finally:
        node.account.ssh(f"kill -CONT {pid}; kill {pid}", allow_fail=True)


def test_killed_process_is_gone_and_restart_command_runs(nodes):
    node, port = nodes[1], 18302
    pid = start_server(node, port)
    restart = f"echo $$ > /tmp/restarted-{port}; cd /tmp && exec python3 -m http.server {port}"
    try:
        with process_kill([node], f"http.server {port}", restart=restart) as fault:
            assert fault.results[node.account.hostname] == [pid]
            assert wait_until(lambda: not node.account.alive(pid))
            assert not http_answers(node, port)
        assert wait_until(lambda: node.account.isfile(f"/tmp/restarted-{port}"))  # started detached
        assert wait_until(lambda: http_answers(node, port))
    finally:
        node.account.ssh(f"kill $(cat /tmp/restarted-{port}); rm -f /tmp/restarted-{port}", allow_fail=True)


def test_disk_fill_leaves_the_requested_space(nodes):
    node, mount, leave = nodes[2], "/mnt/dt-fill", 5 * 2**20
    node.account.ssh(f"mkdir -p {mount} && mount -t tmpfs -o size=40m tmpfs {mount}")
    try:
        before = available_bytes(account_run(node.account), mount)
        with disk_fill([node], mount, leave):
            assert abs(available_bytes(account_run(node.account), mount) - leave) <= 8192
        assert available_bytes(account_run(node.account), mount) == before
        assert node.account.ssh_output(f"ls -A {mount}") == b""
    finally:
        node.account.ssh(f"umount {mount}; rmdir {mount}", allow_fail=True)
