"""The cluster's network: a bridge with a host address, one netns + veth per node, and
host FORWARD rules that keep traffic between the nodes and the host (no way out).

Addresses: the cluster gets one /24 inside 10.213.0.0/16, picked from a hash of its
name and moved on when the host already uses it. The host is .1, node i is .(i+1).
"""
from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import shlex
from collections.abc import Iterable

from ducktape.cluster.local_cluster.errors import LocalClusterError
from ducktape.cluster.local_cluster.names import NETNS_PREFIX, ClusterNames
from ducktape.cluster.local_cluster.system import run, run_quietly

POOL = ipaddress.ip_network("10.213.0.0/16")
NETNS_DIR = "/run/netns"


def host_networks() -> list[ipaddress.IPv4Network]:
    """Every IPv4 network the host has an address in."""
    links = json.loads(run(["ip", "-j", "-4", "addr", "show"], "list host addresses") or "[]")
    return [
        ipaddress.ip_interface(f"{a['local']}/{a['prefixlen']}").network
        for link in links for a in link.get("addr_info", []) if a.get("family") == "inet"
    ]


def choose_subnet(name: str, taken: Iterable[ipaddress.IPv4Network]) -> ipaddress.IPv4Network:
    """A free /24 of POOL for cluster *name*: stable for a name, never overlapping *taken*."""
    taken = list(taken)
    subnets = list(POOL.subnets(new_prefix=24))
    start = int(hashlib.sha1(name.encode()).hexdigest(), 16) % len(subnets)
    for offset in range(len(subnets)):
        candidate = subnets[(start + offset) % len(subnets)]
        if not any(candidate.overlaps(net) for net in taken):
            return candidate
    raise LocalClusterError(f"no free /24 left in {POOL} for cluster {name!r}")


def host_ip(subnet: ipaddress.IPv4Network) -> str:
    return str(subnet.network_address + 1)


def node_ip(subnet: ipaddress.IPv4Network, index: int) -> str:
    return str(subnet.network_address + 1 + index)


def create_bridge(names: ClusterNames, subnet: ipaddress.IPv4Network) -> None:
    """Make the bridge, give the host its address on it, and fence it in."""
    commands = (
        f"link add {names.bridge} type bridge\n"
        f"addr add {host_ip(subnet)}/{subnet.prefixlen} dev {names.bridge}\n"
        f"link set {names.bridge} up\n"
    )
    run(["ip", "-batch", "-"], f"create bridge {names.bridge}", stdin=commands)
    add_firewall_rules(names)


def firewall_rules(names: ClusterNames) -> list[list[str]]:
    """FORWARD rules: nodes reach each other (even under br_netfilter), nothing else."""
    tag = ["-m", "comment", "--comment", names.firewall_comment]
    br = names.bridge
    return [
        ["-i", br, "!", "-o", br, *tag, "-j", "DROP"],
        ["-o", br, "!", "-i", br, *tag, "-j", "DROP"],
        ["-i", br, "-o", br, *tag, "-j", "ACCEPT"],
    ]


def add_firewall_rules(names: ClusterNames) -> None:
    for rule in firewall_rules(names):
        run(["iptables", "-w", "-I", "FORWARD", *rule], "fence the cluster bridge in")


def remove_firewall_rules(names: ClusterNames) -> None:
    """Delete every FORWARD rule carrying this cluster's comment (however many there are)."""
    listing = run(["iptables", "-w", "-S", "FORWARD"], "list FORWARD rules")
    for line in listing.splitlines():
        words = shlex.split(line)
        if words[:2] == ["-A", "FORWARD"] and _comment(words) == names.firewall_comment:
            run_quietly(["iptables", "-w", "-D", *words[1:]])


def _comment(words: list[str]) -> str | None:
    """The value of `--comment` in one `iptables -S` line, if any."""
    if "--comment" in words[:-1]:
        return words[words.index("--comment") + 1]
    return None


def create_nodes(names: ClusterNames, subnet: ipaddress.IPv4Network, count: int) -> None:
    """Make each node's netns and veth pair (eth0 inside), all in one `ip -batch`."""
    host_side = "".join(
        f"netns add {names.netns(i)}\n"
        f"link add {names.veth(i)} type veth peer name eth0 netns {names.netns(i)}\n"
        f"link set {names.veth(i)} master {names.bridge} up\n"
        for i in range(1, count + 1)
    )
    run(["ip", "-batch", "-"], "create node namespaces", stdin=host_side)
    for i in range(1, count + 1):
        inside = (
            f"addr add {node_ip(subnet, i)}/{subnet.prefixlen} dev eth0\n"
            "link set eth0 up\nlink set lo up\n"
        )
        run(["ip", "-n", names.netns(i), "-batch", "-"], f"configure {names.netns(i)}", stdin=inside)


def cluster_netns(names: ClusterNames) -> list[str]:
    """This cluster's network namespaces that exist now."""
    try:
        entries = os.listdir(NETNS_DIR)
    except FileNotFoundError:
        return []
    return sorted(n for n in entries if names.owns_netns(n))


def all_cluster_netns() -> list[str]:
    """Every ducktape-cluster namespace on the host, whatever cluster it belongs to."""
    try:
        return sorted(n for n in os.listdir(NETNS_DIR) if n.startswith(NETNS_PREFIX))
    except FileNotFoundError:
        return []


def cluster_links(names: ClusterNames) -> list[str]:
    """This cluster's bridge and host-side veths that exist now."""
    links = json.loads(run(["ip", "-j", "link", "show"], "list links") or "[]")
    return [link["ifname"] for link in links if names.owns_link(link["ifname"])]


def netns_pids(netns: str) -> list[int]:
    """PIDs of every process whose network namespace is *netns*."""
    try:
        return [int(p) for p in run(["ip", "netns", "pids", netns], f"list processes in {netns}").split()]
    except LocalClusterError:
        return []


def remove_network(names: ClusterNames) -> None:
    """Delete veths (synchronously: netns deletion frees them only later), namespaces, bridge, rules."""
    for link in cluster_links(names):
        if link != names.bridge:
            run_quietly(["ip", "link", "del", link])
    for netns in cluster_netns(names):
        run_quietly(["ip", "netns", "del", netns])
    if names.bridge in cluster_links(names):
        run_quietly(["ip", "link", "del", names.bridge])
    remove_firewall_rules(names)
