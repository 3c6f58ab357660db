"""A ``--cluster`` class that drops an unhealthy node in ``do_alloc`` and raises
``InsufficientResourcesError`` (upstream's contract for clusters with health checks) shrinks the
cluster: only the tests that no longer fit fail, the rest run. Ours and upstream 0.17.0 on the
same input, real runs on the embedded cluster."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.suites import UPSTREAM_DUCKTAPE, run_ducktape, write_suite

SUITE = {
    "shrinking_cluster.py": """
        from ducktape.cluster.cluster_spec import ClusterSpec
        from ducktape.cluster.localhost import LocalhostCluster
        from ducktape.cluster.node_container import InsufficientResourcesError


        class ShrinkingCluster(LocalhostCluster):
            \"\"\"Five nodes; the first allocation finds one unhealthy, drops it and fails.\"\"\"

            def __init__(self, *args, **kwargs):
                kwargs["num_nodes"] = 5
                super().__init__(*args, **kwargs)
                self.dropped = []

            def do_alloc(self, cluster_spec):
                if not self.dropped:
                    self.dropped, _ = self._available_nodes.remove_spec(ClusterSpec.simple_linux(1))
                    raise InsufficientResourcesError(f"{self.dropped[0].account.hostname} failed its health check")
                return super().do_alloc(cluster_spec)
        """,
    "suite/test_sizes.py": """
        from ducktape.mark.resource import cluster
        from ducktape.tests.test import Test


        class SizesTest(Test):
            @cluster(num_nodes=5)
            def test_five_a(self):
                pass

            @cluster(num_nodes=5)
            def test_five_b(self):
                pass

            @cluster(num_nodes=4)
            def test_four(self):
                pass

            @cluster(num_nodes=3)
            def test_three(self):
                pass

            @cluster(num_nodes=2)
            def test_two(self):
                pass
        """,
}
EXPECTED = {"test_five_a": "FAIL", "test_five_b": "FAIL", "test_four": "PASS", "test_three": "PASS", "test_two": "PASS"}


@pytest.mark.parametrize("which", ["ours", "upstream"])
def test_a_node_dropped_in_do_alloc_fails_only_the_tests_that_no_longer_fit(tmp_path: Path, which: str):
    root = write_suite(tmp_path / which, SUITE, packages=False)
    (root / "suite" / "__init__.py").write_text("")
    done = run_ducktape(["--cluster", "shrinking_cluster.ShrinkingCluster", "suite"], cwd=root,
                        exe=UPSTREAM_DUCKTAPE if which == "upstream" else None, env={"PYTHONPATH": str(root)})
    assert done.returncode == 1, done.stdout + done.stderr  # the two 5-node tests fail
    report = json.loads((root / "results" / "latest" / "report.json").read_text())
    statuses = {r["function_name"]: r["test_status"] for r in report["results"]}
    assert statuses == EXPECTED, done.stdout
    for result in report["results"]:
        if result["test_status"] == "FAIL":
            assert "linux nodes requested: 5. linux nodes available: 4" in result["summary"]
