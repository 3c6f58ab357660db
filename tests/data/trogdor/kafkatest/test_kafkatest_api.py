"""kafkatest's Trogdor call patterns against ducktape's Trogdor, on a namespace cluster.

Written the way kafkatest's Trogdor tests use the API (nodes allocated by the test, spec
objects built with kafkatest's constructors, ``create_task``/``stop_task``/``tasks``), but
each check really waits for and observes the fault: ``nc -z`` for a partition, ``ping``
times for latency, ``iperf`` for a rate limit, process states, ``cat`` and ``mount``.
"""
import re

import requests

from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test
from ducktape.trogdor import (
    DegradedNetworkFaultSpec,
    FilesUnreadableFaultSpec,
    NetworkPartitionFaultSpec,
    NoOpTaskSpec,
    ProcessStopFaultSpec,
    ProduceBenchWorkloadSpec,
    TaskSpec,
    TrogdorService,
)
from ducktape.utils.util import wait_until

PING_TIME = re.compile(r"time=(?P<ms>[\d.]+) ms")
IPERF_RATE = re.compile(r"\s(?P<rate>[\d.]+) Kbits/sec$")
MOUNT = "/mnt/dt-unreadable"


def reachable(src, dst):
    return src.account.ssh(f"nc -w 2 -z {dst.account.hostname} 22", allow_fail=True) == 0


def ping_times(src, dst, count):
    out = src.account.ssh_output(f"ping -i 0.3 -c {count} {dst.account.hostname}").decode()
    return [float(m.group("ms")) for m in PING_TIME.finditer(out)]


def mounted(node):
    return f" on {MOUNT} " in node.account.ssh_output("mount").decode()


class KafkatestApiTest(Test):
    def setUp(self):
        self.agents = self.test_context.cluster.alloc(ClusterSpec.simple_linux(3))
        self.trogdor = TrogdorService(context=self.test_context, agent_nodes=self.agents)
        self.trogdor.start()

    def applied(self, task_id, node):
        """The task's worker on *node* has made its change (the status our fault workers report)."""
        status = self.trogdor.tasks()["tasks"][task_id].get("status")
        if isinstance(status, dict) and "state" not in status:  # several workers: keyed by node
            status = status.get(node.name)
        return isinstance(status, dict) and status.get("state") == "applied"

    def tearDown(self):
        self.trogdor.stop()
        self.test_context.cluster.free(self.agents)

    @cluster(num_nodes=4)
    def test_noop_partition_and_kafka_workloads(self):
        a0, a1, a2 = self.agents
        noop = self.trogdor.create_task("noop", NoOpTaskSpec(0, TaskSpec.MAX_DURATION_MS))
        assert "noop" in self.trogdor.tasks()["tasks"]
        wait_until(noop.running, timeout_sec=30, err_msg="noop did not run")
        assert noop.task_state() == "RUNNING"
        self.trogdor.stop_task("noop")
        noop.wait_for_done(timeout_sec=30)

        spec = NetworkPartitionFaultSpec(0, TaskSpec.MAX_DURATION_MS, [[a0], self.agents[1:]])
        assert spec.message["partitions"] == [[a0.name], [a1.name, a2.name]]
        partition = self.trogdor.create_task("partition0", spec)
        wait_until(lambda: not reachable(a0, a1) and not reachable(a1, a0) and not reachable(a2, a0),
                   timeout_sec=30, backoff_sec=0.2, err_msg="the nodes were never partitioned")
        assert reachable(a1, a2) and reachable(a2, a1) and reachable(a0, a0)
        partition.stop()
        partition.wait_for_done(timeout_sec=30)
        assert reachable(a0, a1) and reachable(a2, a0)

        # a spec edited through .message is what gets sent
        alone = NetworkPartitionFaultSpec(0, 60000, [[a2], [a1]])
        alone.message["partitions"] = [[a0.name], [a2.name]]
        task = self.trogdor.create_task("partition1", alone)
        wait_until(lambda: not reachable(a0, a2), timeout_sec=30, backoff_sec=0.2, err_msg="edit ignored")
        assert reachable(a1, a2)
        task.stop()
        task.wait_for_done(timeout_sec=30)

        bench = ProduceBenchWorkloadSpec(0, 60000, a1.name, "localhost:9092", 100, 1000, {}, {}, {}, {}, {})
        produce = self.trogdor.create_task("produce", bench)
        wait_until(lambda: self.trogdor.tasks()["tasks"]["produce"]["state"] == "DONE", timeout_sec=30,
                   err_msg="the produce bench was not refused")
        error = self.trogdor.tasks()["tasks"]["produce"]["error"]
        assert "ProduceBenchSpec" in error and "runs no Kafka clients" in error, error
        try:
            produce.done()
            raise AssertionError("done() should raise on a task error, as kafkatest's does")
        except RuntimeError as e:
            assert "ProduceBenchSpec" in str(e)
        agent = requests.post(f"http://{a1.account.ssh_hostname}:{self.trogdor.agent_port}/agent/worker/create",
                              json={"workerId": 77, "taskId": "direct", "spec": bench.message},
                              headers={"Authorization": f"Bearer {self.trogdor.token}"}, timeout=10)
        assert agent.status_code == 501 and set(agent.json()) == {"code", "message"}, agent.text
        assert "runs no Kafka clients" in agent.json()["message"]
        try:  # the id is taken by another spec: Trogdor's 409, raised as kafkatest's requests raise it
            self.trogdor.create_task("noop", NoOpTaskSpec(0, 5))
            raise AssertionError("a taken task id must be refused")
        except requests.HTTPError as e:
            assert e.response.status_code == 409

    @cluster(num_nodes=4)
    def test_degraded_network_latency_and_rate(self):
        a0, a1, a2 = self.agents
        spec = DegradedNetworkFaultSpec(0, 60000)
        for node in (a0, a1):
            spec.add_node_spec(node.name, "eth0", 50, 0)
        latency = self.trogdor.create_task("latency", spec)
        wait_until(lambda: min(ping_times(a0, a1, 1) or [0]) > 80, timeout_sec=30, backoff_sec=0.5,
                   err_msg="the latency never reached both nodes")
        both = ping_times(a0, a1, 5)
        one = ping_times(a2, a0, 5)
        # each listed node adds 50 ms; a busy machine may make one packet late, not early
        assert len(both) == 5 and all(t > 0.8 * 100 for t in both), both
        assert len(one) == 5 and all(t > 40 for t in one) and sorted(one)[2] < 80, one  # only a0 adds 50 ms
        latency.stop()
        latency.wait_for_done(timeout_sec=30)
        after = ping_times(a0, a1, 5)
        assert len(after) == 5 and sorted(after)[2] < 10, after  # healed: most pings fast again

        rate_kbit = 8000
        spec = DegradedNetworkFaultSpec(0, 60000)
        spec.add_node_spec(a0, "eth0", latencyMs=0, rateLimitKbit=rate_kbit)
        rate = self.trogdor.create_task("rate", spec)
        wait_until(lambda: self.applied("rate", a0), timeout_sec=30, err_msg="the rate limit was never applied")
        server = a1.account.ssh_capture("exec iperf -s")
        for line in server:
            if "listening" in line.lower():
                break
        out = a0.account.ssh_output(f"iperf -i 1 -t 5 -f k -c {a1.account.hostname}").decode()
        a1.account.kill_process("iperf", allow_fail=True)
        for _ in server:  # let the server's session end
            pass
        rates = [float(m.group("rate")) for m in map(IPERF_RATE.search, out.splitlines()) if m]
        self.logger.info("iperf rates with %d kbit/s: %s", rate_kbit, rates)
        rate.stop()
        rate.wait_for_done(timeout_sec=30)
        intervals, total = rates[:-1], rates[-1]  # one line per second, then the whole run's
        assert len(intervals) >= 4 and rate_kbit / 10 < total < rate_kbit * 10, rates
        assert sum(rate_kbit / 10 < r < rate_kbit * 10 for r in intervals) > len(intervals) / 2, rates
        assert a0.account.ssh_output("tc qdisc show dev eth0").decode().split()[1] != "htb"

    @cluster(num_nodes=4)
    def test_process_stop_and_unreadable_files(self):
        a0, a1, _ = self.agents
        a0.account.ssh("nohup python3 -c 'import time; time.sleep(600)' org.example.Broker "
                       "> /dev/null 2>&1 < /dev/null &")
        a0.account.ssh("nohup python3 -c 'import time; time.sleep(600)' org.example.BrokerTwo "
                       "> /dev/null 2>&1 < /dev/null &")

        def state(name):
            pid = a0.account.ssh_output(f"pgrep -f 'org.example.{name}$'").decode().split()[0]
            return a0.account.ssh_output(f"ps -o stat= -p {pid}").decode().strip()

        stop = self.trogdor.create_task("stop", ProcessStopFaultSpec(0, 60000, [a0], "Broker"))
        wait_until(lambda: state("Broker").startswith("T"), timeout_sec=30, err_msg="Broker not stopped")
        assert not state("BrokerTwo").startswith("T")  # a name, not a pattern
        nothing = self.trogdor.create_task("nothing", ProcessStopFaultSpec(0, 60000, [a1], "NoSuchProcess"))
        wait_until(nothing.running, timeout_sec=30, err_msg="no matching process must not be an error")
        stop.stop()
        stop.wait_for_done(timeout_sec=30)
        assert not state("Broker").startswith("T")
        nothing.stop()
        nothing.wait_for_done(timeout_sec=30)
        a0.account.ssh("pkill -f 'org.example.Broker' || true")

        a0.account.ssh(f"mkdir -p {MOUNT} && echo secret > {MOUNT}/abc.log && echo open > {MOUNT}/other.log")
        spec = FilesUnreadableFaultSpec(0, 60000, [a0], MOUNT, "abc", 5)
        unreadable = self.trogdor.create_task("unreadable", spec)
        wait_until(lambda: mounted(a0), timeout_sec=30, err_msg="the pass-through was never mounted")
        result = a0.account.run(f"cat {MOUNT}/abc.log", allow_fail=True)
        assert result.exit_status != 0 and b"Input/output error" in result.stderr, result
        assert a0.account.ssh_output(f"cat {MOUNT}/other.log").decode().strip() == "open"
        unreadable.stop()
        unreadable.wait_for_done(timeout_sec=30)
        assert not mounted(a0)
        assert a0.account.ssh_output(f"cat {MOUNT}/abc.log").decode().strip() == "secret"

        # The agent dies mid-fault (SIGKILL) and comes back: it unmounts what it left.
        again = self.trogdor.create_task("unreadable-again", FilesUnreadableFaultSpec(0, 600000, [a0], MOUNT,
                                                                                          "abc", 13))
        wait_until(lambda: mounted(a0), timeout_sec=30, err_msg="the pass-through was never mounted")
        assert a0.account.run(f"cat {MOUNT}/abc.log", allow_fail=True).exit_status != 0
        pid = a0.account.ssh_output(f"cat {TrogdorService.AGENT_DIR}/pid").decode().strip()
        a0.account.signal(pid, 9)
        wait_until(lambda: not a0.account.alive(pid), timeout_sec=10, err_msg="the agent did not die")
        assert mounted(a0)  # nothing heals without the agent
        self.trogdor.start_node(a0)
        wait_until(lambda: not mounted(a0), timeout_sec=30, err_msg="the restarted agent left the mount")
        assert a0.account.ssh_output(f"cat {MOUNT}/abc.log").decode().strip() == "secret"
        wait_until(lambda: self.trogdor.tasks()["tasks"]["unreadable-again"]["state"] == "DONE", timeout_sec=30,
                   err_msg="the coordinator never heard that the worker ended")
        error = self.trogdor.tasks()["tasks"]["unreadable-again"].get("error", "")
        assert "agent restarted" in error and "undone" in error, error
        try:  # kafkatest's stop() raises on a task error
            again.stop()
            raise AssertionError("stop() of a failed task should raise")
        except RuntimeError as e:
            assert "agent restarted" in str(e)
        a0.account.ssh(f"rm -rf {MOUNT}")
