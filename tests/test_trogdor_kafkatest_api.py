"""kafkatest's Python API for Trogdor without a cluster: imports, constructors, ``.message``,
node objects, Kafka's workload specs refused with 501 by a real agent, process names
matched as ``jps`` shows them, and the CLI messages a misdirected client or a busy port gets.
(The faults themselves are observed on a namespace cluster: test_trogdor_kafkatest_netns.py.)"""
from __future__ import annotations

import socket
import subprocess
import sys

import pytest

import ducktape.trogdor as trogdor_package
from ducktape.trogdor import TaskSpec
from ducktape.trogdor.faults import degrade, process, unreadable
from ducktape.trogdor.faults.ledger import Ledger
from ducktape.trogdor.faults.shell import FaultError
from ducktape.trogdor.local_shell import run_local as local_run
from ducktape.trogdor.rest import RestError
from ducktape.trogdor.spec import SpecError
from tests.support.trogdor import TROGDOR, task_state, wait_for

KAFKATEST_NAMES = ["TaskSpec", "NoOpTaskSpec", "NetworkPartitionFaultSpec", "ProcessStopFaultSpec",
                   "DegradedNetworkFaultSpec", "FilesUnreadableFaultSpec", "ExternalCommandSpec",
                   "ProduceBenchWorkloadSpec", "ConsumeBenchWorkloadSpec", "RoundTripWorkloadSpec",
                   "ProduceBenchSpec", "ConsumeBenchSpec", "ConnectionStressSpec", "SustainedConnectionSpec",
                   "ConfigurableProducerSpec", "TrogdorService", "TrogdorTask"]


class Node:
    """What kafkatest hands to spec constructors: an object with a ``name``."""

    def __init__(self, name: str):
        self.name = name


def test_every_kafkatest_name_imports_from_ducktape_trogdor():
    for name in KAFKATEST_NAMES:
        assert getattr(trogdor_package, name).__name__ in (name, name.replace("Workload", "")), name
    assert set(KAFKATEST_NAMES) <= set(trogdor_package.__all__)


def test_kafkatest_constructors_take_nodes_and_give_kafkas_message():
    from ducktape.trogdor import (
        DegradedNetworkFaultSpec,
        FilesUnreadableFaultSpec,
        NetworkPartitionFaultSpec,
        ProcessStopFaultSpec,
    )
    n0, n1, n2 = Node("n0"), Node("n1"), Node("n2")
    partition = NetworkPartitionFaultSpec(0, TaskSpec.MAX_DURATION_MS, [[n0], [n1, "n2"]])
    assert partition.message["class"] == "org.apache.kafka.trogdor.fault.NetworkPartitionFaultSpec"
    assert partition.message["partitions"] == [["n0"], ["n1", "n2"]]
    assert partition.plan()["n0"] == {"n1", "n2"}
    stop = ProcessStopFaultSpec(0, 1000, [n1], "Kafka")
    assert stop.message["nodeNames"] == ["n1"] and stop.message["javaProcessName"] == "Kafka"
    files = FilesUnreadableFaultSpec(0, 1000, [n2], "/mnt/kafka", "/abc", 5)
    assert (files.message["class"], files.message["nodeNames"], files.message["errorCode"]) == (
        "org.apache.kafka.trogdor.fault.FilesUnreadableFaultSpec", ["n2"], 5)
    for spec in (partition, stop, files):
        assert type(TaskSpec.from_json(spec.message)) is type(spec)

    degraded = DegradedNetworkFaultSpec(0, 10000)
    assert degraded.message["nodeSpecs"] == {}
    degraded.add_node_spec("n0", "eth0", 50, 0)
    degraded.add_node_spec(n1, "eth0", latencyMs=50, rateLimitKbit=1000)
    assert degraded.message["nodeSpecs"] == {"n0": {"rateLimitKbit": 0, "latencyMs": 50, "networkDevice": "eth0"},
                                             "n1": {"rateLimitKbit": 1000, "latencyMs": 50, "networkDevice": "eth0"}}
    again = TaskSpec.from_json(degraded.message)
    assert again.target_nodes(["n0", "n1", "n2"]) == ["n0", "n1"] and again.degradation("n1").rate_kbit == 1000
    with pytest.raises(SpecError) as err:
        degraded.add_node_spec(n2, "eth0", -5)
    assert err.value.field == "nodeSpecs.n2"


def test_message_is_one_dict_that_a_test_may_edit():
    from ducktape.trogdor import NoOpTaskSpec
    spec = NoOpTaskSpec(0, 1000)
    spec.message["durationMs"] = 5
    assert spec.message is spec.message and spec.message["durationMs"] == 5
    assert TaskSpec.from_json(spec.message).duration_ms == 5
    assert NoOpTaskSpec(0, 1000).message["durationMs"] == 1000  # each spec has its own


def test_ours_stays_peer_scoped_and_refuses_an_empty_spec():
    with pytest.raises(SpecError) as err:
        TaskSpec.from_json({"class": "ducktape.trogdor.NetworkDegradeFaultSpec", "nodeSpecs": {}})
    assert err.value.field == "nodeSpecs"
    kafkas = TaskSpec.from_json({"class": "org.apache.kafka.trogdor.fault.DegradedNetworkFaultSpec",
                                 "nodeSpecs": {}})
    assert kafkas.target_nodes(["a"]) == []


def test_kafka_workload_specs_keep_kafkatests_argument_order():
    from ducktape.trogdor import (
        ConsumeBenchWorkloadSpec,
        ProduceBenchWorkloadSpec,
        RoundTripWorkloadSpec,
    )
    produce = ProduceBenchWorkloadSpec(0, 100, "n1", "b:9092", 10, 1000, {"acks": "all"}, {}, {}, {"in": {}},
                                       {"out": {}})
    assert produce.message["class"] == "org.apache.kafka.trogdor.workload.ProduceBenchSpec"
    assert (produce.message["producerConf"], produce.message["inactiveTopics"], produce.message["activeTopics"]) == (
        {"acks": "all"}, {"in": {}}, {"out": {}})
    consume = ConsumeBenchWorkloadSpec(0, 100, "n2", "b:9092", 10, 1000, {"t": {}}, {}, {}, {}, "group1")
    assert consume.message["consumerGroup"] == "group1" and consume.message["threadsPerWorker"] == 1
    trip = RoundTripWorkloadSpec(0, 100, "n3", "b:9092", 10, 1000, {"t": {}})
    assert trip.target_nodes(["n1", "n2", "n3"]) == ["n3"] and trip.message["activeTopics"] == {"t": {}}


def test_an_agent_refuses_kafka_workloads_with_501(trogdor_cluster):
    from ducktape.trogdor import ProduceBenchWorkloadSpec
    agent = trogdor_cluster.agent("n1")
    spec = ProduceBenchWorkloadSpec(0, 60000, "n1", "b:9092", 10, 1000, {}, {}, {}, {}, {})
    with pytest.raises(RestError) as err:
        agent.client.post("/agent/worker/create", {"workerId": 1, "taskId": "p", "spec": spec.message})
    assert err.value.code == 501
    assert "ProduceBenchSpec" in err.value.message and "runs no Kafka clients" in err.value.message
    coordinator = trogdor_cluster.coordinator([agent])
    coordinator.client.post("/coordinator/task/create", {"id": "p", "spec": spec.message})
    done = wait_for(lambda: (s := task_state(coordinator, "p"))["state"] == "DONE" and s, what="p refused")
    assert "runs no Kafka clients" in done["error"]


def test_java_process_names_match_as_jps_shows_them(tmp_path):
    sleeper = "import time; time.sleep(60)"
    procs = [subprocess.Popen([sys.executable, "-c", sleeper, arg]) for arg in
             ("org.example.Broker", "org.example.BrokerTwo", str(tmp_path / "Broker"), "Broker.*")]
    try:
        found = process.named_pids("Broker")
        assert {procs[0].pid, procs[2].pid} <= set(found)
        assert procs[1].pid not in found and procs[3].pid not in found  # a name, not a pattern
        assert process.named_pids("org.example.BrokerTwo") == [procs[1].pid]
        assert process.named_pids("NoSuchDaemonAnywhere") == []
    finally:
        for p in procs:
            p.kill()
            p.wait()


def test_a_missing_device_is_named_with_the_ones_there_are():
    ledger = Ledger(local_run, "trogapi-no-device")
    with pytest.raises(FaultError) as err:
        degrade.apply_device(ledger, "nosuchdev0", degrade.Degradation(delay_ms=5))
    assert "networkDevice 'nosuchdev0'" in str(err.value) and "lo" in str(err.value)
    assert ledger.entries() == []  # nothing was changed, nothing recorded


def test_a_node_without_fuse_is_told_what_to_install():
    def no_fuse(command: str) -> tuple[int, str, str]:  # a node where every probe fails
        return 1, "", ""
    with pytest.raises(FaultError) as err:
        unreadable.fuse_python(no_fuse)
    assert "apt-get install fuse3 libfuse2 python3-fusepy" in str(err.value) and "/dev/fuse" in str(err.value)
    assert unreadable.fuse_python(local_run).endswith("python3")  # build.sh installs it here


def test_client_at_an_agent_says_so(trogdor_cluster):
    agent = trogdor_cluster.agent("n1")
    coordinator = trogdor_cluster.coordinator([agent])
    token = str(trogdor_cluster.token_file)
    wrong = subprocess.run([*TROGDOR, "client", "--target", agent.target, "--token-file", token, "showTask", "-i", "x"],
                           capture_output=True, text=True, timeout=60, check=False)
    assert wrong.returncode == 1 and f"{agent.target} is a Trogdor agent, not a coordinator" in wrong.stdout
    assert "ducktape-trogdor agent-client" in wrong.stdout
    other = subprocess.run([*TROGDOR, "agent-client", "--target", coordinator.target, "--token-file", token, "status"],
                           capture_output=True, text=True, timeout=60, check=False)
    assert other.returncode == 1 and "is a Trogdor coordinator, not an agent" in other.stdout


def test_a_busy_port_is_named(tmp_path):
    token = tmp_path / "token"
    token.write_text("secret\n")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([*TROGDOR, "agent", "--node-name", "n1", "--token-file", str(token), "--bind",
                                 "127.0.0.1", "--port", str(port), "--state-dir", str(tmp_path / "state")],
                                capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2 and f"cannot listen on port {port} of 127.0.0.1" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_says_an_agent():
    top = subprocess.run([*TROGDOR, "-h"], capture_output=True, text=True, check=True).stdout
    assert "run an agent" in top and "run a agent" not in top
