"""ZookeeperService: a ZooKeeper ensemble, one server per node.

Uses the ZooKeeper of Debian's ``zookeeper`` package (``apt-get install zookeeper``) on
every node and runs the server with ``java`` directly, so no init system is involved.
The configuration is rendered from ``templates/zoo.cfg``; a start is confirmed by the
server's own log; every file the service makes lives under ``ROOT`` on its node.
"""
from __future__ import annotations

import signal
import socket
from typing import ClassVar

from ducktape.services.service import Service
from ducktape.utils.util import wait_until


class ZookeeperService(Service):
    """A ZooKeeper ensemble of ``num_nodes`` servers (3 tolerates the loss of one)."""

    ROOT = "/mnt/zookeeper"
    DATA_DIR = f"{ROOT}/data"
    CONFIG_FILE = f"{ROOT}/zoo.cfg"
    LOG4J_FILE = f"{ROOT}/log4j.properties"
    LOG_FILE = f"{ROOT}/zookeeper.log"
    STDOUT_FILE = f"{ROOT}/zookeeper.stdout"
    PID_FILE = f"{ROOT}/zookeeper.pid"
    CLIENT_PORT = 2181
    PEER_PORT = 2888
    ELECTION_PORT = 3888
    # Debian's layout: the server jar names its dependencies in its manifest; the two
    # log4j jars give it somewhere to log.
    CLASSPATH = f"{ROOT}:/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-log4j12.jar:/usr/share/java/log4j-1.2.jar"
    MAIN_CLASS = "org.apache.zookeeper.server.quorum.QuorumPeerMain"

    # Files ducktape copies into the results after each test; the data directory only on failure.
    logs: ClassVar[dict] = {
        "zookeeper_log": {"path": LOG_FILE, "collect_default": True},
        "zookeeper_stdout": {"path": STDOUT_FILE, "collect_default": True},
        "zookeeper_data": {"path": DATA_DIR, "collect_default": False},
    }

    def __init__(self, context, num_nodes: int = 3, tick_ms: int = 500, log_level: str = "INFO"):
        super().__init__(context, num_nodes=num_nodes)
        self.tick_ms = tick_ms      # short ticks: elections and session expiry take a few seconds
        self.log_level = log_level

    # -- life cycle -----------------------------------------------------------------------

    def start_node(self, node, **kwargs):
        """Write the config, start the server, return once its log says it listens."""
        node.account.mkdirs(self.DATA_DIR)
        # Templates see the service's attributes (nodes, tick_ms, LOG_FILE, ...) plus these.
        node.account.create_file(self.CONFIG_FILE, self.render("zoo.cfg", myid=self.idx(node)))
        node.account.create_file(self.LOG4J_FILE, self.render("log4j.properties"))
        node.account.create_file(f"{self.DATA_DIR}/myid", f"{self.idx(node)}\n")
        with node.account.monitor_log(self.LOG_FILE) as monitor:
            node.account.ssh(f"nohup java -cp {self.CLASSPATH} {self.MAIN_CLASS} {self.CONFIG_FILE} "
                             f">{self.STDOUT_FILE} 2>&1 & echo $! > {self.PID_FILE}")
            monitor.wait_until(f"binding to port .*:{self.CLIENT_PORT}", timeout_sec=30, backoff_sec=0.2,
                               err_msg=f"ZooKeeper on {node.account.hostname} did not open its client port")

    def start(self, **kwargs):
        """Start every server, then wait until the ensemble has a leader and serves."""
        self.check_own_addresses()
        super().start(**kwargs)
        self.wait_for_leader(timeout_sec=60)

    def own_addresses(self) -> bool:
        """True when every node has an address of its own (the embedded LocalhostCluster's
        nodes are all this machine)."""
        addresses = [node.account.externally_routable_ip for node in self.nodes]
        return len(set(addresses)) == len(addresses)

    def check_own_addresses(self) -> None:
        """Servers of an ensemble listen on the same ports, so each needs a node of its own."""
        if not self.own_addresses():
            addresses = [node.account.externally_routable_ip for node in self.nodes]
            raise RuntimeError(f"the ZooKeeper example needs nodes with their own addresses, and these share "
                               f"{addresses[0]}: make some with 'sudo ducktape-cluster up --nodes 4', then pass "
                               f"--cluster-file .ducktape/cluster.json")

    def stop_node(self, node, clean_shutdown: bool = True, **kwargs):
        """SIGTERM (or SIGKILL) the server and wait until the process is gone."""
        sig = signal.SIGTERM if clean_shutdown else signal.SIGKILL
        for pid in self.pids(node):
            node.account.signal(pid, sig, allow_fail=True)   # a signal number, not "TERM"
        wait_until(lambda: not self.alive(node), timeout_sec=30, backoff_sec=0.2,
                   err_msg=f"ZooKeeper on {node.account.hostname} did not stop")
        node.account.ssh(f"rm -f {self.PID_FILE}")

    def clean_node(self, node, **kwargs):
        """Remove data, config and logs; kill a server a failed test may have left behind."""
        if not self.own_addresses():
            # The embedded cluster, where start() refused to run: nothing of ours is here, and
            # this machine's process table also lists every PID namespace below it (namespace
            # cluster nodes, containers), so the search by command line would kill their servers.
            return
        # by command line, not java_pids/kill_java_processes: those need a JDK's jcmd, and
        # Debian's zookeeper package brings only a JRE
        node.account.kill_process(self.MAIN_CLASS, clean_shutdown=False, allow_fail=True)
        node.account.remove(self.ROOT, allow_fail=True)

    def pids(self, node) -> list[int]:
        """The server's pid on *node*, if its pid file names a live process."""
        out = node.account.ssh_output(f"cat {self.PID_FILE} 2>/dev/null", allow_fail=True).decode().split()
        return [int(pid) for pid in out if node.account.alive(int(pid))]

    def alive(self, node) -> bool:
        return bool(self.pids(node))

    # -- what a test asks of the ensemble ----------------------------------------------------

    def connect_string(self) -> str:
        """``host:port,...`` for clients that run on the cluster's nodes."""
        return ",".join(f"{node.account.hostname}:{self.CLIENT_PORT}" for node in self.nodes)

    def mode(self, node) -> str | None:
        """``leader``, ``follower``, or None when the server does not serve (down, no quorum).

        Asks the server with ZooKeeper's ``srvr`` command on its client port."""
        try:
            with socket.create_connection((node.account.externally_routable_ip, self.CLIENT_PORT),
                                          timeout=2) as conn:
                conn.sendall(b"srvr")
                reply = b"".join(iter(lambda: conn.recv(4096), b"")).decode()
        except OSError:
            return None
        for line in reply.splitlines():
            if line.startswith("Mode:"):
                return line.split(":", 1)[1].strip()
        return None

    def wait_serving(self, node, timeout_sec: float) -> None:
        """Wait until *node* has synced with the leader and serves clients again."""
        wait_until(lambda: self.mode(node) in ("leader", "follower"), timeout_sec=timeout_sec, backoff_sec=0.2,
                   err_msg=f"ZooKeeper on {node.account.hostname} did not rejoin the ensemble")

    def leader(self, among=None):
        """The node that is leader now, looking only at *among* (default: all nodes)."""
        for node in among if among is not None else self.nodes:
            if self.mode(node) == "leader":
                return node
        return None

    def wait_for_leader(self, timeout_sec: float, among=None, not_this=None):
        """Wait until one of *among* (default: all nodes), other than *not_this*, leads; return it."""
        found = []

        def elected() -> bool:
            leader = self.leader(among)
            if leader is not None and leader is not not_this:
                found.append(leader)
            return bool(found)

        names = [node.account.hostname for node in (among or self.nodes)]
        wait_until(elected, timeout_sec=timeout_sec, backoff_sec=0.2, err_msg=f"no new leader among {names}")
        return found[0]
