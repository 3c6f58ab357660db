"""Systests of the runner: each runs an inner ``ducktape`` session on the nodes this test
was given, then checks the inner results and the nodes themselves.

Run them on real nodes, e.g. the local namespace cluster:
    ducktape-cluster up --nodes 3 && ducktape systests --cluster-file .ducktape/cluster.json
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ducktape.mark.resource import cluster
from ducktape.tests.test import Test

from . import inner_suites


class RunnerSystest(Test):
    """The runner, end to end, on real nodes reached over SSH."""

    def _inner(self, suite_source: str, *flags: str) -> tuple[int, dict]:
        """Run *suite_source* in an inner ducktape session on this test's nodes."""
        work = Path(self.test_context.local_scratch_dir)
        (work / "inner").mkdir()
        (work / "inner" / "__init__.py").write_text("")
        (work / "inner" / "test_inner.py").write_text(suite_source)
        nodes = [{"ssh_config": node.account.ssh_config.to_json(),
                  "externally_routable_ip": node.account.externally_routable_ip}
                 for node in self.test_context.cluster.nodes]
        (work / "cluster.json").write_text(json.dumps({"nodes": nodes}))
        proc = subprocess.run([sys.executable, "-m", "ducktape", "inner", "--cluster-file", "cluster.json", *flags],
                              cwd=work, env=dict(os.environ, HOME=str(work)), capture_output=True, text=True,
                              timeout=300, check=False)
        self.logger.info("inner ducktape exited %d:\n%s%s", proc.returncode, proc.stdout, proc.stderr)
        return proc.returncode, json.loads((work / "results" / "latest" / "report.json").read_text())

    @cluster(num_nodes=2)
    def test_results_and_logs_from_two_nodes(self):
        status, report = self._inner(inner_suites.TWO_NODES)
        assert status == 1, "the inner session had a failing test"
        results = {r["function_name"]: r for r in report["results"]}
        assert results["test_fails"]["test_status"] == "FAIL"
        two = results["test_two_nodes"]
        hostnames = sorted(node.account.hostname for node in self.test_context.cluster.nodes)
        assert two["test_status"] == "PASS" and sorted(two["nodes"]) == hostnames
        logs = sorted(Path(two["results_dir"]).glob("EchoService-*/*/echo.log"))
        assert [log.parent.name for log in logs] == hostnames
        for node in self.test_context.cluster.nodes:
            assert not node.account.exists("/tmp/ducktape-systest"), "teardown left the service's files"
        return {"inner_tests": len(report["results"])}

    @cluster(num_nodes=1)
    def test_timeout_stops_the_remote_service(self):
        status, report = self._inner(inner_suites.HANGS, "--test-timeout", "2")
        assert status == 1
        result = report["results"][0]
        assert result["test_status"] == "FAIL" and "TestTimedOut" in result["summary"]
        log = (Path(result["results_dir"]) / "test_log.info").read_text()
        assert "most recent call first" in log
        node = self.test_context.cluster.nodes[0]
        pid = node.account.ssh_output("cat /var/tmp/ducktape-sleeper.lastpid").decode().strip()
        node.account.ssh("rm -f /var/tmp/ducktape-sleeper.lastpid")
        assert not node.account.alive(int(pid)), f"the service's process {pid} outlived the timed-out test"
