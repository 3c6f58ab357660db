"""The examples say what is missing at once: examples/zookeeper on the embedded cluster (no
cluster file) that it needs nodes with their own addresses; with a node Python without kazoo
(on a real namespace cluster) both examples name the package to install, instead of timing
out after a minute."""
from __future__ import annotations

import json
import subprocess

from tests.support.suites import REPO_ROOT, run_ducktape

EXAMPLE = str(REPO_ROOT / "examples" / "zookeeper")
FIRST_TEST = EXAMPLE + "/test_zookeeper.py::ZookeeperTest.test_write_and_read"


def bare_python() -> str:
    """Debian's python3, which has no kazoo (the venv's has)."""
    python = "/usr/bin/python3"
    probe = subprocess.run([python, "-c", "import kazoo"], capture_output=True, text=True, check=False)
    assert probe.returncode != 0 and "No module named 'kazoo'" in probe.stderr
    return python


def _failures(results_dir) -> list[str]:
    report = json.loads((results_dir / "latest" / "report.json").read_text())
    assert report["results"], report
    return [r["summary"] for r in report["results"] if r["test_status"] == "FAIL"]


def test_on_the_embedded_cluster_it_asks_for_nodes_of_their_own(tmp_path):
    proc = run_ducktape([EXAMPLE], tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    failures = _failures(tmp_path / "results")
    assert len(failures) == 4
    for summary in failures:
        first = summary.splitlines()[0]
        assert first.startswith('RuntimeError("the ZooKeeper example needs nodes with their own addresses'), first
        assert "sudo ducktape-cluster up --nodes 4" in first and "--cluster-file .ducktape/cluster.json" in first


def test_a_client_python_without_kazoo_is_named_with_the_package(netns_cluster_factory, tmp_path):
    cluster = netns_cluster_factory(nodes=4)
    python = bare_python()
    proc = run_ducktape([FIRST_TEST, "--cluster-file", str(cluster.cluster_file),
                         "--globals", json.dumps({"zk_client_python": python})], tmp_path, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    [summary] = _failures(tmp_path / "results")
    first = summary.splitlines()[0]
    assert first.startswith(f'RuntimeError("the ZooKeeper example\'s client needs kazoo in {python} on '), first
    assert "pip install kazoo" in first


def test_servicewatcher_names_what_its_monitor_needs(netns_cluster_factory, tmp_path):
    cluster = netns_cluster_factory(nodes=7)
    python = bare_python()
    first = str(REPO_ROOT / "examples" / "servicewatcher" / "tests" / "test_kinds.py") + "::GlobalTest.test_global"
    proc = run_ducktape([first, "--cluster-file", str(cluster.cluster_file),
                         "--globals", json.dumps({"servicewatcher_python": python})], tmp_path, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    [summary] = _failures(tmp_path / "results")
    line = summary.splitlines()[0]
    assert line.startswith("RuntimeError(") and "the servicewatcher monitor needs kazoo" in line, line
    assert f" in {python} on " in line, line
    assert "pip install kazoo" in line
