"""A quick test and a slow one with a service, for signal tests."""
import os
import time

from ducktape.mark.resource import cluster
from ducktape.services.service import Service
from ducktape.tests.test import Test


class SleepService(Service):
    """Records stop and clean calls in the marker dir."""

    def __init__(self, context):
        super().__init__(context, num_nodes=1)

    def _mark(self, what):
        open(os.path.join(self.context.globals["marker_dir"], f"{what}-{self.context.function_name}"), "w").close()

    def stop_node(self, node, **kwargs):
        self._mark("stopped")

    def clean_node(self, node, **kwargs):
        self._mark("cleaned")


class SlowTest(Test):
    def _mark(self, name):
        open(os.path.join(self.test_context.globals["marker_dir"], name), "w").close()

    def tearDown(self):
        if self.test_context.globals.get("slow_teardown"):
            self._mark("teardown-started")
            time.sleep(60)

    @cluster(num_nodes=1)
    def test_a_quick(self):
        return "quick"

    @cluster(num_nodes=1)
    def test_b_slow(self):
        service = SleepService(self.test_context)
        service.start()
        self._mark("slow-started")
        time.sleep(float(self.test_context.globals.get("sleep", 60)))
