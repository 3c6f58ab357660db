"""The orchestrator's promises, each broken on purpose and timed back to the declared placement.

    sudo ducktape-cluster up --nodes 7
    ducktape examples/servicewatcher/tests --cluster-file .ducktape/cluster.json
"""
from __future__ import annotations

import time

from ducktape.mark.resource import cluster
from ducktape.trogdor.faults import network_partition, process_kill, process_stop
from ducktape.utils.util import wait_until

from ..suite import WatcherTest

MIXED = {"agent": {"kind": "global"},
         "web": {"kind": "shared", "count": 2},
         "db": {"kind": "multi", "instances": {"a": 2, "b": 1}}}


class PromisesTest(WatcherTest):
    SERVICES = MIXED

    @cluster(num_nodes=7)
    def test_zookeeper_server_lost(self):
        """The ZooKeeper server a node talks to stops: the node moves to another server and
        repartitions; the placement stays the declared one."""
        victim = self.sw.nodes[0]
        before = self.sw.status(victim)["members"][victim.account.hostname]
        server_ip = before["server"].rsplit(":", 1)[0]
        zk_node = next(n for n in self.zk.nodes if n.account.externally_routable_ip == server_ip)
        with process_stop([zk_node], self.zk.MAIN_CLASS):
            stopped_at = time.time()
            moved = []
            wait_until(lambda: moved.append(self._member(victim)) or
                       moved[-1].get("server", "").rsplit(":", 1)[0] not in ("", server_ip),
                       timeout_sec=30, backoff_sec=0.2, err_msg="the node stayed with the stopped ZooKeeper server")
            self.timings["moved_to_another_server"] = round(time.time() - stopped_at, 3)
            assert moved[-1]["partitions"] > before["partitions"], "no repartition after the move"
            self.converged("server_stopped", stopped_at)
        self.converged("server_back", time.time())
        return self.result(server_before=before["server"], server_after=moved[-1]["server"])

    def _member(self, node) -> dict:
        return self.sw.status(self.sw.nodes[1])["members"].get(node.account.hostname, {})

    @cluster(num_nodes=7)
    def test_orchestrator_crash(self):
        """The monitor is killed: the units it ran stay up (same processes) while others cover
        for it, and once it is back and has repartitioned, nothing of its own was restarted."""
        victim = max(self.sw.nodes, key=lambda n: len(self.watch.latest()[n.account.hostname]))
        host = victim.account.hostname
        others = [h for h in self.hosts() if h != host]
        before = dict(self.watch.latest()[host])
        with process_kill([victim], self.sw.MONITOR_PATTERN, restart=self.sw.start_cmd(victim)):
            killed_at = time.time()
            self.converged("others_cover", killed_at, members=others, keeping={host: set(before)})
        restarted_at = time.time()
        wait_until(lambda: self.sw.alive(victim), timeout_sec=15, backoff_sec=0.1, err_msg="the monitor did not restart")
        self.converged("back_and_repartitioned", restarted_at)
        for t, observed in self.watch.samples:
            if t >= killed_at:
                kept = {unit: observed[host].get(unit) for unit in before}
                assert kept == before, f"at {t:.3f} the crashed node's units changed: {kept} != {before}"
        return self.result(victim=host, units_kept=sorted(before))

    @cluster(num_nodes=7)
    def test_machine_lost(self):
        """A worker is cut off from every other node: its instances move to the others (it keeps
        only its global units); when it comes back, the placement is the declared one again."""
        victim = self.sw.node_named(self.expected_host_of("web"))
        host = victim.account.hostname
        others = [n for n in self.sw.nodes if n is not victim]
        with network_partition([victim], self.zk.nodes + others):
            cut_at = time.time()
            self.converged("moved_away", cut_at, members=self.hosts(*others), keeping={host: self.globals_only()})
        self.converged("machine_back", time.time())
        return self.result(victim=host)

    @cluster(num_nodes=7)
    def test_unit_failed(self):
        """A unit's process dies: the instance moves, that node is excluded for the service until
        a reload resets it, then the placement is the declared one again."""
        host = self.expected_host_of("web")
        failed = {(host, "web")}
        with process_kill([self.sw.node_named(host)], "^sw:web( |$)"):
            failed_at = time.time()
        self.converged("instance_moved", failed_at, failed=failed)
        assert self.sw.status()["failed"] == [[host, "web"]]
        time.sleep(2 * self.config().timings.partitioner_boundary)
        self.assert_rules(failed=failed)
        assert host not in self.running_on("web"), "the failed node runs the service again before a reset"
        self.sw.reload()
        reloaded_at = time.time()
        self.converged("after_reset", reloaded_at)
        assert self.sw.status()["failed"] == []
        return self.result(failed_on=host)
