"""Systests of the runner: each runs an inner ``ducktape`` session on the nodes this test
was given, then checks the inner results and the nodes themselves.

Run them on real nodes, e.g. the local namespace cluster:
    ducktape-cluster up --nodes 3 && ducktape systests --cluster-file .ducktape/cluster.json
"""
from __future__ import annotations

import re
from pathlib import Path

from ducktape.mark.resource import cluster
from ducktape.tests.test import Test

from ..inner_session import run_inner_session
from . import inner_suites


class RunnerSystest(Test):
    """The runner, end to end, on real nodes reached over SSH."""

    def _inner(self, suite_source: str, *flags: str, extra_nodes: list[dict] = ()) -> tuple[int, dict]:
        """Run *suite_source* in an inner ducktape session on this test's nodes (and *extra_nodes*)."""
        return run_inner_session(self, suite_source, *flags, extra_nodes=extra_nodes)

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
        pid = node.account.ssh_output("cat /tmp/ducktape-sleeper.lastpid").decode().strip()
        node.account.ssh("rm -f /tmp/ducktape-sleeper.lastpid")
        assert not node.account.alive(int(pid)), f"the service's process {pid} outlived the timed-out test"

    @cluster(num_nodes=2)
    def test_parallel_tests_run_side_by_side(self):
        """Two 1-node tests that wait for each other pass only when run at the same time."""
        status, report = self._inner(inner_suites.PARALLEL, "--max-parallel", "2")
        assert status == 0, [r["summary"] for r in report["results"]]
        nodes = sorted(r["nodes"][0] for r in report["results"])
        assert nodes == sorted(n.account.hostname for n in self.test_context.cluster.nodes)

    @cluster(num_nodes=1)
    def test_failing_services_fail_their_test_and_are_cleaned(self):
        """A service that fails to start, or whose worker crashes, fails its test with the
        service's own message; its node is cleaned; failed tests keep every log, passed ones
        only the default ones."""
        status, report = self._inner(inner_suites.FAILING_SERVICES)
        assert status == 1
        results = {r["function_name"]: r for r in report["results"]}
        assert results["test_start_fails"]["test_status"] == "FAIL"
        assert "broken on purpose" in results["test_start_fails"]["summary"]
        assert results["test_worker_crashes"]["test_status"] == "FAIL"
        assert "worker crashed on purpose" in results["test_worker_crashes"]["summary"]
        assert results["test_quiet"]["test_status"] == "PASS"
        # a crash the test never waits for does not change its status, but its summary says so
        unwatched = results["test_worker_crashes_unwatched"]
        assert unwatched["test_status"] == "PASS" and "worker crashed on purpose" in unwatched["summary"]
        node = self.test_context.cluster.nodes[0]
        assert not node.account.exists("/tmp/ducktape-failing"), "the failed service was not cleaned"

        def logs(name):
            return sorted(p.name for p in Path(results[name]["results_dir"]).glob("*Service-*/*/*.log"))
        assert logs("test_start_fails") == ["always.log", "on_failure.log"]
        assert logs("test_quiet") == ["always.log"]

    @cluster(num_nodes=1)
    def test_lost_node_fails_only_its_tests(self):
        """A test whose node stops answering SSH fails, the node is named unreachable and
        handed to no one else; the test on the live node passes and the session ends."""
        live = self.test_context.cluster.nodes[0].account
        # a second sshd on the node, with the node's own sshd's config: the inner test takes it away
        listener = next(line for line in live.ssh_output("ps -eo args").decode().splitlines() if "[listener]" in line)
        config = re.search(r" -f (\S+)", listener)
        live.ssh(f"/usr/sbin/sshd {config.group(0) if config else ''} -p 2022 -o PidFile=/tmp/ducktape-lost-sshd.pid")
        lost = {"ssh_config": {**live.ssh_config.to_json(), "host": "lost-node", "port": 2022},
                "externally_routable_ip": live.externally_routable_ip}
        try:
            status, report = self._inner(inner_suites.NODE_LOSS, "--max-parallel", "2", extra_nodes=[lost])
        finally:
            live.ssh("test ! -f /tmp/ducktape-lost-sshd.pid || kill $(cat /tmp/ducktape-lost-sshd.pid) || true")
        assert status == 1
        by_status = {r["test_status"]: r for r in report["results"]}
        assert sorted(by_status) == ["FAIL", "PASS"], [r["summary"] for r in report["results"]]
        assert by_status["PASS"]["data"] == live.hostname
        failed = by_status["FAIL"]
        assert "lost-node" in failed["summary"] and "unreachable" in failed["summary"], failed["summary"]
