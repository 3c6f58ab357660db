"""End to end on a real namespace cluster (separate nodes with their own sshd): a node that
dies mid-test fails that test with a clear message and leaves the pool; the session goes on."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time

from tests.support.suites import OURS_DUCKTAPE, copy_data


def test_node_killed_mid_test(suite_dir, netns_cluster_factory):
    cluster = netns_cluster_factory(nodes=2)
    markers = suite_dir / "markers"
    markers.mkdir()
    copy_data("runner/netns", suite_dir / "netns")
    env = dict(os.environ, HOME=str(suite_dir))
    proc = subprocess.Popen([*OURS_DUCKTAPE, "netns", "--cluster-file", str(cluster.cluster_file),
                             "--globals", json.dumps({"marker_dir": str(markers)})],
                            cwd=suite_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    while not list(markers.glob("holding-*")):
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "the test never started"
        time.sleep(0.05)
    victim = next(markers.glob("holding-*")).name.removeprefix("holding-")
    node_state = next(n for n in cluster.state.nodes if n.hostname == victim)
    os.kill(node_state.holder_pid, signal.SIGKILL)  # the node's namespaces and sshd go with it
    out, _ = proc.communicate(timeout=180)
    assert proc.returncode == 1, out

    report = json.loads((suite_dir / "results" / "latest" / "report.json").read_text())
    results = {r["function_name"]: r for r in report["results"]}
    dead = results["test_a_node_dies"]
    assert dead["test_status"] == "FAIL" and dead["nodes"] == [victim]
    assert f"node(s) unreachable after the test: {victim}" in dead["summary"], dead["summary"]
    after = results["test_b_after"]
    assert after["test_status"] == "PASS", after["summary"]
    assert after["nodes"] != [victim] and after["data"]["host"] != victim
