"""WatcherTest: a ZooKeeper ensemble of 3, the orchestrator on 4 workers, and a watch on
what every worker really runs. Subclasses declare ``SERVICES`` and apply faults; helpers
give the placement the cluster must converge to and time how long it took."""
from __future__ import annotations

import copy
import sys
import time
from typing import ClassVar

from zookeeper.zookeeper import ZookeeperService

from ducktape.tests.test import Test
from ducktape.utils.util import wait_until

from .convergence import PlacementWatch
from .service import ServiceWatcherService
from .watcher.config import parse
from .watcher.partitioner import by_host, place
from .watcher.rules import broken_rules


class WatcherTest(Test):
    SERVICES: ClassVar[dict] = {}

    def __init__(self, test_context):
        super().__init__(test_context=test_context)
        self.zk = ZookeeperService(test_context, num_nodes=3)
        # the nodes' Python with kazoo and PyYAML: the driver's own on the namespace cluster (it
        # shares the driver's virtualenv); --globals '{"servicewatcher_python": "..."}' elsewhere
        python = test_context.globals.get("servicewatcher_python", sys.executable)
        self.sw = ServiceWatcherService(test_context, self.zk, copy.deepcopy(self.SERVICES), python=python)
        self.watch = PlacementWatch(self.sw)
        self.timings: dict[str, float] = {}

    def setUp(self):
        self.zk.start()
        self.watch.start()
        started = time.time()
        self.sw.start()
        wait_until(lambda: sorted(self.sw.status()["members"]) == sorted(self.hosts()), timeout_sec=30,
                   backoff_sec=0.2, err_msg="not every worker joined the cluster")
        self.converged("startup", started)

    def tearDown(self):
        self.watch.stop()
        self.watch.record()

    # -- the declared placement ----------------------------------------------------------------

    def config(self):
        return parse(self.sw.config())

    def hosts(self, *nodes) -> list[str]:
        return [node.account.hostname for node in (nodes or self.sw.nodes)]

    def expected(self, members=None, failed=(), keeping: dict | None = None) -> dict[str, set[str]]:
        """host -> units: the partitioner's placement over *members* (default: every worker),
        plus *keeping* (host -> units) for workers outside it (a node cut off keeps its global
        units; one whose monitor is down keeps what it ran)."""
        members = self.hosts() if members is None else members
        expected = by_host(place(members, self.config(), failed), members)
        expected.update(keeping or {})
        return expected

    def globals_only(self) -> set[str]:
        return {s.name for s in self.config().services if s.kind == "global" and s.enabled}

    def converged(self, phase: str, since: float, members=None, failed=(), keeping=None) -> float:
        """Wait until the workers run the declared placement; check the rules; record the time."""
        expected = self.expected(members, failed, keeping)
        self.timings[phase] = self.watch.wait_converged(expected, since)
        self.assert_rules(members, failed)
        return self.timings[phase]

    def assert_rules(self, members=None, failed=()) -> None:
        """The rules hold on what the live members run now, and held at every sample so far."""
        members = self.hosts() if members is None else members
        observed: dict[str, list[str]] = {}
        for host, units in self.watch.latest().items():
            if host in members:
                for unit in units:
                    observed.setdefault(unit, []).append(host)
        problems = broken_rules(observed, members, self.config(), failed)
        assert not problems, problems
        assert not self.watch.violations, self.watch.violations[:10]

    def expected_host_of(self, unit: str) -> str:
        """The first worker (by name) the declared placement gives *unit* to."""
        return min(h for h, units in self.expected().items() if unit in units)

    def running_on(self, unit: str) -> list[str]:
        return sorted(host for host, units in self.watch.latest().items() if unit in units)

    def result(self, **extra) -> dict:
        """The test's data: each phase's convergence time, in seconds, and anything else."""
        return {"convergence_sec": dict(self.timings), **extra}
