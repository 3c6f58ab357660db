"""Broker lifecycle tests in kafkatest style: start, inspect, bounce, time out, fail on purpose."""
from __future__ import annotations

import os

from compatsuite.services.broker import BrokerService
from compatsuite.services.producer import ProducerService
from ducktape.cluster.remoteaccount import RemoteCommandError
from ducktape.errors import TimeoutError
from ducktape.mark import parametrize
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test, TestContext
from ducktape.utils.util import wait_until


class BrokerTest(Test):
    """One broker on one node."""

    def __init__(self, test_context):
        super().__init__(test_context=test_context)
        self.broker = BrokerService(test_context, num_nodes=1, port=test_context.globals.get("broker_port", 9192),
                                    greeting=test_context.globals.get("greeting"))

    @cluster(num_nodes=1)
    def test_start_and_inspect(self):
        """Start the broker, look at it from outside, keep its data directory."""
        self.broker.start()
        node = self.broker.nodes[0]
        self.mark_for_collect(self.broker, "broker_data")
        offsets = self.broker.send(node, 3)
        config = node.account.ssh_output(f"cat {BrokerService.CONFIG_FILE}").decode()
        try:
            node.account.ssh_output("cat /mnt/compat/no-such-file")
            missing_status = 0
        except RemoteCommandError as e:
            missing_status = e.exit_status
        results_dir = TestContext.results_dir(self.test_context, self.test_context.test_index)
        node.account.copy_from(BrokerService.CONFIG_FILE, results_dir)
        with open(os.path.join(results_dir, "inspect.txt"), "w") as handle:
            handle.write(f"{self.test_context.function_name} on {node.account.hostname}\n")
        return {
            "services": [type(service).__name__ for service in self.test_context.services],
            "exists": [node.account.exists(BrokerService.SERVER_LOG), node.account.isfile(BrokerService.DATA_DIR),
                       node.account.exists("/mnt/compat/no-such-file")],
            "pid_count": len(self.broker.pids(node)),
            "offsets": offsets,
            "ping": self.broker.ping(node),
            "config_keys": sorted(line.split("=")[0] for line in config.splitlines() if "=" in line),
            "missing_file_status": missing_status,
            "isdir_data": node.account.isdir(BrokerService.DATA_DIR),
        }

    @cluster(num_nodes=1)
    @parametrize(clean_shutdown=True)
    @parametrize(clean_shutdown=False)
    def test_bounce(self, clean_shutdown):
        """Stop with SIGTERM or SIGKILL, restart without cleaning: offsets continue."""
        self.broker.start()
        node = self.broker.nodes[0]
        first_pids = self.broker.pids(node)
        assert self.broker.send(node, 2) == [0, 1]
        self.broker.stop_node(node, clean_shutdown=clean_shutdown)
        assert not self.broker.alive(node)
        assert not node.account.alive(first_pids[0])
        said_goodbye = "shutting down cleanly" in self.broker.server_log(node)
        assert said_goodbye == clean_shutdown, f"clean shutdown logged: {said_goodbye}"
        self.broker.start_node(node)
        assert self.broker.pids(node) != first_pids
        assert self.broker.send(node, 1) == [2]

    @cluster(num_nodes=2)
    def test_timeouts_and_errors(self):
        """wait_until, LogMonitor, failing commands and a failing background worker behave as documented."""
        self.broker.start()
        node = self.broker.nodes[0]
        self._check_wait_until(node)
        self._check_log_monitor(node)
        self._check_remote_command_errors(node)
        self._check_failing_worker()

    def _check_wait_until(self, node):
        try:
            wait_until(lambda: self.broker.message_count(node) > 0, timeout_sec=1, backoff_sec=0.2,
                       err_msg="no message ever arrived")
            raise AssertionError("wait_until did not time out")
        except TimeoutError as e:
            assert str(e) == "no message ever arrived", str(e)
        calls = []

        def flaky_probe():
            calls.append(1)
            if len(calls) < 3:
                raise ValueError("not yet")
            return True

        wait_until(flaky_probe, timeout_sec=10, backoff_sec=0.05, retry_on_exc=True)

    def _check_log_monitor(self, node):
        with node.account.monitor_log(BrokerService.SERVER_LOG) as monitor:
            monitor.offset = 0
            monitor.wait_until("listening on", timeout_sec=5, err_msg="no start line from offset 0")
        with node.account.monitor_log(BrokerService.SERVER_LOG) as monitor:
            try:
                monitor.wait_until("listening on", timeout_sec=1, backoff_sec=0.2, err_msg=lambda: "callable message")
                raise AssertionError("the start line was found again after the offset")
            except TimeoutError as e:
                assert str(e) == "callable message", str(e)

    def _check_remote_command_errors(self, node):
        try:
            node.account.ssh("exit 3")
            raise AssertionError("exit 3 did not raise")
        except RemoteCommandError as e:
            assert e.exit_status == 3, e.exit_status
        assert node.account.ssh("exit 3", allow_fail=True) == 3

    def _check_failing_worker(self):
        producer = ProducerService(self.test_context, num_nodes=1, broker=self.broker, num_messages=1,
                                   port=self.broker.port + 1)
        producer.start()
        try:
            producer.wait(timeout_sec=30)
            worker_error = ""
        except TimeoutError:
            raise
        except Exception as e:  # noqa: BLE001 - BackgroundThreadService.wait raises a plain Exception
            worker_error = str(e)
        assert "RemoteCommandError" in worker_error and "exit status 2" in worker_error, worker_error

    @cluster(num_nodes=1)
    def test_deliberate_failure(self):
        """Fails on purpose, after producing: every log, the data directory included, is collected."""
        self.broker.start()
        node = self.broker.nodes[0]
        self.broker.send(node, 2)
        count = self.broker.message_count(node)
        assert count == 99, f"deliberate failure: the broker holds {count} messages"
