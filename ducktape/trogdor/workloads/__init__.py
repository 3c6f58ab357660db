"""Built-in workloads; importing this package registers their spec classes."""
from ducktape.trogdor.workloads.external_command import ExternalCommandSpec
from ducktape.trogdor.workloads.noop import NoOpTaskSpec
from ducktape.trogdor.workloads.request_latency import RequestLatencySpec

__all__ = ["ExternalCommandSpec", "NoOpTaskSpec", "RequestLatencySpec"]
