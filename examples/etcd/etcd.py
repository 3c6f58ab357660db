"""EtcdService: an etcd cluster, one member per node, from Debian's ``etcd-server`` package.

Each member runs ``/usr/bin/etcd`` directly (no init system), listening for peers on port
2380 and for clients on port 2379 of its node's address; clients use etcd's HTTP/JSON
gateway (``examples/etcd/etcd_kv.py``). Every file the service makes lives under ``ROOT``.
"""
from __future__ import annotations

import shlex
import signal
from typing import ClassVar

import requests

from ducktape.services.service import Service
from ducktape.utils.util import wait_until

NEEDS = ("examples/etcd needs {n} nodes with distinct addresses and Debian's etcd-server on each: "
         "sudo ducktape-cluster up --nodes {n} && ducktape examples/etcd --cluster-file .ducktape/cluster.json")


class EtcdSetupError(Exception):
    """The cluster cannot run the example (no cluster file, etcd not installed); one line says how to fix it."""


class EtcdService(Service):
    """A cluster of ``num_nodes`` etcd members (3 tolerates the loss of one)."""

    ROOT = "/mnt/etcd"
    DATA_DIR = f"{ROOT}/data"
    LOG_FILE = f"{ROOT}/etcd.log"
    START_SCRIPT = f"{ROOT}/start.sh"
    PID_FILE = f"{ROOT}/etcd.pid"
    # what a process-kill fault runs to bring a member back: the same on every node
    RESTART_COMMAND = f"bash {START_SCRIPT}"
    BINARY = "/usr/bin/etcd"
    CLIENT_PORT = 2379
    PEER_PORT = 2380

    # the log only: the data directory holds 64 MiB write-ahead-log files, too big to copy after every failure
    logs: ClassVar[dict] = {"etcd_log": {"path": LOG_FILE, "collect_default": True}}

    def __init__(self, context, num_nodes: int = 3, heartbeat_ms: int = 100, election_ms: int = 1000):
        super().__init__(context, num_nodes=num_nodes)
        self.heartbeat_ms = heartbeat_ms
        self.election_ms = election_ms

    # -- names and addresses ----------------------------------------------------------------

    def member_name(self, node) -> str:
        return f"etcd{self.idx(node)}"

    @staticmethod
    def address(node) -> str:
        return node.account.externally_routable_ip or node.account.ssh_hostname

    def client_url(self, node) -> str:
        return f"http://{self.address(node)}:{self.CLIENT_PORT}"

    # the pattern process faults use to find a member (its own command line, nothing else)
    PROCESS_PATTERN = f"^{BINARY} --name etcd"

    def start_command(self, node) -> str:
        """The shell commands that start the member on *node* (again, after a kill: same data dir);
        the pid written first stays etcd's, as ``exec`` keeps it."""
        peers = ",".join(f"{self.member_name(n)}=http://{self.address(n)}:{self.PEER_PORT}" for n in self.nodes)
        ip = self.address(node)
        args = [self.BINARY, "--name", self.member_name(node), "--data-dir", self.DATA_DIR,
                "--listen-client-urls", f"http://{ip}:{self.CLIENT_PORT}",
                "--advertise-client-urls", f"http://{ip}:{self.CLIENT_PORT}",
                "--listen-peer-urls", f"http://{ip}:{self.PEER_PORT}",
                "--initial-advertise-peer-urls", f"http://{ip}:{self.PEER_PORT}",
                "--initial-cluster", peers, "--initial-cluster-state", "new",
                "--initial-cluster-token", "ducktape-etcd",
                "--heartbeat-interval", str(self.heartbeat_ms), "--election-timeout", str(self.election_ms)]
        return f"echo $$ > {self.PID_FILE}\nexec {shlex.join(args)} >>{self.LOG_FILE} 2>&1 </dev/null"

    # -- life cycle -----------------------------------------------------------------------------

    def check_cluster(self) -> None:
        """Refuse, in one line, a cluster the example cannot run on."""
        if len({self.address(n) for n in self.nodes}) < len(self.nodes):
            raise EtcdSetupError(NEEDS.format(n=len(self.nodes)))
        for node in self.nodes:
            if node.account.ssh(f"test -x {self.BINARY}", allow_fail=True) != 0:
                raise EtcdSetupError(f"{self.BINARY} is missing on {node.account.hostname}: "
                                     "apt-get install etcd-server (or ./build.sh setup as root)")

    def start(self, **kwargs):
        self.check_cluster()
        super().start(**kwargs)
        self.wait_healthy(timeout_sec=60)

    def start_node(self, node, **kwargs):
        """Start the member; every member must be up before the cluster elects, so no wait here."""
        node.account.mkdirs(self.ROOT)
        node.account.create_file(self.START_SCRIPT, self.start_command(node) + "\n")
        node.account.ssh(f"setsid nohup {self.RESTART_COMMAND} >/dev/null 2>&1 </dev/null &")

    def stop_node(self, node, clean_shutdown: bool = True, **kwargs):
        sig = signal.SIGTERM if clean_shutdown else signal.SIGKILL
        for pid in self.pids(node):
            node.account.signal(pid, sig, allow_fail=True)
        wait_until(lambda: not self.pids(node), timeout_sec=30, backoff_sec=0.2,
                   err_msg=f"etcd on {node.account.hostname} did not stop")

    def clean_node(self, node, **kwargs):
        for pid in self.pids(node):
            node.account.signal(pid, signal.SIGKILL, allow_fail=True)
        node.account.remove(self.ROOT, allow_fail=True)

    def pids(self, node) -> list[int]:
        """The member's pid, if its pid file names a live etcd of ours (never anyone else's etcd)."""
        out = node.account.ssh_output(
            f"p=$(cat {self.PID_FILE} 2>/dev/null) && tr '\\0' ' ' < /proc/$p/cmdline 2>/dev/null "
            f"| grep -q -- '--name etcd' && echo $p || true", allow_fail=True, combine_stderr=False)
        return [int(p) for p in out.decode().split()]

    # -- what a test asks of the cluster -----------------------------------------------------------

    def status(self, node, timeout: float = 1.0) -> dict | None:
        """The member's ``/v3/maintenance/status`` (member id in ``header``, ``leader``), or None."""
        try:
            reply = requests.post(f"{self.client_url(node)}/v3/maintenance/status", json={}, timeout=timeout)
            return reply.json() if reply.ok else None
        except (requests.RequestException, ValueError):
            return None

    def leader(self):
        """The member every reachable member names as leader, or None."""
        statuses = {n.account.hostname: self.status(n) for n in self.nodes}
        ids = {s["header"]["member_id"]: name for name, s in statuses.items() if s}
        named = {s.get("leader") for s in statuses.values() if s}
        if len(named) != 1:
            return None
        name = ids.get(named.pop())
        return next((n for n in self.nodes if n.account.hostname == name), None)

    def wait_healthy(self, timeout_sec: float):
        """Wait until every member answers and all agree on one leader; return the leader."""
        found = []

        def agreed() -> bool:
            leader = self.leader() if all(self.status(n) for n in self.nodes) else None
            found[:] = [leader] if leader is not None else []
            return bool(found)

        wait_until(agreed, timeout_sec=timeout_sec, backoff_sec=0.2,
                   err_msg=f"etcd members {[n.account.hostname for n in self.nodes]} did not agree on a leader")
        return found[0]
