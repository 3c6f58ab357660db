"""The optional Cluster hooks (connect_ahead, take_predialled, give_back_predialled, parked,
close) have no-op defaults, so the session calls them on every cluster without probing: a
third-party --cluster class that implements only what upstream's Cluster asks still runs."""
from __future__ import annotations

import json

from ducktape.cluster.cluster import Cluster
from ducktape.cluster.localhost import LocalhostCluster
from tests.support.suites import run_ducktape, write_suite

BARE = {
    "bare_cluster.py": """
        from ducktape.cluster.cluster import Cluster
        from ducktape.cluster.localhost import LocalhostCluster


        class BareCluster(Cluster):
            # only the four methods upstream's Cluster leaves to a subclass
            def __init__(self, *args, **kwargs):
                super().__init__()
                self._pool = LocalhostCluster(num_nodes=2)

            def do_alloc(self, cluster_spec):
                return self._pool.alloc(cluster_spec)

            def free_single(self, node):
                self._pool.free_single(node)

            def available(self):
                return self._pool.available()

            def used(self):
                return self._pool.used()
    """,
    "suite/test_two.py": """
        from ducktape.mark.resource import cluster
        from ducktape.tests.test import Test


        class TwoTest(Test):
            @cluster(num_nodes=2)
            def test_holds_two(self):
                return {"hosts": sorted(n.account.hostname for n in self.test_context.cluster.nodes)}

            @cluster(num_nodes=1)
            def test_holds_one(self):
                self.test_context.cluster.nodes[0].account.ssh("true")
    """,
}


def test_the_defaults_do_nothing_and_hand_out_no_connections():
    cluster = Cluster()
    assert cluster.connect_ahead() is None
    assert cluster.take_predialled([]) == {}
    assert cluster.give_back_predialled({}) is None
    assert cluster.parked() == {}
    assert cluster.close() is None
    local = LocalhostCluster(num_nodes=1)
    assert local.take_predialled(local.alloc(local.available())) == {}


def test_a_cluster_class_with_only_upstreams_methods_runs_a_session(tmp_path):
    root = write_suite(tmp_path / "work", BARE, packages=False)
    (root / "suite" / "__init__.py").write_text("")
    proc = run_ducktape(["suite", "--cluster", "bare_cluster.BareCluster"], cwd=root,
                        env={"PYTHONPATH": str(root)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((root / "results" / "latest" / "report.json").read_text())
    results = {r["function_name"]: r for r in report["results"]}
    assert {name: r["test_status"] for name, r in results.items()} == {"test_holds_two": "PASS",
                                                                       "test_holds_one": "PASS"}
    assert len(results["test_holds_two"]["data"]["hosts"]) == 2
