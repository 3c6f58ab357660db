"""Built-in workloads; importing this package registers their spec classes."""
from ducktape.trogdor.workloads.external_command import ExternalCommandSpec
from ducktape.trogdor.workloads.kafka import (
    ConfigurableProducerSpec,
    ConnectionStressSpec,
    ConsumeBenchSpec,
    ConsumeBenchWorkloadSpec,
    ProduceBenchSpec,
    ProduceBenchWorkloadSpec,
    RoundTripWorkloadSpec,
    SustainedConnectionSpec,
)
from ducktape.trogdor.workloads.noop import NoOpTaskSpec
from ducktape.trogdor.workloads.register import RegisterWorkloadSpec
from ducktape.trogdor.workloads.request_latency import RequestLatencySpec

__all__ = ["ConfigurableProducerSpec", "ConnectionStressSpec", "ConsumeBenchSpec", "ConsumeBenchWorkloadSpec",
           "ExternalCommandSpec", "NoOpTaskSpec", "ProduceBenchSpec", "ProduceBenchWorkloadSpec", "RegisterWorkloadSpec",
           "RequestLatencySpec", "RoundTripWorkloadSpec", "SustainedConnectionSpec"]
