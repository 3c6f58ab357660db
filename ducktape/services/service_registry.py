"""ServiceRegistry: the services a test constructed, in registration order.

The runner uses it to stop, clean and free everything a test started, whatever
the test did. Each ``*_all`` step tries every service, logs each failure on the
service's logger and returns the failures, so one broken service never stops the
others' teardown. Only Ctrl-C is re-raised, after every service was tried.
Listeners (``add_listener``) are called with each service as it registers: the
runner reports services that way, and JVM logging equips them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ducktape.cluster.node_group import NodeGroup


@dataclass(frozen=True)
class ServiceFailure:
    """One service that failed one teardown step."""

    service: str
    action: str
    error: BaseException

    def __str__(self) -> str:
        return f"{self.action} {self.service}: {type(self.error).__name__}: {self.error}"


class ServiceRegistry:
    """Ordered collection of services keyed by object identity."""

    def __init__(self, enable_jvm_logs: bool = False) -> None:
        self._services: dict[int, object] = {}
        self._nodes: dict[int, list[str]] = {}
        self._listeners: list[Callable[[object], None]] = []
        if enable_jvm_logs:
            from ducktape.jvm_logging import JVMLogger

            self.add_listener(JVMLogger().enable_for_service)

    def add_listener(self, on_append: Callable[[object], None]) -> None:
        """Call *on_append(service)* for each service appended from now on, in the order
        listeners were added, before the service is stored."""
        self._listeners.append(on_append)

    def __contains__(self, item) -> bool:
        return id(item) in self._services

    def __iter__(self) -> Iterator:
        return iter(list(self._services.values()))

    def __repr__(self) -> str:
        return repr(list(self._services.values()))

    def append(self, service) -> None:
        for on_append in list(self._listeners):
            on_append(service)
        self._services[id(service)] = service
        self._nodes[id(service)] = [str(n.account) for n in service.nodes]

    def to_json(self) -> list[dict]:
        return [service.to_json() for service in self._services.values()]

    def stop_all(self) -> list[ServiceFailure]:
        """Stop every service, last registered first (consumers before the brokers they read)."""
        return self._each("stop", reversed(list(self._services.values())), lambda s: s.stop())

    def clean_all(self) -> list[ServiceFailure]:
        """Clean every service, in registration order. Call after stop_all."""
        return self._each("clean", list(self._services.values()), lambda s: s.clean())

    def free_all(self) -> list[ServiceFailure]:
        """Return every service's nodes to the cluster, then forget the services."""
        try:
            return self._each("free", list(self._services.values()), lambda s: s.free())
        finally:
            self._services.clear()
            self._nodes.clear()

    def errors(self) -> str:
        """Errors the services recorded themselves (e.g. failed background workers)."""
        return "\n\n".join(
            f"{service.who_am_i()}: {service.error}"
            for service in self._services.values()
            if getattr(service, "error", None)
        )

    @staticmethod
    def _each(action: str, services, step) -> list[ServiceFailure]:
        """*step* on every service, one after the other (``NodeGroup.each``): services depend
        on each other (a consumer on its brokers), so they are never stopped or cleaned at the
        same time, and within a service ``Service._each_node`` takes its nodes in turn too,
        since subclasses' ``stop_node``/``clean_node`` were written for one node at a time.
        Every service is tried, Ctrl-C included, which is re-raised afterwards."""
        def one(service) -> None:  # what step returns is no outcome: only its errors count
            step(service)

        failures: list[ServiceFailure] = []
        outcomes = NodeGroup(services).each(one, catch=BaseException)
        for outcome in outcomes.failed:
            service, err = outcome.member, outcome.error
            service.logger.warning("Error %s service %s: %s: %s", _ING[action], service, type(err).__name__, err)
            failures.append(ServiceFailure(_who(service), action, err))
        interrupts = [f.error for f in failures if isinstance(f.error, KeyboardInterrupt)]
        if interrupts:
            raise interrupts[-1]
        return failures


_ING = {"stop": "stopping", "clean": "cleaning", "free": "freeing"}


def _who(service) -> str:
    try:
        return service.who_am_i()
    except Exception:  # noqa: BLE001 - naming must not hide the real failure
        return type(service).__name__
