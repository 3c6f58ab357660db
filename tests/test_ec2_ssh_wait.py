"""The SSH wait on its own, against a real sshd on loopback (EC2 instances in moto have
addresses nothing answers on)."""
from __future__ import annotations

import socket
import threading

import pytest

from ducktape.cluster.ec2.errors import Ec2Error
from ducktape.cluster.ec2.ssh_wait import ssh_answers, wait_for_ssh
from tests.support.sshd import free_port


def test_waits_for_every_node_concurrently(loopback_sshd):
    nodes = [(f"worker{i}", "127.0.0.1", loopback_sshd.port) for i in range(1, 6)]
    waited = wait_for_ssh(nodes, timeout=30)
    assert set(waited) == {"worker1", "worker2", "worker3", "worker4", "worker5"}
    assert ssh_answers("127.0.0.1", loopback_sshd.port, 5)


def test_a_node_that_starts_late_is_waited_for(loopback_sshd):
    """sshd stopped, then restarted while the wait is polling: the wait succeeds."""
    loopback_sshd.stop()
    assert not ssh_answers("127.0.0.1", loopback_sshd.port, 1)
    restarter = threading.Timer(1.5, loopback_sshd.start)
    restarter.start()
    try:
        waited = wait_for_ssh([("worker1", "127.0.0.1", loopback_sshd.port)], timeout=60, poll=0.2)
    finally:
        restarter.join()
    assert waited["worker1"] >= 1.0


def test_silent_and_closed_ports_fail_within_the_bound_naming_the_node(loopback_sshd):
    closed = free_port()
    with socket.socket() as silent:  # accepts connections but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        nodes = [("worker1", "127.0.0.1", loopback_sshd.port), ("worker2", "127.0.0.1", silent.getsockname()[1])]
        with pytest.raises(Ec2Error) as err:
            wait_for_ssh(nodes, timeout=1, poll=0.2)
    assert "worker2 (127.0.0.1:" in err.value.message and "within 1s" in err.value.message
    assert "security group" in err.value.hint
    with pytest.raises(Ec2Error, match=f"worker3 \\(127.0.0.1:{closed}\\)"):
        wait_for_ssh([("worker3", "127.0.0.1", closed)], timeout=0.5, poll=0.1)
