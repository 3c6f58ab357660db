"""The examples say what is missing at once: examples/zookeeper on the embedded cluster (no
cluster file) that it needs nodes with their own addresses, and touches no other machine's
server there; with a node Python without kazoo (on a real namespace cluster) both examples
name the package to install, instead of timing out after a minute."""
from __future__ import annotations

import json
import os
import subprocess
import sys

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


# A "ZooKeeper server" of another machine: a process named like one, in a PID namespace of its
# own (as a namespace cluster node's processes are). Its pid as this namespace sees it is printed.
OTHER_MACHINE = """
ZK_ARGV0='java -cp /usr/share/java/zookeeper.jar org.apache.zookeeper.server.quorum.QuorumPeerMain zoo.cfg' \\
    unshare --pid --fork bash -c 'exec -a "$ZK_ARGV0" sleep 600' &
for _ in $(seq 100); do server=$(pgrep -f quorum.QuorumPeerMain) && break; sleep 0.1; done
echo "server: $server"
"$PYTHON" -m ducktape "$FIRST_TEST" > ducktape.out 2>&1
kill -0 "$server" && echo "server alive"
"""


def test_on_the_embedded_cluster_other_machines_zookeeper_servers_are_left_alone(tmp_path):
    """The embedded cluster's node is this machine, whose process table also lists every PID
    namespace below it. The example's teardown there (after start refused) must not search it
    by command line and kill the servers of a namespace cluster running beside it: that is what
    failed test_e2e_servicewatcher now and then, when this test ran at the same time. Runs in a
    private PID namespace, so no server of anyone else on this machine is at risk."""
    (tmp_path / "other_machine.sh").write_text(OTHER_MACHINE)
    proc = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "bash", "other_machine.sh"], cwd=tmp_path,
                          env={**os.environ, "PYTHON": sys.executable,
                               "FIRST_TEST": FIRST_TEST}, capture_output=True, text=True, timeout=300, check=False)
    assert "server: " in proc.stdout and proc.stdout.split("server: ")[1].split()[0].isdigit(), proc.stdout
    [summary] = _failures(tmp_path / "results")
    assert "needs nodes with their own addresses" in summary.splitlines()[0], summary
    assert "server alive" in proc.stdout, (proc.stdout, proc.stderr)


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
