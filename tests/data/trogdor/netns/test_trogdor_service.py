"""TrogdorService from ducktape tests: agents on two nodes, a coordinator on a third."""
from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.mark.resource import cluster
from ducktape.services.service import Service
from ducktape.tests.test import Test
from ducktape.trogdor import (
    ExternalCommandSpec,
    NoOpTaskSpec,
    RequestLatencySpec,
    TaskSpec,
    TrogdorService,
)
from ducktape.utils.util import wait_until


class IdleService(Service):
    """Holds two nodes for the agents, as a Kafka cluster would in kafkatest."""

    def __init__(self, context):
        super().__init__(context, num_nodes=2)

    def stop_node(self, node, **kwargs):
        pass

    def clean_node(self, node, **kwargs):
        pass


class TrogdorServiceTest(Test):
    @cluster(num_nodes=3)
    def test_workloads_and_a_lost_agent(self):
        idle = IdleService(self.test_context)
        trogdor = TrogdorService(self.test_context, client_services=[idle])
        trogdor.start()
        a1, a2 = idle.nodes
        a1_name, a2_name = trogdor.node_name(a1), trogdor.node_name(a2)

        noop = trogdor.create_task("noop", NoOpTaskSpec(0, 500))
        noop.wait_for_done(timeout_sec=60)
        assert set(trogdor.tasks()["tasks"]["noop"]["status"]) == {a1_name, a2_name}

        script = 'read line; echo "{\\"status\\": \\"$(hostname)\\"}"; exec sleep 600'
        ext = trogdor.create_task("ext", ExternalCommandSpec(0, 60000, a2_name, ["sh", "-c", script]))
        wait_until(lambda: trogdor.tasks()["tasks"]["ext"].get("status") == a2.account.hostname,
                   timeout_sec=30, err_msg="the external command did not report from its node")
        assert ext.running()
        ext.stop()
        ext.wait_for_done(timeout_sec=30)

        target = f"{trogdor.coordinator_node.account.ssh_hostname}:{trogdor.coordinator_port}"
        latency = trogdor.create_task("latency", RequestLatencySpec(0, 1500, a1_name, target, target_rate=50))
        latency.wait_for_done(timeout_sec=60)
        status = trogdor.tasks()["tasks"]["latency"]["status"]
        assert status["count"] >= 30 and status["errors"] == 0, status

        # A fault run by the agents goes into the test's results like one a test applies itself.
        a2.account.ssh("nohup sleep 6001 > /dev/null 2>&1 &")
        stop = trogdor.create_task("stop-sleeper", TaskSpec.from_json({
            "class": "org.apache.kafka.trogdor.fault.ProcessStopFaultSpec", "startMs": 0, "durationMs": 500,
            "nodeNames": [a2_name], "pattern": "sleep 6001"}))
        stop.wait_for_done(timeout_sec=60)
        a2.account.kill_process('"sleep 6001"', clean_shutdown=False, allow_fail=True)

        long = trogdor.create_task("long", NoOpTaskSpec(0, 600000))
        wait_until(long.running, timeout_sec=30, err_msg="long task never ran")
        a1.account.signal(trogdor._pid(a1), 9)
        wait_until(lambda: trogdor.tasks()["tasks"]["long"]["state"] == "DONE", timeout_sec=60,
                   err_msg="the coordinator never gave up on the killed agent")
        state, error = long.task_state_or_error()
        assert state is None and f"node {a1_name}: agent unreachable" in error, error
        trogdor.stop()


class KafkatestStyleTest(Test):
    """kafkatest's trogdor_test, ported by changing its imports: agent nodes allocated by the test."""

    def setUp(self):
        self.trogdor = None
        self.agent_nodes = None

    def tearDown(self):
        if self.trogdor is not None:
            self.trogdor.stop()
        if self.agent_nodes is not None:
            self.test_context.cluster.free(self.agent_nodes)

    @cluster(num_nodes=3)
    def test_trogdor_service(self):
        self.agent_nodes = self.test_context.cluster.alloc(ClusterSpec.simple_linux(2))
        self.trogdor = TrogdorService(context=self.test_context, agent_nodes=self.agent_nodes)
        for agent_node in self.agent_nodes:
            agent_node.account.logger = self.trogdor.logger
        self.trogdor.start()
        spec = NoOpTaskSpec(0, TaskSpec.MAX_DURATION_MS)
        task = self.trogdor.create_task("myfault", spec)
        wait_until(lambda: "myfault" in self.trogdor.tasks()["tasks"], timeout_sec=10, backoff_sec=0.2,
                   err_msg="Failed to read back myfault.")
        wait_until(task.running, timeout_sec=30, err_msg="myfault never ran")
        assert TaskSpec.to_node_names(self.agent_nodes) == sorted(self.trogdor.tasks()["tasks"]["myfault"]["status"])
        self.trogdor.stop_task("myfault")
        task.wait_for_done(timeout_sec=30)
        state = self.trogdor.tasks()["tasks"]["myfault"]
        assert state["cancelled"] is True and "error" not in state, state  # Trogdor leaves out an empty error
