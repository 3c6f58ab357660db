"""Kafka's client workloads as spec classes: built, sent and listed as Trogdor's, never run.

They need a Kafka broker and Kafka's Java clients, which this agent does not have. A test
builds them with kafkatest's constructors (``ProduceBenchWorkloadSpec(...)``); an agent
asked to run one answers as Trogdor does for a class it cannot run: 501 with
``{code, message}``, the message naming the spec. Fields are Trogdor's, in kafkatest's
positional order where kafkatest has a constructor, all optional as in Trogdor's JSON.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from ducktape.trogdor.spec import TaskSpec, register_spec

KAFKA_WORKLOAD = "org.apache.kafka.trogdor.workload."


class KafkaClientSpec(TaskSpec):
    """A Kafka client workload: runs on the node(s) of ``NODE_FIELD``, and not on this agent."""

    NODE_FIELD = ""

    def target_nodes(self, node_names: list[str]) -> list[str]:
        value = getattr(self, self.NODE_FIELD)
        return [value] if isinstance(value, str) else list(value or ())

    def refusal(self) -> str:
        """Why an agent cannot run this spec (its REST answer is 501 with this message)."""
        return (f"{type(self).__name__} ({KAFKA_WORKLOAD}{type(self).__name__}) is not supported: "
                "this agent runs no Kafka clients; run it on Kafka's Trogdor agent")

    def new_worker(self, worker_id: int) -> Any:
        raise NotImplementedError(self.refusal())


@register_spec(KAFKA_WORKLOAD + "ProduceBenchSpec")
@dataclasses.dataclass(frozen=True)
class ProduceBenchSpec(KafkaClientSpec):
    """Trogdor's produce benchmark (kafkatest: ``ProduceBenchWorkloadSpec``)."""

    producer_node: Any = ""
    bootstrap_servers: Any = ""
    target_messages_per_sec: Any = None
    max_messages: Any = None
    producer_conf: Any = None
    admin_client_conf: Any = None
    common_client_conf: Any = None
    inactive_topics: Any = None
    active_topics: Any = None
    transaction_generator: Any = None
    key_generator: Any = None
    value_generator: Any = None
    use_configured_partitioner: Any = None
    skip_flush: Any = None
    NODE_FIELD = "producer_node"


@register_spec(KAFKA_WORKLOAD + "ConsumeBenchSpec")
@dataclasses.dataclass(frozen=True)
class ConsumeBenchSpec(KafkaClientSpec):
    """Trogdor's consume benchmark (kafkatest: ``ConsumeBenchWorkloadSpec``)."""

    consumer_node: Any = ""
    bootstrap_servers: Any = ""
    target_messages_per_sec: Any = None
    max_messages: Any = None
    active_topics: Any = None
    consumer_conf: Any = None
    common_client_conf: Any = None
    admin_client_conf: Any = None
    consumer_group: Any = None
    threads_per_worker: Any = 1
    record_processor: Any = None
    NODE_FIELD = "consumer_node"


@register_spec(KAFKA_WORKLOAD + "RoundTripWorkloadSpec")
@dataclasses.dataclass(frozen=True)
class RoundTripWorkloadSpec(KafkaClientSpec):
    """Trogdor's produce-then-consume round trip (kafkatest's name and argument order)."""

    client_node: Any = ""
    bootstrap_servers: Any = ""
    target_messages_per_sec: Any = None
    max_messages: Any = None
    active_topics: Any = None
    common_client_conf: Any = None
    admin_client_conf: Any = None
    consumer_conf: Any = None
    producer_conf: Any = None
    value_generator: Any = None
    NODE_FIELD = "client_node"


@register_spec(KAFKA_WORKLOAD + "ConnectionStressSpec")
@dataclasses.dataclass(frozen=True)
class ConnectionStressSpec(KafkaClientSpec):
    """Trogdor's connection stress test."""

    client_node: Any = ""
    bootstrap_servers: Any = ""
    common_client_conf: Any = None
    target_connections_per_sec: Any = None
    num_threads: Any = None
    action: Any = None
    NODE_FIELD = "client_node"


@register_spec(KAFKA_WORKLOAD + "SustainedConnectionSpec")
@dataclasses.dataclass(frozen=True)
class SustainedConnectionSpec(KafkaClientSpec):
    """Trogdor's long-lived producer, consumer and metadata connections."""

    client_node: Any = ""
    bootstrap_servers: Any = ""
    producer_conf: Any = None
    consumer_conf: Any = None
    admin_client_conf: Any = None
    common_client_conf: Any = None
    key_generator: Any = None
    value_generator: Any = None
    producer_connection_count: Any = None
    consumer_connection_count: Any = None
    metadata_connection_count: Any = None
    topic_name: Any = None
    num_threads: Any = None
    refresh_rate_ms: Any = None
    NODE_FIELD = "client_node"


@register_spec(KAFKA_WORKLOAD + "ConfigurableProducerSpec")
@dataclasses.dataclass(frozen=True)
class ConfigurableProducerSpec(KafkaClientSpec):
    """Trogdor's producer with pluggable flush, throughput and payload generators."""

    producer_node: Any = ""
    bootstrap_servers: Any = ""
    flush_generator: Any = None
    throughput_generator: Any = None
    key_generator: Any = None
    value_generator: Any = None
    producer_conf: Any = None
    common_client_conf: Any = None
    admin_client_conf: Any = None
    active_topic: Any = None
    active_partition: Any = None
    NODE_FIELD = "producer_node"


ProduceBenchWorkloadSpec = ProduceBenchSpec  # kafkatest's names for the same specs
ConsumeBenchWorkloadSpec = ConsumeBenchSpec
