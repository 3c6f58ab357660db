"""The embedded LocalhostCluster has a real size and reuses freed nodes (issue 15, items 6 and 9)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.cluster.localhost import (
    UNSIZED_TEST_NODES,
    LocalhostCluster,
    embedded_size,
)
from tests.support.suites import REPO_ROOT, UPSTREAM_DUCKTAPE, run_ducktape, write_suite


def _example(work: Path) -> Path:
    shutil.copytree(REPO_ROOT / "examples" / "hello", work / "hello")
    return work


def _report(work: Path) -> dict:
    return json.loads((work / "results" / "latest" / "report.json").read_text())


def test_a_freed_node_is_handed_out_again_before_unused_ones():
    cluster = LocalhostCluster(num_nodes=3)
    first = cluster.alloc(ClusterSpec.simple_linux(1))
    cluster.free(first)
    again = cluster.alloc(ClusterSpec.simple_linux(1))
    assert [n.name for n in first] == [n.name for n in again] == ["localhost0"]
    two = cluster.alloc(ClusterSpec.simple_linux(2))
    cluster.free(again)
    assert [n.name for n in two] == ["localhost1", "localhost2"]
    assert [n.name for n in cluster.alloc(ClusterSpec.simple_linux(1))] == ["localhost0"]


def test_localhost_cluster_built_without_num_nodes_keeps_upstreams_size():
    assert len(LocalhostCluster()) == 1000


def test_embedded_size_lets_max_parallel_of_the_largest_tests_run():
    assert embedded_size([1, 1, 1], 1) == 1
    assert embedded_size([1, 3, 2], 2) == 6
    assert embedded_size([2, 2], 8) == 4  # never more tests at once than there are tests
    assert embedded_size([1, None], 1) == UNSIZED_TEST_NODES  # a test without @cluster takes every node
    assert embedded_size([], 4) == 1


def test_the_example_runs_on_a_small_cluster_and_reuses_its_nodes(tmp_path):
    work = _example(tmp_path)
    proc = run_ducktape(["hello"], cwd=work)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = _report(work)
    assert report["cluster_num_nodes"] == 1
    assert [r["nodes"] for r in report["results"]] == [["localhost0"]] * 3
    assert "running on LocalhostCluster, 1 node " in proc.stdout
    assert report["cluster_utilization"] > 0.3

    proc = run_ducktape(["hello", "--max-parallel", "2"], cwd=work)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = _report(work)
    assert report["cluster_num_nodes"] == 2
    assert {n for r in report["results"] for n in r["nodes"]} <= {"localhost0", "localhost1"}


def test_localhost_nodes_flag_sets_the_size(tmp_path):
    work = _example(tmp_path)
    proc = run_ducktape(["hello", "--localhost-nodes", "5"], cwd=work)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _report(work)["cluster_num_nodes"] == 5
    assert "running on LocalhostCluster, 5 nodes " in proc.stdout
    # explicitly chosen LocalhostCluster gets the same size
    proc = run_ducktape(["hello", "--cluster", "ducktape.cluster.localhost.LocalhostCluster",
                         "--localhost-nodes", "3"], cwd=work)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _report(work)["cluster_num_nodes"] == 3


def test_localhost_nodes_below_one_is_a_usage_error(tmp_path):
    work = _example(tmp_path)
    proc = run_ducktape(["hello", "--localhost-nodes", "0"], cwd=work)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-2:] == ["ducktape: --localhost-nodes must be at least 1, got 0",
                                             "hint: --localhost-nodes 4"]
    assert "Traceback" not in proc.stderr


def test_timeline_has_one_lane_per_node_of_the_example(tmp_path, page):
    work = _example(tmp_path)
    proc = run_ducktape(["hello", "--max-parallel", "2"], cwd=work)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = _report(work)
    page.goto((work / "results" / "latest" / "report.html").resolve().as_uri())
    lanes = page.eval("Array.from(document.querySelectorAll('#timeline .tl-row[data-node]')).map(r => r.dataset.node)")
    used = sorted({n for r in report["results"] for n in r["nodes"]})
    assert lanes == used and 1 <= len(lanes) <= 2
    facts = page.eval("document.querySelector('header').textContent")
    assert "1000" not in facts


ENTIRE = "has no @cluster mark"


def test_a_test_sized_to_the_whole_cluster_is_not_warned_about(tmp_path):
    write_suite(tmp_path, {"whole/test_whole.py": """
        from ducktape.mark.resource import cluster
        from ducktape.tests.test import Test

        class WholeTest(Test):
            @cluster(num_nodes=3)
            def test_three(self):
                pass

            def test_undecorated(self):
                pass
        """})
    proc = run_ducktape(["whole", "--localhost-nodes", "3", "--max-parallel", "3"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    warnings = [line for line in proc.stdout.splitlines() if ENTIRE in line]
    assert len(warnings) == 1 and "test_undecorated" in warnings[0], proc.stdout
    assert "entire cluster" not in proc.stdout.replace(warnings[0], "")


def test_upstream_warns_about_tests_sized_to_the_cluster_and_we_do_not(tmp_path):
    """Same suite and 3-node cluster for upstream 0.17.0 and ours: upstream's rule (the cluster is
    full and nothing else runs) warns for every @cluster(num_nodes=3) test; ours warns only
    about a test without @cluster."""
    write_suite(tmp_path, {
        "whole/test_whole.py": """
            from ducktape.mark.resource import cluster
            from ducktape.tests.test import Test

            class WholeTest(Test):
                @cluster(num_nodes=3)
                def test_three(self):
                    pass

                @cluster(num_nodes=3)
                def test_three_again(self):
                    pass
            """,
        "three.py": """
            from ducktape.cluster.localhost import LocalhostCluster

            class ThreeNodes(LocalhostCluster):
                def __init__(self, *args, **kwargs):
                    kwargs["num_nodes"] = 3
                    super().__init__(*args, **kwargs)
            """}, packages=False)
    (tmp_path / "whole" / "__init__.py").write_text("")
    args = ["whole", "--cluster", "three.ThreeNodes", "--max-parallel", "3"]
    env = {"PYTHONPATH": str(tmp_path)}
    upstream = run_ducktape(args, cwd=tmp_path, exe=UPSTREAM_DUCKTAPE, env=env)
    ours = run_ducktape(args, cwd=tmp_path, env=env)
    assert upstream.returncode == ours.returncode == 0, upstream.stdout + ours.stdout + ours.stderr
    assert upstream.stdout.count("is using entire cluster") == 2
    assert "entire cluster" not in ours.stdout + ours.stderr


def test_freed_nodes_go_back_in_name_order_whatever_order_they_come_back_in():
    from ducktape.cluster.cluster_spec import ClusterSpec
    from ducktape.cluster.localhost import LocalhostCluster

    cluster = LocalhostCluster(num_nodes=12)
    nodes = cluster.alloc(ClusterSpec.simple_linux(12))
    for index in (7, 2, 11, 0, 5, 9, 3, 10, 1, 8, 4, 6):
        cluster.free(nodes[index])
    assert [node.name for node in cluster.alloc(ClusterSpec.simple_linux(12))] == [f"localhost{i}" for i in range(12)]
