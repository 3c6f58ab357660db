"""Bring a cluster up, take it down, report on it. The CLI and the pytest fixture call these.

`up` records each step in the state file before taking the next, and undoes
everything if a step fails. `down` works from derived names plus whatever the state
file says, so it also clears what a crashed or SIGKILLed `up` left behind, and
running it twice is harmless.
"""
from __future__ import annotations

import ipaddress
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ducktape.cluster.local_cluster import network, node_files, nodes
from ducktape.cluster.local_cluster.editable import with_editable_sources
from ducktape.cluster.local_cluster.errors import LocalClusterError
from ducktape.cluster.local_cluster.lookup import check_overwrite
from ducktape.cluster.local_cluster.names import (
    NAME_RULE,
    NETNS_PREFIX,
    STATE_ROOT,
    ClusterNames,
    check_name,
    check_node_count,
)
from ducktape.cluster.local_cluster.state import (
    ClusterState,
    NodeState,
    cluster_names_on_disk,
    read_state,
    state_lock,
    write_state,
)
from ducktape.errors import UsageError
from ducktape.utils import proc

KILL_TIMEOUT_SEC = 10.0  # how long node processes get to die after SIGKILL

PRIVSEP_DIR = Path("/run/sshd")


def up(name: str, node_count: int, cluster_file: Path, root: Path = STATE_ROOT,
       shares: Sequence[str] = ()) -> ClusterState:
    """Create cluster *name* with *node_count* nodes, write *cluster_file*, return its state.

    Each dir in *shares* is bind-mounted at the same path on every node, even under the
    nodes' private /tmp, /mnt or /var/log (the code under test, the driver's virtualenv),
    and so is the checkout of each editable install in a shared virtualenv (the state's
    ``shares`` lists them all).
    """
    names = ClusterNames(check_name(name), root)
    check_node_count(node_count)
    share_dirs, _ = with_editable_sources(check_shares(shares))
    check_overwrite(Path(cluster_file), names.name, root)
    with state_lock(root):
        state = _claim(names, node_count, Path(cluster_file).absolute(), share_dirs)
    try:
        network.create_bridge(names, ipaddress.ip_network(state.subnet))
        _start(names, state)
    except BaseException:
        down(name, root=root)
        raise
    return state


def check_shares(shares: Sequence[str]) -> list[str]:
    """Absolute paths of *shares*; each must be an existing directory."""
    dirs = []
    for share in shares:
        path = os.path.abspath(share)
        if not os.path.isdir(path):
            raise UsageError(f"--share is not a directory: {share!r}", hint="--share DIR, an existing host directory")
        dirs.append(path)
    return dirs


def _claim(names: ClusterNames, node_count: int, cluster_file: Path, shares: list[str]) -> ClusterState:
    """Claim a name and a subnet by recording them (under the lock); nothing else is made yet."""
    if names.state_dir.exists() or network.cluster_netns(names) or network.cluster_links(names):
        raise UsageError(f"a cluster named {names.name!r} already exists (or left pieces behind)",
                         hint=f"ducktape-cluster down --name {names.name}, or pick another --name")
    taken = network.host_networks() + [ipaddress.ip_network(s.subnet) for s in _other_states(names)]
    subnet = network.choose_subnet(names.name, taken)
    names.state_dir.mkdir(mode=0o700, parents=True)
    state = ClusterState(
        name=names.name, subnet=str(subnet), bridge=names.bridge, host_ip=network.host_ip(subnet),
        state_dir=str(names.state_dir), identity_file=str(names.identity_file), cluster_file=str(cluster_file),
        nodes=[NodeState(index=i, hostname=names.hostname(i), ip=network.node_ip(subnet, i),
                         netns=names.netns(i), veth=names.veth(i)) for i in range(1, node_count + 1)],
        shares=shares,
    )
    write_state(names.state_file, state)
    return state


def _other_states(names: ClusterNames) -> list[ClusterState]:
    found = (read_state(ClusterNames(n, names.root).state_file) for n in cluster_names_on_disk(names.root))
    return [s for s in found if s is not None and s.name != names.name]


def _start(names: ClusterNames, state: ClusterState) -> None:
    """Make keys, files, namespaces and node processes; wait for every sshd; write the cluster file."""
    subnet = ipaddress.ip_network(state.subnet)
    PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)  # sshd refuses to start without it
    node_files.generate_keys(names, len(state.nodes))
    for node in state.nodes:
        node_files.write_node_files(names, node)
    (names.state_dir / "hosts").write_text(node_files.hosts_file(state.nodes, state.host_ip))
    (names.state_dir / "ssh_config").write_text(node_files.ssh_config_file(names, state.nodes))
    network.create_nodes(names, subnet, len(state.nodes))
    started = {}
    for node in state.nodes:
        started[node.index] = nodes.start_node(names, node, state.shares)
        node.holder_pid = started[node.index].pid
    write_state(names.state_file, state)
    nodes.wait_until_ready(names, started, state.nodes)
    for node in state.nodes:
        node.init_pid = nodes.init_pid(node.holder_pid)
    write_cluster_file(Path(state.cluster_file), node_files.cluster_document(names, state.nodes))
    state.complete = True
    write_state(names.state_file, state)


def write_cluster_file(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(document, indent=2) + "\n")
    tmp.replace(path)


@dataclass
class DownReport:
    """What `down` found and removed; `existed` is False when there was nothing to do."""

    name: str
    existed: bool
    killed: list[int]
    netns: list[str]
    survivors: list[int]


def down(name: str, root: Path = STATE_ROOT) -> DownReport:
    """Remove every trace of cluster *name*: processes, namespaces, links, rules, files."""
    names = ClusterNames(check_name(name), root)
    with state_lock(root):
        state = read_state(names.state_file)
        netns = network.cluster_netns(names)
        existed = bool(state or netns or names.state_dir.exists() or network.cluster_links(names))
        pids = _node_pids(names, state, netns)
        survivors = proc.kill_and_wait(pids, KILL_TIMEOUT_SEC)
        network.remove_network(names)
        if state and state.cluster_file:
            _remove_cluster_file(Path(state.cluster_file), names)
        shutil.rmtree(names.state_dir, ignore_errors=True)
    if survivors:
        raise LocalClusterError(f"processes of cluster {name!r} survived SIGKILL: {survivors}")
    return DownReport(name, existed, pids, netns, survivors)


def _node_pids(names: ClusterNames, state: ClusterState | None, netns: list[str]) -> list[int]:
    """Every live process of the cluster: recorded PIDs that are still ours, plus all in its netns."""
    recorded = [p for n in (state.nodes if state else []) for p in (n.holder_pid, n.init_pid) if p]
    pids = {p for p in recorded if nodes.is_ours(p, names)}
    for ns in netns:
        pids.update(network.netns_pids(ns))
    return sorted(pids)


def _remove_cluster_file(path: Path, names: ClusterNames) -> None:
    """Delete the cluster file `up` wrote, unless something else has replaced it since."""
    try:
        document = json.loads(path.read_text())
        ours = all(n["ssh_config"]["identityfile"] == str(names.identity_file) for n in document["nodes"])
    except (OSError, ValueError, KeyError, TypeError):
        return
    if ours:
        path.unlink(missing_ok=True)


@dataclass
class NodeStatus:
    hostname: str
    ip: str
    netns: str
    init_pid: int | None
    alive: bool


@dataclass
class ClusterStatus:
    name: str
    subnet: str | None
    bridge: str
    cluster_file: str | None
    complete: bool
    nodes: list[NodeStatus]


def status(root: Path = STATE_ROOT) -> list[ClusterStatus]:
    """Every cluster on this host (recorded or left over), with each node alive or not."""
    recorded = set(cluster_names_on_disk(root))
    leftovers = {ns[len(NETNS_PREFIX):].rsplit("-", 1)[0] for ns in network.all_cluster_netns()}
    return [_cluster_status(ClusterNames(n, root)) for n in sorted(recorded | leftovers) if NAME_RULE.match(n)]


def _cluster_status(names: ClusterNames) -> ClusterStatus:
    state = read_state(names.state_file)
    if state is None:
        found = [NodeStatus("?", "?", ns, None, False) for ns in network.cluster_netns(names)]
        return ClusterStatus(names.name, None, names.bridge, None, False, found)
    listed = [
        NodeStatus(n.hostname, n.ip, n.netns, n.init_pid,
                   nodes.is_alive(n.init_pid) and nodes.is_ours(n.init_pid, names) and nodes.sshd_answers(n.ip, 2.0))
        for n in state.nodes
    ]
    return ClusterStatus(state.name, state.subnet, state.bridge, state.cluster_file, state.complete, listed)
