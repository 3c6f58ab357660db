"""examples/zookeeper says what is missing at once: on the embedded cluster (no cluster file)
that it needs nodes with their own addresses, and with a client Python without kazoo (on a
real namespace cluster) which package to install, instead of timing out after a minute."""
from __future__ import annotations

import json
import subprocess

from tests.support.suites import REPO_ROOT, run_ducktape

EXAMPLE = str(REPO_ROOT / "examples" / "zookeeper")
FIRST_TEST = EXAMPLE + "/test_zookeeper.py::ZookeeperTest.test_write_and_read"


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
    python = "/usr/bin/python3"  # Debian's, which has no kazoo (the venv's has)
    probe = subprocess.run([python, "-c", "import kazoo"], capture_output=True, text=True, check=False)
    assert probe.returncode != 0 and "No module named 'kazoo'" in probe.stderr
    proc = run_ducktape([FIRST_TEST, "--cluster-file", str(cluster.cluster_file),
                         "--globals", json.dumps({"zk_client_python": python})], tmp_path, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    [summary] = _failures(tmp_path / "results")
    first = summary.splitlines()[0]
    assert first.startswith(f'RuntimeError("the ZooKeeper example\'s client needs kazoo in {python} on '), first
    assert "pip install kazoo" in first
