"""A dead node shrinks the cluster instead of ending the run (issue 15, items 1 and 12).

On a real namespace cluster: a node that refuses SSH from the start, and a node whose
sshd is killed or whose link is cut while a 3-node test waits behind the running one.
Tests that still fit the healthy nodes run; only tests that can never fit again fail,
naming the parked node and why. Upstream 0.17.0 runs on the same input where it helps.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time

from tests.support.suites import (
    OURS_DUCKTAPE,
    UPSTREAM_DUCKTAPE,
    run_ducktape,
    write_suite,
)

SMALL_TESTS = '''
from ducktape.mark import matrix
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test


class SmallTest(Test):
    @cluster(num_nodes=1)
    @matrix(i=[0, 1])
    def test_one(self, i):
        node = self.test_context.cluster.nodes[0]
        return {"host": node.account.ssh_output("hostname").decode().strip()}

    @cluster(num_nodes=2)
    def test_two(self):
        return {"hosts": [n.account.ssh_output("hostname").decode().strip()
                          for n in self.test_context.cluster.nodes]}
'''

WHOLE_CLUSTER_TEST = '''
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test


class WholeTest(Test):
    @cluster(num_nodes=4)
    def test_whole(self):
        pass
'''


def _refusing_port(ip: str) -> int:
    """A port on *ip* where nothing listens: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind((ip, 0))
        return sock.getsockname()[1]


def _results(root) -> dict:
    report = json.loads((root / "latest" / "report.json").read_text())
    return {r["test_id"].split(".", 2)[-1]: r for r in report["results"]}


def test_a_node_refusing_ssh_fails_only_the_tests_that_need_it(suite_dir, netns_cluster_factory):
    cluster = netns_cluster_factory(nodes=3)
    doc = json.loads(cluster.cluster_file.read_text())
    dead = dict(doc["nodes"][-1]["ssh_config"], host="refusing-node")
    dead["port"] = _refusing_port(cluster.host_ip or "127.0.0.1")
    dead["hostname"] = cluster.host_ip or "127.0.0.1"
    doc["nodes"].append({"ssh_config": dead, "externally_routable_ip": dead["hostname"]})
    cluster_file = suite_dir / "four.json"
    cluster_file.write_text(json.dumps(doc))
    write_suite(suite_dir, {"suite/test_small.py": SMALL_TESTS, "suite/test_whole.py": WHOLE_CLUSTER_TEST})

    ours = run_ducktape(["suite", "--cluster-file", str(cluster_file), "--results-root", "ours"], suite_dir,
                        timeout=300)
    results = _results(suite_dir / "ours")
    assert len(results) == 4, ours.stdout + ours.stderr
    whole = results["WholeTest.test_whole"]
    assert whole["test_status"] == "FAIL"
    assert "refusing-node (cannot connect:" in whole["summary"] and "refused" in whole["summary"], whole["summary"]
    small = {k: r for k, r in results.items() if k.startswith("SmallTest")}
    assert [r["test_status"] for r in small.values()] == ["PASS"] * 3, [r["summary"] for r in small.values()]
    assert all("refusing-node" not in r["nodes"] for r in small.values())
    assert ours.returncode == 1

    # upstream runs every small test too, but hands out the refusing node (its health check is
    # always true): a test that gets it fails, where ours keeps it out of the pool
    upstream = run_ducktape(["suite", "--cluster-file", str(cluster_file), "--results-root", "upstream"],
                            suite_dir, exe=UPSTREAM_DUCKTAPE, timeout=300)
    theirs = {k: r for k, r in _results(suite_dir / "upstream").items() if k.startswith("SmallTest")}
    assert set(theirs) == set(small), upstream.stdout[-3000:]
    assert all("not run" not in r["summary"] for r in theirs.values())
    assert all(r["test_status"] == "PASS" or f"port {dead['port']}" in r["summary"] for r in theirs.values())


VICTIM_SUITE = '''
import os
import time

from ducktape.mark import matrix
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test


class NodeLossTest(Test):
    @cluster(num_nodes=3)
    def test_a_running(self):
        """Holds every node and uses them until one goes away."""
        nodes = self.test_context.cluster.nodes
        open(os.path.join(self.test_context.globals["marker_dir"], "running"), "w").close()
        deadline = time.time() + 120
        while time.time() < deadline:
            for node in nodes:
                node.account.ssh("true")
            time.sleep(0.1)
        raise AssertionError("no node went away")

    @cluster(num_nodes=3)
    def test_b_queued(self):
        for node in self.test_context.cluster.nodes:
            node.account.ssh("true")

    @cluster(num_nodes=1)
    @matrix(i=[0, 1, 2, 3])
    def test_c_after(self, i):
        node = self.test_context.cluster.nodes[0]
        return {"host": node.account.ssh_output("hostname").decode().strip()}
'''


def _run_and_break_a_node(suite_dir, cluster, break_node) -> tuple[subprocess.CompletedProcess, str]:
    """Start the suite, break the last node once the 3-node test runs; return (process, victim)."""
    markers = suite_dir / "markers"
    markers.mkdir()
    write_suite(suite_dir, {"suite/test_loss.py": VICTIM_SUITE})
    proc = subprocess.Popen([*OURS_DUCKTAPE, "suite", "--cluster-file", str(cluster.cluster_file),
                             "--globals", json.dumps({"marker_dir": str(markers)}), "--test-timeout", "100"],
                            cwd=suite_dir, env=dict(os.environ, HOME=str(suite_dir)), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    while not (markers / "running").exists():
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "the 3-node test never started"
        time.sleep(0.05)
    victim = cluster.state.nodes[-1]
    break_node(victim)
    out, _ = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, ""), victim.hostname


def _check_the_session_went_on(suite_dir, victim: str, out: str) -> dict:
    results = _results(suite_dir / "results")
    running, queued = results["NodeLossTest.test_a_running"], results["NodeLossTest.test_b_queued"]
    assert running["test_status"] == "FAIL" and victim in running["summary"], running["summary"]
    assert queued["test_status"] == "FAIL" and victim in queued["summary"], queued["summary"]
    after = {k: r for k, r in results.items() if "test_c_after" in k}
    assert len(after) == 4, out[-3000:]
    assert [r["test_status"] for r in after.values()] == ["PASS"] * 4, [r["summary"] for r in after.values()]
    assert all(r["data"]["host"] != victim for r in after.values())
    return results


def test_node_init_killed_while_a_3_node_test_waits(suite_dir, netns_cluster_factory):
    cluster = netns_cluster_factory(nodes=3)

    def kill_init(node):
        os.kill(node.init_pid, signal.SIGKILL)  # every process of the node goes, sshd and sessions too

    proc, victim = _run_and_break_a_node(suite_dir, cluster, kill_init)
    assert proc.returncode == 1, proc.stdout[-3000:]
    _check_the_session_went_on(suite_dir, victim, proc.stdout)


def test_link_cut_while_a_3_node_test_waits(suite_dir, netns_cluster_factory):
    cluster = netns_cluster_factory(nodes=3)

    def cut_link(node):
        subprocess.run(["ip", "link", "set", "dev", node.veth, "down"], check=True)

    proc, victim = _run_and_break_a_node(suite_dir, cluster, cut_link)
    assert proc.returncode == 1, proc.stdout[-3000:]
    results = _check_the_session_went_on(suite_dir, victim, proc.stdout)
    running = results["NodeLossTest.test_a_running"]
    # it failed on the dead link itself, not at its --test-timeout (nor timeout + teardown grace)
    assert "exceeded its timeout" not in running["summary"] and "Test timed out" not in running["summary"]
    assert "NodeConnectionError" in running["summary"], running["summary"]
    assert f"node(s) unreachable after the test: {victim}" in running["summary"], running["summary"]
