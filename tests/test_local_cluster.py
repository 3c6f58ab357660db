"""The session namespace cluster: file shape, identity of each node, isolation between nodes.

Everything here talks to real sshds in real namespaces through the OpenSSH client.
"""
from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

from ducktape.cluster.local_cluster import lifecycle, node_files


def tcp_reachable(cluster, node, *targets: tuple[str, int], budget: int = 5) -> list[bool]:
    """For each (ip, port): can *node* open a TCP connection to it within *budget* s? One ssh call."""
    probes = "; ".join(f"timeout {budget} bash -c '</dev/tcp/{ip}/{port}' 2>/dev/null && echo open || echo closed"
                       for ip, port in targets)
    done = cluster.ssh(node, probes)
    assert done.returncode == 0, done.stderr
    return [word == "open" for word in done.stdout.split()]


def host_reaches(ip: str, port: int = 22, budget: float = 5) -> bool:
    try:
        with socket.create_connection((ip, port), timeout=budget):
            return True
    except OSError:
        return False


def test_cluster_file_has_the_contract_shape(netns_cluster):
    doc = json.loads(Path(netns_cluster.cluster_file).read_text())
    assert list(doc) == ["nodes"]
    assert len(doc["nodes"]) == 3
    subnet = ipaddress.ip_network(netns_cluster.state.subnet)
    for entry, node in zip(doc["nodes"], netns_cluster.nodes):
        assert set(entry) == {"ssh_config", "externally_routable_ip"}
        ssh = entry["ssh_config"]
        assert set(ssh) == {"host", "hostname", "user", "port", "identityfile"}
        assert (ssh["host"], ssh["hostname"], ssh["user"], ssh["port"]) == (node.name, node.ip, "root", 22)
        assert entry["externally_routable_ip"] == node.ip
        assert ipaddress.ip_address(node.ip) in subnet
        assert os.stat(ssh["identityfile"]).st_mode & 0o077 == 0, "private key must be private"
    assert len({n.ip for n in netns_cluster.nodes}) == len({n.name for n in netns_cluster.nodes}) == 3


def test_each_node_has_its_own_hostname_and_ip(netns_cluster):
    for node in netns_cluster.nodes:
        done = netns_cluster.ssh(node, "hostname; ip -4 -o addr show dev eth0")
        assert done.returncode == 0, done.stderr
        hostname, addr_line = done.stdout.splitlines()
        assert hostname == node.hostname
        assert f" {node.ip}/24 " in addr_line


def test_nodes_resolve_each_other_by_hostname(netns_cluster):
    first, _, third = netns_cluster.nodes
    done = netns_cluster.ssh(first, f"getent hosts {third.hostname}")
    assert done.stdout.split() == [third.ip, third.hostname]


def test_remote_shell_uses_the_node_home_not_the_host_one(netns_cluster):
    first, second, _ = netns_cluster.nodes
    marker = f"home-{uuid.uuid4().hex}"
    done = netns_cluster.ssh(first, f"cat ~/.bashrc; touch ~/{marker}")
    assert done.stdout == node_files.BASHRC
    assert netns_cluster.ssh(second, f"test -e ~/{marker}").returncode == 1
    assert not (Path.home() / marker).exists()


def test_the_driver_interpreter_runs_on_a_node(netns_cluster):
    """Tools kept under root's real HOME (pyenv, venvs) stay usable on the nodes."""
    done = netns_cluster.ssh(netns_cluster.nodes[0], f"{sys.executable} -c 'import socket; print(socket.gethostname())'")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == netns_cluster.nodes[0].hostname


def test_a_process_on_one_node_is_invisible_on_another(netns_cluster):
    first, second, _ = netns_cluster.nodes
    seconds = 900000 + uuid.uuid4().int % 99999
    started = netns_cluster.ssh(first, f"nohup sleep {seconds} >/dev/null 2>&1 & echo $!")
    pid = int(started.stdout)
    try:
        assert f"sleep {seconds}" in netns_cluster.ssh(first, "ps -eo args").stdout
        assert f"sleep {seconds}" not in netns_cluster.ssh(second, "ps -eo args").stdout
        assert "node_init.py" in netns_cluster.ssh(second, "cat /proc/1/cmdline | tr '\\0' ' '").stdout
    finally:
        netns_cluster.ssh(first, f"kill {pid}")
    # the node's PID 1 reaps orphans: the killed daemon does not linger as a zombie
    # (kill only queues the signal: give init up to 5 s to reap before looking)
    remaining = netns_cluster.ssh(first, f"for i in $(seq 100); do ps -p {pid} >/dev/null || exit 0; sleep 0.05; done; "
                                         f"ps -o stat= -p {pid}")
    assert remaining.stdout == "", f"pid {pid} is still listed (stat {remaining.stdout.strip()})"


def test_private_dirs_are_private_to_each_node(netns_cluster):
    first, second, _ = netns_cluster.nodes
    name = f"private-{uuid.uuid4().hex}"
    paths = [f"{directory}/{name}" for directory in ("/mnt", "/tmp", "/var/log")]
    assert netns_cluster.ssh(first, f"touch {' '.join(paths)} && ls {' '.join(paths)}").stdout.split() == paths
    seen = netns_cluster.ssh(second, " ; ".join(f"test -e {p} && echo {p}" for p in paths) + "; true")
    assert seen.stdout == ""
    assert not [p for p in paths if Path(p).exists()], "a private dir leaked to the host"


def test_no_route_out_of_a_node(netns_cluster):
    for node in netns_cluster.nodes:
        assert netns_cluster.ssh(node, "ip route show default").stdout.strip() == ""
        done = netns_cluster.ssh(node, "bash -c '</dev/tcp/198.51.100.1/80'")
        assert done.returncode != 0
        assert "Network is unreachable" in done.stderr


def test_nodes_reach_each_other_and_the_host(netns_cluster):
    listener = socket.create_server((netns_cluster.host_ip, 0))
    try:
        port = listener.getsockname()[1]
        targets = [(netns_cluster.host_ip, port)] + [(other.ip, 22) for other in netns_cluster.nodes]
        for node in netns_cluster.nodes:
            assert tcp_reachable(netns_cluster, node, *targets) == [True] * len(targets)
    finally:
        listener.close()


def test_iptables_drop_on_one_node_cuts_only_that_node(netns_cluster):
    first, second, third = netns_cluster.nodes
    listener = socket.create_server((netns_cluster.host_ip, 0))
    host_port = (netns_cluster.host_ip, listener.getsockname()[1])
    assert netns_cluster.ssh(third, "iptables -A INPUT -j DROP").returncode == 0
    try:
        # a dropped SYN gets no answer at all: a short budget is enough to tell
        assert not host_reaches(third.ip, budget=1)
        assert tcp_reachable(netns_cluster, first, (third.ip, 22), budget=1) == [False]
        assert tcp_reachable(netns_cluster, first, (second.ip, 22), host_port) == [True, True]
        assert tcp_reachable(netns_cluster, second, (first.ip, 22)) == [True]
        assert host_reaches(first.ip) and host_reaches(second.ip)
        assert "DROP" not in netns_cluster.ssh(first, "iptables -S INPUT").stdout
        assert "-A INPUT -j DROP" not in subprocess.run(["iptables", "-S", "INPUT"], capture_output=True,
                                                        text=True, check=False).stdout
    finally:
        # the node no longer answers ssh, so lift the rule from the host, inside its netns
        subprocess.run(["ip", "netns", "exec", netns_cluster.state.nodes[2].netns,
                        "iptables", "-D", "INPUT", "-j", "DROP"], check=True)
        listener.close()
    assert host_reaches(third.ip)


def test_tc_on_one_node_shapes_only_that_node(netns_cluster):
    first, second, _ = netns_cluster.nodes
    add = netns_cluster.ssh(second, "tc qdisc add dev eth0 root tbf rate 10mbit burst 32kbit latency 50ms")
    assert add.returncode == 0, add.stderr
    try:
        assert "tbf" in netns_cluster.ssh(second, "tc qdisc show dev eth0").stdout
        assert "tbf" not in netns_cluster.ssh(first, "tc qdisc show dev eth0").stdout
        veth = netns_cluster.state.nodes[1].veth
        assert "tbf" not in subprocess.run(["tc", "qdisc", "show", "dev", veth], capture_output=True,
                                           text=True, check=False).stdout
    finally:
        netns_cluster.ssh(second, "tc qdisc del dev eth0 root")


def test_status_reports_every_node_alive(netns_cluster):
    ours = [c for c in lifecycle.status() if c.name == netns_cluster.name]
    assert len(ours) == 1
    cluster = ours[0]
    assert cluster.complete and cluster.subnet == netns_cluster.state.subnet
    assert [(n.hostname, n.ip, n.alive) for n in cluster.nodes] == [(n.name, n.ip, True) for n in netns_cluster.nodes]


def test_host_fences_the_bridge_in(netns_cluster):
    """Forwarding between the bridge and any other interface is dropped, whatever the host's policy."""
    bridge = netns_cluster.state.bridge
    rules = subprocess.run(["iptables", "-S", "FORWARD"], capture_output=True, text=True, check=True).stdout
    ours = [line.split(" -m comment")[0] + " " + line.split()[-1]
            for line in rules.splitlines() if f'"ducktape-cluster:{netns_cluster.name}"' in line]
    assert sorted(ours) == sorted([f"-A FORWARD -i {bridge} ! -o {bridge} DROP",
                                   f"-A FORWARD ! -i {bridge} -o {bridge} DROP",
                                   f"-A FORWARD -i {bridge} -o {bridge} ACCEPT"])
