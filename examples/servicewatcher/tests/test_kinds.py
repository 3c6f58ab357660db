"""Each service kind placed by its rules, before and after a fault, timed back to the
declared placement. Same cluster as test_promises: 3 ZooKeeper nodes and 4 workers."""
from __future__ import annotations

import time
from typing import ClassVar

from ducktape.mark.resource import cluster
from ducktape.trogdor.faults import network_partition, process_kill, process_stop

from ..suite import WatcherTest
from ..watcher.partitioner import place


class GlobalTest(WatcherTest):
    SERVICES: ClassVar[dict] = {"agent": {"kind": "global"}, "metrics": {"kind": "global"}}

    @cluster(num_nodes=7)
    def test_global(self):
        """A global unit runs on every worker; where it failed it stays down until a reload."""
        host = self.hosts()[1]
        assert self.running_on("agent") == self.hosts() == self.running_on("metrics")
        with process_kill([self.sw.node_named(host)], "^sw:agent( |$)"):
            failed_at = time.time()
        self.converged("unit_failed", failed_at, failed={(host, "agent")})
        assert self.running_on("agent") == [h for h in self.hosts() if h != host]
        self.sw.reload()
        self.converged("after_reset", time.time())
        return self.result()


class SharedTest(WatcherTest):
    SERVICES: ClassVar[dict] = {"web": {"kind": "shared", "count": 3}, "wide": {"kind": "shared", "count": 6}}

    @cluster(num_nodes=7)
    def test_shared(self):
        """``count`` instances, at most one per worker, fewer when there are fewer workers; a
        monitor that hangs (SIGSTOP) loses its session and the others take its instances over."""
        assert len(self.running_on("web")) == 3 and len(self.running_on("wide")) == 4
        victim = self.sw.node_named(self.expected_host_of("web"))
        host = victim.account.hostname
        others = [h for h in self.hosts() if h != host]
        kept = set(self.watch.latest()[host])
        with process_stop([victim], self.sw.MONITOR_PATTERN):
            stopped_at = time.time()
            self.converged("taken_over", stopped_at, members=others, keeping={host: kept})
            assert len(set(self.running_on("web")) - {host}) == 3, "web is not back to 3 on the live workers"
        self.converged("monitor_resumed", time.time())
        return self.result(hung=host)


class MultiTest(WatcherTest):
    SERVICES: ClassVar[dict] = {"db": {"kind": "multi", "instances": {"a": 2, "b": 3, "c": 1}}}

    @cluster(num_nodes=7)
    def test_multi(self):
        """Template instances ``db@X``, each with its own count and at most one per worker; a
        worker lost takes its ``db@X`` elsewhere, counts met while enough workers are left."""
        victim = self.sw.node_named(self.expected_host_of("db@b"))
        host = victim.account.hostname
        others = [n for n in self.sw.nodes if n is not victim]
        with network_partition([victim], self.zk.nodes + others):
            cut_at = time.time()
            self.converged("moved_away", cut_at, members=self.hosts(*others), keeping={host: set()})
            assert len(set(self.running_on("db@b")) - {host}) == 3
        self.converged("machine_back", time.time())
        return self.result(victim=host)


class ForceTest(WatcherTest):
    @cluster(num_nodes=7)
    def test_force(self):
        """A forced instance runs on its host only, and nowhere while that host is away."""
        pinned_host, job_host = self.hosts()[2], self.hosts()[1]
        self.sw.set_services({"pin": {"kind": "shared", "count": 1, "force": pinned_host},
                              "job": {"kind": "multi", "instances": {"x": 1, "y": 2}, "force": {"x": job_host}}})
        self.sw.reload()
        self.converged("forced", time.time())
        assert self.running_on("pin") == [pinned_host] and self.running_on("job@x") == [job_host]
        victim = self.sw.node_named(pinned_host)
        others = [n for n in self.sw.nodes if n is not victim]
        with network_partition([victim], self.zk.nodes + others):
            cut_at = time.time()
            self.converged("host_away", cut_at, members=self.hosts(*others), keeping={pinned_host: set()})
            assert self.running_on("pin") == [], "the forced instance ran on another host"
        self.converged("host_back", time.time())
        assert self.running_on("pin") == [pinned_host]
        return self.result(pinned=pinned_host)


class EnabledTest(WatcherTest):
    SERVICES: ClassVar[dict] = {"on": {"kind": "shared", "count": 2}, "off": {"kind": "shared", "count": 2, "enabled": False}}

    @cluster(num_nodes=7)
    def test_enabled(self):
        """A disabled service runs nowhere; a new config, reloaded, turns it on and the other off."""
        assert self.running_on("off") == [] and len(self.running_on("on")) == 2
        self.sw.set_services({"on": {"kind": "shared", "count": 2, "enabled": False},
                              "off": {"kind": "shared", "count": 2}})
        self.sw.reload()
        self.converged("after_reload", time.time())
        assert self.running_on("on") == [] and len(self.running_on("off")) == 2
        return self.result()


class PrestartTest(WatcherTest):
    PRESTART = "echo 'db@a={instance:db@a} web={instance:web} me={host}' > /mnt/servicewatcher/prestart-{unit}.txt"
    SERVICES: ClassVar[dict] = {"web": {"kind": "shared", "count": 2, "prestart": PRESTART},
                "db": {"kind": "multi", "instances": {"a": 2}}}

    def prestart_seen(self, host: str) -> str:
        return self.sw.node_named(host).account.ssh_output(
            "cat /mnt/servicewatcher/prestart-web.txt").decode().strip()

    def rendered(self, members: list[str], host: str) -> str:
        placement = place(members, self.config())
        return f"db@a={','.join(placement['db@a'])} web={','.join(placement['web'])} me={host}"

    @cluster(num_nodes=7)
    def test_prestart(self):
        """The prestart script runs before its unit starts, rendered with the current placement;
        when the instance moves, the new host renders the placement it moved into."""
        for host in self.running_on("web"):
            assert self.prestart_seen(host) == self.rendered(self.hosts(), host)
        victim = self.sw.node_named(self.expected_host_of("web"))
        others = [n for n in self.sw.nodes if n is not victim]
        with network_partition([victim], self.zk.nodes + others):
            cut_at = time.time()
            self.converged("moved_away", cut_at, members=self.hosts(*others),
                           keeping={victim.account.hostname: set()})
            new_host = next(h for h in self.running_on("web") if h not in self.expected_hosts("web"))
            assert self.prestart_seen(new_host) == self.rendered(self.hosts(*others), new_host)
        self.converged("machine_back", time.time())
        return self.result(moved_to=new_host)

    def expected_hosts(self, unit: str) -> set[str]:
        return {h for h, units in self.expected().items() if unit in units}
