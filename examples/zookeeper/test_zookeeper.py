"""A 3-server ZooKeeper ensemble and one writer, on 4 nodes: write and read, bounce servers,
partition the leader away. Each test returns how long the ensemble took to serve again.

    sudo ducktape-cluster up --nodes 4
    ducktape examples/zookeeper --cluster-file .ducktape/cluster.json
"""
from __future__ import annotations

import sys
import time

from ducktape.mark import matrix
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test
from ducktape.trogdor.faults import network_partition, record_samples
from ducktape.utils.util import wait_until

from .zk_client import ZkClientService
from .zookeeper import ZookeeperService


class ZookeeperTest(Test):
    """ZooKeeper keeps every acknowledged write while servers come and go."""

    def __init__(self, test_context):
        super().__init__(test_context=test_context)
        self.zk = ZookeeperService(test_context, num_nodes=3)
        # the nodes' Python with kazoo: the driver's own on the namespace cluster (it shares the
        # driver's virtualenv); --globals '{"zk_client_python": "..."}' elsewhere
        python = test_context.globals.get("zk_client_python", sys.executable)
        self.client = ZkClientService(test_context, self.zk, python=python)

    def setUp(self):
        started = time.time()
        self.zk.start()
        self.client.start()
        first = self.client.wait_for_acks(10)
        self.first_write_sec = round(first["end"] - started, 3)   # from nothing to serving

    def _serving_again(self, fault_at: float) -> float:
        """Seconds from *fault_at* until a write started after it was acknowledged."""
        first = self.client.wait_for_acks(3, after=fault_at, timeout_sec=60)
        return round(first["end"] - fault_at, 3)

    def _check_no_acked_write_lost(self) -> dict:
        """Stop the writer, then compare what it was told with what the ensemble holds."""
        self.client.stop()
        # per-second latency and throughput of the writes, drawn in the report beside the faults
        record_samples("zk writes", [(a["start"], a["end"] - a["start"], a["ok"]) for a in self.client.attempts])
        acked = {a["n"] for a in self.client.acked()}
        lost = sorted(acked - self.client.stored())
        assert not lost, f"acknowledged writes missing from ZooKeeper: {lost[:20]}"
        return {"acked_writes": len(acked), "failed_attempts": len(self.client.failed()),
                "first_write_sec": self.first_write_sec}

    @cluster(num_nodes=4)
    def test_write_and_read(self):
        """Every write is acknowledged and read back while nothing fails."""
        started = time.time()
        self.client.wait_for_acks(50, after=started)
        data = self._check_no_acked_write_lost()
        assert data["failed_attempts"] == 0, self.client.failed()[:5]
        return data

    def _bounce(self, victim, clean_shutdown: bool) -> dict:
        """Stop *victim*, time how long until writes are acknowledged again, start it again."""
        leader = self.zk.wait_for_leader(timeout_sec=30)
        self.zk.stop_node(victim, clean_shutdown=clean_shutdown)
        stopped_at = time.time()
        recovery = self._serving_again(stopped_at)
        survivors = [node for node in self.zk.nodes if node is not victim]
        new_leader = self.zk.wait_for_leader(timeout_sec=30, among=survivors)
        if victim is not leader:
            assert new_leader is leader, "losing a follower must not move the leadership"
        self.zk.start_node(victim)
        # fully back before anything else happens: ZooKeeper 3.8.0 can lose its leader for
        # half a minute when the leader dies while a restarted follower is still syncing
        self.zk.wait_serving(victim, timeout_sec=60)
        self.client.wait_for_acks(10, after=time.time())
        return {"victim": victim.account.hostname, "leader_before": leader.account.hostname,
                "leader_after": new_leader.account.hostname, "recovery_sec": recovery}

    @cluster(num_nodes=4)
    @matrix(clean_shutdown=[True, False])
    def test_bounce(self, clean_shutdown):
        """Stop and restart a follower, then the leader; writes resume each time, none is lost."""
        leader = self.zk.wait_for_leader(timeout_sec=30)
        follower = next(node for node in self.zk.nodes if node is not leader)
        bounces = {"follower": self._bounce(follower, clean_shutdown),
                   "leader": self._bounce(leader, clean_shutdown)}
        assert bounces["leader"]["leader_after"] != leader.account.hostname
        return {"bounces": bounces, **self._check_no_acked_write_lost()}

    @cluster(num_nodes=4)
    def test_partition_leader(self):
        """Cut the leader off from the other servers and the client: the majority elects a
        new leader and keeps serving, the old leader steps down, no acknowledged write is lost."""
        old = self.zk.wait_for_leader(timeout_sec=30)
        majority = [node for node in self.zk.nodes if node is not old]
        with network_partition([old], majority + self.client.nodes):
            cut_at = time.time()
            new = self.zk.wait_for_leader(timeout_sec=60, among=majority, not_this=old)
            recovery = self._serving_again(cut_at)
            wait_until(lambda: self.zk.mode(old) != "leader", timeout_sec=30, backoff_sec=0.2,
                       err_msg="the cut-off leader still calls itself leader")
            self.client.wait_for_acks(20, after=time.time())
        healed_at = time.time()
        self.zk.wait_serving(old, timeout_sec=60)
        assert self.zk.mode(old) == "follower", "the old leader came back as leader"
        self.client.wait_for_acks(10, after=healed_at)
        return {"leader_before": old.account.hostname, "leader_after": new.account.hostname,
                "recovery_sec": recovery, "rejoined_sec": round(time.time() - healed_at, 3),
                **self._check_no_acked_write_lost()}
