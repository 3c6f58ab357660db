"""Built-in workloads; importing this package registers their spec classes."""
from ducktape.trogdor.workloads.noop import NoOpTaskSpec

__all__ = ["NoOpTaskSpec"]
