"""A degraded link on the namespace cluster: the delay it says, toward the named peer only."""
from __future__ import annotations

import statistics

import pytest

from ducktape.trogdor.faults import FaultError, network_degrade
from ducktape.trogdor.faults.degrade import netem_available
from ducktape.trogdor.faults.shell import account_run
from tests.support.fault_nodes import allocated

CONNECT_TIMES = """
import socket, sys, time
out = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    try:
        socket.create_connection((sys.argv[1], 22), timeout=2).close()
        out.append(time.perf_counter() - t)
    except OSError:
        out.append(-1)
print(" ".join("%.5f" % x for x in out))
"""


@pytest.fixture
def nodes(netns_cluster):
    with allocated(netns_cluster, 3) as nodes:
        for node in nodes:
            node.account.create_file("/tmp/connect_times.py", CONNECT_TIMES)
        yield nodes


def connect_times(src, dst, count: int = 9) -> list[float]:
    out = src.account.ssh_output(f"python3 /tmp/connect_times.py {dst.account.ssh_hostname} {count}").decode()
    return [float(x) for x in out.split()]


def rtt_ms(src, dst) -> float:
    return 1000 * statistics.median(connect_times(src, dst))


def state(node) -> tuple[str, str]:
    return (node.account.ssh_output("iptables -w -S INPUT").decode(),
            node.account.ssh_output("tc qdisc show").decode())


def test_delay_toward_the_named_peer_only(nodes):
    n1, n2, n3 = nodes
    before = state(n1)
    with network_degrade([n1], peers=[n2], delay_ms=100) as fault:
        expected = "netem" if netem_available(account_run(n1.account)) else "user space"
        assert fault.results[n1.account.hostname]["method"] == expected
        assert 100 <= rtt_ms(n1, n2) <= 110
        assert rtt_ms(n1, n3) < 10
        assert n1.account.ssh_output("echo control path fine") == b"control path fine\n"
    assert rtt_ms(n1, n2) < 10
    assert state(n1) == before


def test_loss_and_rate_limit_then_back_to_before(nodes):
    n1, n2, n3 = nodes
    before = state(n1)
    with network_degrade([n1], peers=[n2], loss_percent=100, rate_kbit=800):
        assert all(t < 0 for t in connect_times(n1, n2, count=2))  # every answer lost
        assert rtt_ms(n1, n3) < 10
        rules, qdiscs = state(n1)
        assert "statistic" in rules and "htb" in qdiscs
    assert state(n1) == before
    assert rtt_ms(n1, n2) < 10


UDP_ECHO = """
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 19999))
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(data, peer)
"""
UDP_CLIENT = """
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
for i in range(20):
    s.sendto(b"%03d" % i + b"y" * 100, (sys.argv[1], 19999))
    time.sleep(0.01)
got = []
try:
    while True:
        got.append(s.recv(2048))
except OSError:
    pass
print(" ".join(g[:3].decode() if g[3:] == b"y" * 100 else "bad" for g in got))
"""


def test_duplication_reordering_and_corruption_in_user_space(nodes):
    n1, n2, _ = nodes
    n2.account.create_file("/tmp/udp_echo.py", UDP_ECHO)
    n1.account.create_file("/tmp/udp_client.py", UDP_CLIENT)
    pid = n2.account.ssh_output("nohup python3 /tmp/udp_echo.py >/dev/null 2>&1 </dev/null & echo $!").decode()

    def replies() -> list[str]:
        return n1.account.ssh_output(f"python3 /tmp/udp_client.py {n2.account.ssh_hostname}").decode().split()

    try:
        sent = [f"{i:03d}" for i in range(20)]
        for _ in range(20):  # until the echo server listens
            if replies() == sent:
                break
        assert replies() == sent
        with network_degrade([n1], peers=[n2], delay_ms=20, duplicate_percent=100, method="user space"):
            assert sorted(replies()) == sorted(sent * 2)
        with network_degrade([n1], peers=[n2], delay_ms=30, jitter_ms=20, reorder_percent=50, method="user space"):
            got = replies()
            assert sorted(got) == sent and got != sent
        with network_degrade([n1], peers=[n2], corrupt_percent=100, method="user space"):
            assert len([r for r in replies() if r != "bad"]) < len(sent)  # checksums catch most flips
        assert replies() == sent
    finally:
        n2.account.ssh(f"kill {pid.strip()}", allow_fail=True)


def test_someone_elses_qdisc_is_left_alone(nodes):
    n1, n2, _ = nodes
    dev = n1.account.ssh_output(f"ip -o route get {n2.account.ssh_hostname}").decode().split("dev ")[1].split()[0]
    n1.account.ssh(f"tc qdisc add dev {dev} root handle 77: tbf rate 1gbit burst 64kb latency 50ms")
    try:
        theirs = n1.account.ssh_output(f"tc qdisc show dev {dev}")
        with pytest.raises(FaultError, match="someone else"), network_degrade([n1], peers=[n2], rate_kbit=1000):
            pass
        assert n1.account.ssh_output(f"tc qdisc show dev {dev}") == theirs
        assert "dt-fault:" not in state(n1)[0]
    finally:
        n1.account.ssh(f"tc qdisc del dev {dev} root handle 77:", allow_fail=True)


def test_a_dead_delayer_lets_packets_through_and_still_heals(nodes):
    n1, n2, _ = nodes
    before = state(n1)
    with network_degrade([n1], peers=[n2], delay_ms=100, method="user space") as fault:
        assert rtt_ms(n1, n2) >= 100
        pidfile = f'/var/lib/ducktape-trogdor/faults/"$(hostname)"/{fault.task_id}.nfqueue.pid'
        pid = int(n1.account.ssh_output(f"cat {pidfile}", timeout_sec=30))
        # no shell waits for it holding the output of the command that started it (it would
        # write "Killed" there, in the middle of a later command of the same pooled shell)
        parent = n1.account.ssh_output(f"ps -o comm= -p $(ps -o ppid= -p {pid})", timeout_sec=30).decode()
        assert parent.strip() not in ("bash", "sh")
        n1.account.ssh(f"kill -9 {pid}", timeout_sec=30)
        assert rtt_ms(n1, n2) < 10  # --queue-bypass: no listener, no delay, no loss
    assert state(n1) == before
