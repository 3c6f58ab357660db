"""Services whose logs are collected, whose start fails, and teardown evidence on disk."""
import os
from typing import ClassVar

from ducktape.mark.resource import cluster
from ducktape.services.service import Service
from ducktape.tests.test import Test


class MarkerService(Service):
    """Writes a log on its node; records stop and clean calls in the marker dir."""

    LOG_DIR = "/tmp/ducktape-runner-e2e"
    logs: ClassVar[dict] = {
        "always_log": {"path": LOG_DIR + "/always.log", "collect_default": True},
        "failure_log": {"path": LOG_DIR + "/failure.log", "collect_default": False},
    }

    def __init__(self, context, fail_start=False):
        super().__init__(context, num_nodes=1)
        self.fail_start = fail_start
        self.marker_dir = context.globals["marker_dir"]

    def _mark(self, what):
        name = f"{what}-{self.context.function_name}-{self.context.test_index}"
        with open(os.path.join(self.marker_dir, name), "a") as marker:
            marker.write("x")  # one x per call: start() stops and cleans once, teardown once more

    def start_node(self, node, **kwargs):
        node.account.mkdirs(self.LOG_DIR)
        node.account.ssh(f"echo always >> {self.LOG_DIR}/always.log; echo failure >> {self.LOG_DIR}/failure.log")
        if self.fail_start:
            raise RuntimeError("service refused to start")

    def stop_node(self, node, **kwargs):
        self._mark("stopped")

    def clean_node(self, node, **kwargs):
        node.account.remove(self.LOG_DIR, allow_fail=True)
        self._mark("cleaned")


class ServicesTest(Test):
    def __init__(self, test_context):
        super().__init__(test_context=test_context)
        self.fail_start = test_context.function_name == "test_start_fails"
        self.service = MarkerService(test_context, fail_start=self.fail_start)

    @cluster(num_nodes=1)
    def test_logs_on_pass(self):
        self.service.start()

    @cluster(num_nodes=1)
    def test_logs_on_failure(self):
        self.service.start()
        raise AssertionError("fail after start")

    @cluster(num_nodes=1)
    def test_start_fails(self):
        self.service.start()
