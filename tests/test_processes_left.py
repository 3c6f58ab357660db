"""A process a test's service leaves running after its teardown (outliving stop_node and
clean_node) is named in a warning in the test's summary, and ended before the nodes are used
again; a service that stops its process gets no warning. On the embedded cluster and on the
namespace cluster (real SSH)."""
from __future__ import annotations

import json
import random
import subprocess

import pytest

from tests.support.suites import run_ducktape, write_suite

SUITE = {"left/test_left.py": """
    from ducktape.mark.resource import cluster
    from ducktape.services.service import Service
    from ducktape.tests.test import Test


    class Sleeper(Service):
        def __init__(self, context, leak):
            super().__init__(context, num_nodes=1)
            self.command = f"sleep {context.globals['seconds']}"
            self.leak = leak

        def start_node(self, node, **kwargs):
            node.account.ssh(f"nohup {self.command} >/dev/null 2>&1 </dev/null &")

        def stop_node(self, node, **kwargs):
            if not self.leak:
                node.account.ssh(f"pkill -x -f '{self.command}' || true")

        def clean_node(self, node, **kwargs):
            pass


    class LeftTest(Test):
        @cluster(num_nodes=1)
        def test_leaky(self):
            Sleeper(self.test_context, leak=True).start()

        @cluster(num_nodes=1)
        def test_tidy(self):
            Sleeper(self.test_context, leak=False).start()
"""}


@pytest.mark.parametrize("where", ["embedded", "netns"])
def test_processes_left_after_teardown_are_named_and_ended(where, request, tmp_path):
    seconds = random.randint(7000, 7999)  # a command line nothing else on the machine has
    write_suite(tmp_path, SUITE)
    args = ["--globals", json.dumps({"seconds": seconds}), "left"]
    cluster = None
    if where == "netns":
        cluster = request.getfixturevalue("netns_cluster")
        args = ["--cluster-file", str(cluster.cluster_file), *args]
    proc = run_ducktape(args, tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "results" / "latest" / "report.json").read_text())
    summaries = {r["function_name"]: r["summary"] for r in report["results"]}
    assert summaries["test_tidy"] == "Test Passed"
    leaky = summaries["test_leaky"].splitlines()
    assert leaky[:2] == ["Test Passed", ""], leaky
    assert leaky[2].startswith("warning: processes left running after the test's services were stopped and cleaned"
                               " (ducktape ended them; stop them in stop_node or clean_node): ")
    assert leaky[2].endswith(f" sleep {seconds}"), leaky[2]
    host = "<this machine>" if cluster is None else cluster.nodes[0].hostname
    assert f": {host}: " in leaky[2] or leaky[2].split("): ", 1)[1].startswith(f"{host}: "), leaky[2]
    if cluster is None:
        left = subprocess.run(["pgrep", "-x", "-f", f"sleep {seconds}"], capture_output=True, text=True,
                              check=False).stdout
    else:
        left = "".join(cluster.ssh(node, f"pgrep -x -f 'sleep {seconds}' || true").stdout for node in cluster.nodes)
    assert left.strip() == "", left  # ended before the run finished
