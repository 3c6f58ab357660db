"""The Service base class: one kind of process deployed on a set of nodes.

A service allocates its nodes when it is constructed, registers itself with its
test's ServiceRegistry, and knows how to start, wait for, stop and clean one
node. Subclasses override the ``*_node`` methods; the base class runs them over
all nodes. Choosing nodes is the cluster's job; collecting logs is the runner's.
"""
from __future__ import annotations

import inspect
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from typing import Any, ClassVar

from ducktape.cluster.node_group import GroupResult, NodeGroup
from ducktape.errors import DucktapeError, TimeoutError
from ducktape.services.node_listeners import STEP_EVENTS, NodeListener, tells_listeners
from ducktape.template import TemplateRenderer
from ducktape.utils.plural import counted

BAD_TEST_MESSAGE = (
    "A node handed to this service still had a logger attached: a previous test or "
    "service did not free it. Check that every service is freed at the end of its test."
)


class ServiceIdFactory:
    """Makes ``<ClassName>-<order>-<id>`` service ids."""

    def generate_service_id(self, service: Service) -> str:
        return f"{type(service).__name__}-{service._order}-{id(service)}"


class MultiRunServiceIdFactory:
    """Makes ``<run>-<ClassName>-<order>-<id>`` ids, so deflake runs stay apart."""

    def __init__(self, run_number: int = 1):
        self.run_number = run_number

    def generate_service_id(self, service: Service) -> str:
        return f"{self.run_number}-{type(service).__name__}-{service._order}-{id(service)}"


service_id_factory = ServiceIdFactory()


class ServiceNodeErrors(DucktapeError):
    """Several nodes of one service failed the same step; every failure is listed."""

    def __init__(self, action: str, failures: list[tuple[str, BaseException]]):
        self.action = action
        self.failures = failures
        lines = [f"{who}: {type(err).__name__}: {err}" for who, err in failures]
        super().__init__(f"{action} failed on {counted(len(failures), 'node')}:\n" + "\n".join(lines))


class Service(TemplateRenderer):
    """Deploys one kind of process on its nodes and tears it down again.

    ``logs`` maps a log name to ``{"path": remote_path, "collect_default": bool}``;
    the runner copies those paths off the nodes after the test. ``add_node_listener``
    lets other code (JVM logging) act around each node step without replacing methods.
    """

    logs: ClassVar[dict[str, dict[str, Any]]] = {}
    _node_listeners: tuple[NodeListener, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # A subclass's own start_node/clean_node tell the listeners too, however they are called.
        super().__init_subclass__(**kwargs)
        for name in STEP_EVENTS:
            step = cls.__dict__.get(name)
            if inspect.isfunction(step):
                setattr(cls, name, tells_listeners(step, name))

    def add_node_listener(self, listener: NodeListener) -> None:
        """Tell *listener* about this service's node steps from now on (once per listener)."""
        if listener not in self._node_listeners:
            self._node_listeners = (*self._node_listeners, listener)

    def _tell_listeners(self, event: str, node: Any) -> None:
        """Call ``listener.<event>(self, node)`` on every node listener, in the order added."""
        for listener in self._node_listeners:
            getattr(listener, event)(self, node)

    def __init__(self, context, num_nodes: int | None = None, cluster_spec=None, *args, **kwargs):
        skip_nodes_allocation = bool(kwargs.pop("skip_nodes_allocation", False))
        super().__init__(*args, **kwargs)
        self._init_time = time.time()
        self._start_time = -1.0
        self._start_duration_seconds = -1.0
        self._stop_time = -1.0
        self._stop_duration_seconds = -1.0
        self._clean_time = -1.0
        self._local_scratch_dir: str | None = None
        self.service_id_factory = service_id_factory
        self.cluster_spec = Service.setup_cluster_spec(num_nodes=num_nodes, cluster_spec=cluster_spec)
        self.context = context
        self.nodes: list = []
        self._nodes_formerly_allocated: list[str] = []  # kept for to_json() after free()
        self.skip_nodes_allocation = skip_nodes_allocation
        if not skip_nodes_allocation:
            self.allocate_nodes()
        self.context.services.append(self)

    @staticmethod
    def setup_cluster_spec(num_nodes: int | None = None, cluster_spec=None):
        """Return the spec asked for: exactly one of *num_nodes* / *cluster_spec*."""
        if num_nodes is None and cluster_spec is None:
            raise RuntimeError("You must set either num_nodes or cluster_spec.")
        if num_nodes is not None and cluster_spec is not None:
            raise RuntimeError("You must set only one of (num_nodes, cluster_spec)")
        if cluster_spec is not None:
            return cluster_spec
        from ducktape.cluster.cluster_spec import ClusterSpec

        return ClusterSpec.simple_linux(num_nodes)

    def __repr__(self) -> str:
        hosts = [n.account.hostname for n in self.nodes]
        return f"<{self.who_am_i()}: num_nodes: {len(self.nodes)}, nodes: {hosts}>"

    # -- identity -------------------------------------------------------------------------

    @property
    def num_nodes(self) -> int:
        return len(self.nodes)

    @property
    def local_scratch_dir(self) -> str:
        """A directory on the driver host for this service, removed by close()."""
        if not self._local_scratch_dir:
            self._local_scratch_dir = tempfile.mkdtemp(prefix="ducktape-service-")
        return self._local_scratch_dir

    @property
    def service_id(self) -> str:
        return self.service_id_factory.generate_service_id(self)

    @property
    def _order(self) -> int:
        """0-based index among registered services of this class (or a base of it)."""
        services = getattr(self.context, "services", None)
        if services is None:
            return 0
        same = [id(s) for s in services if isinstance(self, type(s))]
        if id(self) in same:
            return same.index(id(self))
        return len(same)

    @property
    def logger(self) -> logging.Logger:
        return self.context.logger

    @property
    def cluster(self):
        return self.context.cluster

    @property
    def allocated(self) -> bool:
        return len(self.nodes) > 0

    def who_am_i(self, node=None) -> str:
        """The service id, or ``"<id> node <idx> on <hostname>"`` for one node."""
        if node is None:
            return self.service_id
        return f"{self.service_id} node {self.idx(node)} on {node.account.hostname}"

    def get_node(self, idx: int):
        """Node by 1-based index, as printed in logs."""
        return self.nodes[idx - 1]

    def idx(self, node) -> int:
        """1-based position of *node* in this service, -1 when it is not ours."""
        for position, candidate in enumerate(self.nodes, 1):
            if candidate == node:
                return position
        return -1

    # -- nodes ----------------------------------------------------------------------------

    def allocate_nodes(self) -> None:
        """Take this service's nodes from the test's cluster and route their logs to the test log."""
        if self.allocated:
            raise RuntimeError("Requesting nodes for a service that has already been allocated nodes.")
        self.logger.debug("Requesting nodes from the cluster: %s", self.cluster_spec)
        try:
            self.nodes = self.cluster.alloc(self.cluster_spec)
        except RuntimeError as err:
            msg = str(err)
            if hasattr(self.context, "services"):
                msg += " Currently registered services: " + repr(list(self.context.services))
            raise RuntimeError(msg) from err
        for node in self.nodes:
            if getattr(node.account, "_logger", None) is not None:
                node.account.logger.critical(BAD_TEST_MESSAGE)
                raise RuntimeError(
                    "logger was not None on service start: another service still owns the node. "
                    f"Service: {type(self).__name__}, node.account: {node.account}"
                )
            node.account.logger = self.logger
        self._nodes_formerly_allocated = [str(node.account) for node in self.nodes]
        self.logger.debug("Successfully allocated %s to %s", counted(len(self.nodes), "node"), self.who_am_i())

    def free(self) -> None:
        """Return every node to the cluster; a failure on one node does not keep the others."""
        def free_one(node: Any) -> None:
            self.logger.info("%s: freeing node", self.who_am_i(node))
            self.nodes.remove(node)
            self._tell_listeners("freeing_node", node)
            node.account.logger = None
            self.cluster.free(node)

        failures = self._gathered(NodeGroup(reversed(list(self.nodes))).each(free_one))
        _raise_gathered("free", failures)

    # -- lifecycle ------------------------------------------------------------------------

    def start(self, **kwargs) -> None:
        """Stop and clean every node (errors ignored), then start_node each, forwarding kwargs."""
        self.logger.info("%s: starting service", self.who_am_i())
        if self._start_time < 0:
            self._start_time = time.time()
        self.logger.debug("%s: killing processes and cleaning up before starting", self.who_am_i())
        for node in self.nodes:
            try:
                self.stop_node(node)
            except Exception:
                self.logger.debug("%s: stop before start failed", self.who_am_i(node), exc_info=True)
            if not kwargs.get("clean", True):
                self.logger.debug("%s: skip cleaning node", self.who_am_i(node))
                continue
            try:
                self.clean_node(node)
            except Exception:
                self.logger.debug("%s: clean before start failed", self.who_am_i(node), exc_info=True)
        for node in self.nodes:
            self.logger.debug("%s: starting node", self.who_am_i(node))
            self.start_node(node, **kwargs)
        if self._start_duration_seconds < 0:
            self._start_duration_seconds = time.time() - self._start_time

    @tells_listeners
    def start_node(self, node, **kwargs) -> None:
        """Start this service's process(es) on *node*. Base: nothing."""

    def wait(self, timeout_sec: float = 600) -> None:
        """Wait, under one shared deadline, until wait_node says every node has finished."""
        unfinished = []
        end = time.time() + timeout_sec
        for node in self.nodes:
            who = self.who_am_i(node)
            remaining = end - time.time()
            if remaining <= 0:
                unfinished.append(who)
                continue
            self.logger.debug("%s: waiting for node", who)
            if not self.wait_node(node, remaining):
                unfinished.append(who)
        if unfinished:
            raise TimeoutError(
                f"Timed out waiting {timeout_sec} seconds for service nodes to finish. "
                f"These nodes are still alive: {unfinished}"
            )

    def wait_node(self, node, timeout_sec: float | None = None) -> bool | None:
        """Return True once the service on *node* has finished. Base: None (never finishes)."""
        return None

    def stop(self, **kwargs) -> None:
        """stop_node on every node; all nodes are tried, then the failure(s) are raised."""
        self._stop_time = time.time()
        self.logger.info("%s: stopping service", self.who_am_i())
        self._each_node("stop", lambda node: self.stop_node(node, **kwargs))
        self._stop_duration_seconds = time.time() - self._stop_time

    def stop_node(self, node, **kwargs) -> None:
        """Halt this service's process(es) on *node*. Base: nothing."""

    def clean(self, **kwargs) -> None:
        """clean_node on every node; all nodes are tried, then the failure(s) are raised."""
        self._clean_time = time.time()
        self.logger.info("%s: cleaning service", self.who_am_i())
        self._each_node("clean", lambda node: self.clean_node(node, **kwargs))

    @tells_listeners
    def clean_node(self, node, **kwargs) -> None:
        """Remove persistent state (logs, data, config) from *node*. Base: only warns."""
        self.logger.warning(
            "%s: clean_node has not been overridden. "
            "This may be fine if the service leaves no persistent state.",
            self.who_am_i(),
        )

    def _each_node(self, action: str, step: Callable[[Any], None]) -> None:
        """*step* on every node, one after the other: a subclass's stop_node and clean_node
        were written for one node at a time, so they are never run side by side."""
        def one(node: Any) -> None:
            self.logger.info("%s: %s node", self.who_am_i(node), _ING[action])
            step(node)

        outcomes = NodeGroup(list(self.nodes)).each(one)
        for outcome in outcomes.failed:
            err = outcome.error
            self.logger.warning("%s: %s failed: %s: %s", self.who_am_i(outcome.member), action, type(err).__name__, err)
        _raise_gathered(action, self._gathered(outcomes))

    def _gathered(self, outcomes: GroupResult) -> list[tuple[str, BaseException]]:
        return [(self.who_am_i(o.member), o.error) for o in outcomes.failed]

    def run(self) -> None:
        """start(), wait(), stop()."""
        self.start()
        self.wait()
        self.stop()

    @staticmethod
    def run_parallel(*services: Service) -> None:
        """Start all, then wait for all, then stop all (e.g. a producer and a consumer)."""
        for svc in services:
            svc.start()
        for svc in services:
            svc.wait()
        for svc in services:
            svc.stop()

    def close(self) -> None:
        """Remove the driver-side scratch directory."""
        if self._local_scratch_dir and os.path.exists(self._local_scratch_dir):
            shutil.rmtree(self._local_scratch_dir, ignore_errors=True)

    def to_json(self) -> dict:
        return {
            "cls_name": type(self).__name__,
            "module_name": type(self).__module__,
            "lifecycle": {
                "init_time": self._init_time,
                "start_time": self._start_time,
                "start_duration_seconds": self._start_duration_seconds,
                "stop_time": self._stop_time,
                "stop_duration_seconds": self._stop_duration_seconds,
                "clean_time": self._clean_time,
            },
            "service_id": self.service_id,
            "nodes": list(self._nodes_formerly_allocated),
        }


_ING = {"stop": "stopping", "clean": "cleaning"}


def _raise_gathered(action: str, failures: list[tuple[str, BaseException]]) -> None:
    """Re-raise a single failure as itself, several as one ServiceNodeErrors."""
    if len(failures) == 1:
        raise failures[0][1]
    if failures:  # the first node's error is the cause, so its traceback is kept
        raise ServiceNodeErrors(action, failures) from failures[0][1]
