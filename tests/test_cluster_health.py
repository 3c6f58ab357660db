"""The driver's health checks cost no SSH handshake per allocation, and a test's nodes
connect together (issue 8). Real sshd on loopback; no timings asserted, only how many
connections were opened and when."""
from __future__ import annotations

import os
import pickle
import signal
import time

import pytest

from ducktape.cluster import mux
from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.cluster.json import JsonCluster
from ducktape.cluster.linux_remoteaccount import LinuxRemoteAccount
from ducktape.cluster.node_container import InsufficientHealthyNodesError
from ducktape.cluster.remoteaccount import RemoteAccountSSHConfig, connect_together
from ducktape.utils.util import wait_until
from tests.support.sshd import _children, start_sshd


def _driver_client(cluster: JsonCluster, account) -> object:
    return cluster._health._watches[id(account)]._conn._client


def test_allocations_reuse_the_drivers_one_connection_per_node(loopback_sshd):
    cluster = JsonCluster(loopback_sshd.cluster_json(["n1", "n2"]))
    first = cluster.alloc(ClusterSpec.simple_linux(2))
    clients = {node.account.hostname: _driver_client(cluster, node.account) for node in first}
    assert all(client is not None and client.get_transport().is_active() for client in clients.values())
    cluster.free(first)
    for _ in range(20):
        nodes = cluster.alloc(ClusterSpec.simple_linux(1))
        assert _driver_client(cluster, nodes[0].account) is clients[nodes[0].account.hostname]
        assert nodes[0].account._conn is None  # the driver never opened the account's own connection
        cluster.free(nodes)
    assert not cluster.parked()
    copy = pickle.loads(pickle.dumps(cluster))  # the health threads and connections stay behind
    assert copy.num_available_nodes() == 2 and not copy._health._watches


def test_a_node_whose_sshd_stops_is_parked_with_its_cause(private_sshd):
    cluster = JsonCluster(private_sshd.cluster_json(["only"]))
    cluster.free(cluster.alloc(ClusterSpec.simple_linux(1)))
    account = next(iter(cluster._available_accounts))
    private_sshd.stop()  # kills the listener and every session, the driver's included
    # the driver's connection sees the close (its reader thread, or the next ping)
    wait_until(lambda: not cluster._health._watches[id(account)]._conn.connected(), timeout_sec=30,
               err_msg="the driver never saw its connection close")
    with pytest.raises(InsufficientHealthyNodesError):
        cluster.alloc(ClusterSpec.simple_linux(1))
    assert list(cluster.parked()) == ["only"]
    assert "cannot connect" in cluster.parked()["only"], cluster.parked()


def test_first_use_of_one_account_connects_the_others_too(loopback_sshd):
    accounts = [LinuxRemoteAccount(RemoteAccountSSHConfig(**loopback_sshd.ssh_config(alias)))
                for alias in ("a", "b", "c")]
    connect_together(accounts)
    assert all(account._conn is None for account in accounts)  # nothing before the first use
    assert accounts[0].ssh_output("echo hi") == b"hi\n"
    wait_until(lambda: all(a._conn is not None and a._conn.connected() for a in accounts), timeout_sec=30,
               err_msg="the other accounts were not connected in the background")
    assert accounts[2].ssh_output("hostname") == accounts[1].ssh_output("hostname")
    for account in accounts:
        account.close()


def test_background_pings_are_bounded_in_total_not_per_node():
    from ducktape.cluster.health import (
        MAX_PINGS_PER_SEC,
        PING_INTERVAL_SEC,
        ping_interval,
        stale_after,
    )

    assert ping_interval(1) == PING_INTERVAL_SEC  # a small cluster: every node each second
    for nodes in (1, 4, 16, 17, 64, 256, 1000):
        interval = ping_interval(nodes)
        assert nodes / interval <= MAX_PINGS_PER_SEC  # pings per second, all nodes together
        assert stale_after(interval) >= 4 * interval  # a slower pace never makes a live node look dead


# ---- with the session's multiplexer: the health checks ride on its connections --------------


@pytest.fixture
def mux_cluster(tmp_path):
    """A two-node JsonCluster on a private sshd that logs each login, with the session's mux
    started as the driver starts it; yields (cluster, sshd, mux handle)."""
    sshd = start_sshd(tmp_path / "sshd", log_level="INFO")
    cluster = JsonCluster(sshd.cluster_json(["n1", "n2"]))
    handle = mux.start_for(cluster, True, str(tmp_path / "mux.log"))
    try:
        cluster.connect_ahead()
        yield cluster, sshd, handle
    finally:
        cluster._health.close()
        handle.stop()
        sshd.stop()


def _logins(sshd) -> list[str]:
    return [line for line in (sshd.workdir / "sshd.log").read_text().splitlines()
            if line.startswith("Accepted publickey")]


def test_with_the_mux_health_checks_log_in_no_more(mux_cluster):
    cluster, sshd, _ = mux_cluster
    for _ in range(10):
        cluster.free(cluster.alloc(ClusterSpec.simple_linux(2)))
    watches = list(cluster._health._watches.values())
    assert len(watches) == 2 and all(w.via_mux for w in watches)
    wait_until(lambda: all(w.last_reply > 0 for w in watches), timeout_sec=10, err_msg="no ping answered")
    # one login per node for the whole session: the mux's (the health pings ride on it)
    assert len(_logins(sshd)) == 2, _logins(sshd)
    assert not cluster.parked()


def test_with_the_mux_allocations_ask_nothing_while_connections_are_known_up(mux_cluster):
    """Each watch follows its node's connection in the mux, which answers when it dies: an
    allocation meanwhile costs no request to the mux."""
    cluster, _, _ = mux_cluster
    cluster.free(cluster.alloc(ClusterSpec.simple_linux(2)))
    watches = list(cluster._health._watches.values())
    wait_until(lambda: all(w._link_up for w in watches), timeout_sec=10, err_msg="no watch follows its node")
    asked = []
    for watch in watches:
        real_connected = watch._conn.connected
        watch._conn.connected = lambda real=real_connected: (asked.append(1), real())[1]
    for _ in range(5):
        cluster.free(cluster.alloc(ClusterSpec.simple_linux(2)))
    assert not asked


def test_with_the_mux_a_node_whose_sshd_stops_is_parked_with_its_cause(mux_cluster):
    cluster, sshd, _ = mux_cluster
    cluster.free(cluster.alloc(ClusterSpec.simple_linux(2)))
    watches = list(cluster._health._watches.values())
    sshd.stop()  # the mux's connections to both nodes die with it
    # the mux tells the driver (each watch follows its node's connection) as they close
    wait_until(lambda: not any(w._link_up or w._conn.connected() for w in watches), timeout_sec=30,
               err_msg="the mux never saw its connections close")
    with pytest.raises(InsufficientHealthyNodesError):
        cluster.alloc(ClusterSpec.simple_linux(1))
    parked = cluster.parked()
    assert sorted(parked) == ["n1", "n2"]  # one node asked, the other tried in its place
    for cause in parked.values():
        assert "cannot connect" in cause and "Connection refused" in cause, cause
        assert "through the SSH multiplexer" in cause, cause


def test_when_the_mux_dies_health_checks_go_direct(mux_cluster):
    cluster, sshd, handle = mux_cluster
    cluster.free(cluster.alloc(ClusterSpec.simple_linux(2)))
    watches = list(cluster._health._watches.values())
    os.kill(handle.pid, signal.SIGKILL)
    # the watches' follow requests end with the mux: the next allocation asks the mux whether
    # each node's connection is up, and it no longer answers
    wait_until(lambda: not any(w._link_up for w in watches), timeout_sec=30, err_msg="no watch saw the mux go")
    nodes = cluster.alloc(ClusterSpec.simple_linux(2))
    assert not cluster.parked()
    assert not any(w.via_mux for w in cluster._health._watches.values())
    cluster.free(nodes)
    assert len(_logins(sshd)) == 4, _logins(sshd)  # the mux's two, then the health checks' own


def _descendants(pid: int) -> list[int]:
    found = []
    for child in _children(pid):
        found += [child, *_descendants(child)]
    return found


def test_forgetting_a_node_ends_its_ping_stuck_on_a_silent_link(mux_cluster):
    cluster, sshd, _ = mux_cluster
    cluster.free(cluster.alloc(ClusterSpec.simple_linux(2)))
    watch = next(iter(cluster._health._watches.values()))
    frozen = _descendants(sshd.pid)  # the sessions stop answering; TCP still acknowledges
    for pid in frozen:
        os.kill(pid, signal.SIGSTOP)
    try:
        answered = watch.last_reply
        # a ping is sent every second and now waits for a reply that never comes
        wait_until(lambda: time.monotonic() - watch.last_reply > 3, timeout_sec=20, err_msg="pings still answered")
        assert watch.last_reply == answered
        cluster._health.forget(watch.account)
        wait_until(lambda: not watch._thread.is_alive(), timeout_sec=20,
                   err_msg="the health thread stayed blocked in its ping after the node was forgotten")
    finally:
        for pid in frozen:
            os.kill(pid, signal.SIGCONT)


def test_a_closed_cluster_stops_its_health_checks_before_the_mux_goes(mux_cluster):
    cluster, sshd, handle = mux_cluster
    cluster.free(cluster.alloc(ClusterSpec.simple_linux(2)))
    watches = list(cluster._health._watches.values())
    cluster.close()  # what the session does at its end, then it stops the mux
    wait_until(lambda: not any(w._thread.is_alive() for w in watches), timeout_sec=20,
               err_msg="health threads outlived the cluster")
    handle.stop()
    assert all(w.via_mux for w in watches)  # none went looking for a connection of its own
    assert len(_logins(sshd)) == 2, _logins(sshd)
