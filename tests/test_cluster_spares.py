"""TCP connections dialled ahead by the driver (cluster/spares.py, issue 8): a test process
logs in over the one it is handed, an untouched one is handed out again, a used or broken
one never is. Real sshd on loopback; no timings asserted."""
from __future__ import annotations

import pickle
import socket

from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.cluster.json import JsonCluster
from ducktape.cluster.linux_remoteaccount import LinuxRemoteAccount
from ducktape.cluster.remoteaccount import RemoteAccountSSHConfig
from ducktape.cluster.spares import SparePool
from ducktape.utils.util import wait_until


def _account(sshd, alias: str = "a") -> LinuxRemoteAccount:
    return LinuxRemoteAccount(RemoteAccountSSHConfig(**sshd.ssh_config(alias)))


def _ready(pool: SparePool, account) -> bool:
    return bool(pool._ready.get(account.hostname))


def _one_spare_handed(sshd) -> tuple[SparePool, LinuxRemoteAccount, dict, socket.socket]:
    """A pool for one node, and the spare it handed out (as the runner takes it at launch)."""
    pool, account = SparePool(), _account(sshd)
    pool.fill([account])
    wait_until(lambda: _ready(pool, account), timeout_sec=30, err_msg="no spare was dialled")
    handed = pool.take([account])
    assert list(handed) == [account.hostname]
    return pool, account, handed, handed[account.hostname]


def _local_port(account) -> int:
    return account.ssh_client.get_transport().sock.getsockname()[1]


def test_an_account_logs_in_over_the_socket_it_was_handed(loopback_sshd):
    pool, driver_view, handed, sock = _one_spare_handed(loopback_sshd)
    user = _account(loopback_sshd)
    user._use_predialled(sock)
    assert user.ssh_output("echo hi") == b"hi\n"
    assert _local_port(user) == sock.getsockname()[1]  # no dial of its own
    user.close()
    pool.give_back(handed)  # spoken on: closed, never handed out again
    assert sock.fileno() == -1
    wait_until(lambda: _ready(pool, driver_view), timeout_sec=30, err_msg="the pool was not refilled")
    assert pool.take([driver_view])[driver_view.hostname] is not sock
    pool.close()


def test_an_untouched_socket_is_handed_out_again(loopback_sshd):
    pool, account, handed, sock = _one_spare_handed(loopback_sshd)
    idle = _account(loopback_sshd)
    idle._use_predialled(sock)
    idle.close()  # a test that never touched its node: only its own copy goes
    wait_until(lambda: sock.recv(4, socket.MSG_PEEK) == b"SSH-", timeout_sec=30, err_msg="no banner from sshd")
    pool.give_back(handed)
    again = [pool.take([account]).get(account.hostname) for _ in range(2)]
    assert sock in again
    pool.close()


def test_a_socket_sshd_dropped_costs_one_fresh_dial(loopback_sshd):
    pool, _account_seen, _handed, sock = _one_spare_handed(loopback_sshd)
    sock.sendall(b"not ssh\r\n")  # sshd gives up on this connection
    user = _account(loopback_sshd)
    user._use_predialled(sock)
    assert user.ssh_output("echo fine") == b"fine\n"
    assert sock.fileno() == -1  # the failed spare was closed and a new connection dialled
    user.close()
    pool.close()


def test_the_cluster_hands_its_nodes_spares_and_parks_them_with_the_node(loopback_sshd):
    cluster = JsonCluster(loopback_sshd.cluster_json(["n1", "n2"]))
    cluster.connect_ahead()
    accounts = list(cluster._available_accounts)
    wait_until(lambda: all(_ready(cluster._spares, a) for a in accounts), timeout_sec=30,
               err_msg="no spares were dialled ahead")
    nodes = cluster.alloc(ClusterSpec.simple_linux(2))
    handed = cluster.take_predialled(nodes)
    assert sorted(handed) == sorted(node.account.hostname for node in nodes)
    cluster.free(nodes)
    cluster.give_back_predialled(handed)
    copy = pickle.loads(pickle.dumps(cluster))  # the sockets stay in the driver
    assert not copy._spares._ready
    spare = cluster._spares._ready[accounts[0].hostname][0].sock
    cluster._park([accounts[0]])
    assert not _ready(cluster._spares, accounts[0]) and spare.fileno() == -1
    cluster.close()
    assert not cluster._spares._ready
