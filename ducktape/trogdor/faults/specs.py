"""Fault task specs for the Trogdor agent (their one worker is ``fault_worker.FaultWorker``).

Kafka's names, fields and constructors (kafkatest's) are accepted where Kafka has the fault
(``NetworkPartitionFaultSpec``, ``ProcessStopFaultSpec`` with ``javaProcessName``,
``DegradedNetworkFaultSpec`` with ``nodeSpecs``, ``FilesUnreadableFaultSpec``); node
lists take ``ClusterNode`` objects or names. Each spec names its registered fault kind
(``KIND``, see ``kinds.py``) and the parameters its fields give on one node; the worker
applies it in a thread and heals it through the node's ledger on ``stop`` and, after an
agent crash, in ``recover``. Standard library only.
"""
from __future__ import annotations

import dataclasses
import signal
from typing import Any

from ducktape.trogdor.faults import degrade, kinds, partition
from ducktape.trogdor.faults.fault_worker import FaultWorker, ledger_id  # noqa: F401 - ledger_id: imported from here
from ducktape.trogdor.faults.ledger import Ledger
from ducktape.trogdor.faults.shell import FaultError
from ducktape.trogdor.spec import SpecError, TaskSpec, register_spec

KAFKA_FAULT = "org.apache.kafka.trogdor.fault."
DEGRADE_KEYS = {"latencyMs": "delay_ms", "jitterMs": "jitter_ms", "lossPercent": "loss_percent",
                "duplicatePercent": "duplicate_percent", "corruptPercent": "corrupt_percent",
                "reorderPercent": "reorder_percent", "rateLimitKbit": "rate_kbit"}
DEGRADE_OTHER_KEYS = ("networkDevice", "peers", "method")


def _names(field: str, value: Any) -> tuple:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v for v in value):
        raise SpecError(field, f"must be a list of node names, got {value!r}")
    return tuple(value)


class FaultSpec(TaskSpec):
    """A fault: ``apply_on(ledger, platform)`` changes one node (recording in *ledger* first)
    through the registered fault kind ``KIND`` (``kinds.py``), with the parameters
    ``params_on(node)`` reads from the spec's fields; ``reported`` shapes the task's result.

    ``NODE_FIELDS`` name the fields holding node lists: nodes given there as objects (a
    test's ``ClusterNode``) become their names, as kafkatest's ``to_node_names`` does."""

    NODE_FIELDS: tuple = ()
    KIND = ""
    RESULT_KEY = ""  # the result as ``{RESULT_KEY: value}``, as Trogdor's status shows it

    def __post_init__(self) -> None:
        for name in self.NODE_FIELDS:
            object.__setattr__(self, name, TaskSpec.to_node_names(getattr(self, name)))
        super().__post_init__()

    def kind_on(self, node: str) -> str:
        return self.KIND

    def params_on(self, node: str) -> dict:
        raise NotImplementedError

    def reported(self, result: Any, node: str) -> Any:
        return {self.RESULT_KEY: result} if self.RESULT_KEY else result

    def apply_on(self, ledger: Ledger, platform: Any) -> Any:
        node = platform.node_name
        kind = kinds.get(self.kind_on(node))
        nodes = tuple(self.target_nodes([]))
        addresses = getattr(self, "addresses", None) or {}  # a field of the specs whose names may not resolve
        # a name resolves as Trogdor's does: to its node's hostname in the agent's config
        target = kinds.Target(node, nodes, lambda name: addresses.get(name) or platform.hostname(name))
        return self.reported(kind.apply(ledger, target, kind.params(self.params_on(node), nodes)), node)

    def new_worker(self, worker_id: int) -> FaultWorker:
        return FaultWorker(worker_id, self)


@register_spec(KAFKA_FAULT + "NetworkPartitionFaultSpec")
@dataclasses.dataclass(frozen=True)
class NetworkPartitionFaultSpec(FaultSpec):
    """``partitions``: lists of node names that cannot reach each other's lists.
    ``addresses`` (ours): node name -> IP, where names do not resolve on the nodes."""

    partitions: Any = ()
    addresses: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.partitions, (list, tuple)):
            object.__setattr__(self, "partitions", [TaskSpec.to_node_names(g) for g in self.partitions])
        super().__post_init__()

    def validate(self) -> None:
        groups = [_names(f"partitions[{i}]", g) for i, g in enumerate(self.partitions or ())]
        try:
            partition.plan_from_groups(groups)
        except FaultError as e:
            raise SpecError("partitions", str(e)) from None

    def plan(self) -> partition.Plan:
        return partition.plan_from_groups(self.partitions)

    def target_nodes(self, node_names: list[str]) -> list[str]:
        return sorted(self.plan())

    KIND = "partition"

    def params_on(self, node: str) -> dict:
        return {"plan": self.plan()}

    def reported(self, result: Any, node: str) -> Any:
        return {"dropping": sorted(self.plan().get(node, ()))}


@register_spec(KAFKA_FAULT + "ProcessStopFaultSpec")
@dataclasses.dataclass(frozen=True)
class ProcessStopFaultSpec(FaultSpec):
    """SIGSTOP processes on ``nodeNames``: those matching the regular expression ``pattern``
    (ours; none is an error), or Kafka's ``javaProcessName``, a name in the command line as
    ``jps`` shows it (none is logged, as Trogdor does). SIGCONT when the fault ends."""

    node_names: Any = ()
    java_process_name: str = ""
    pattern: str = ""
    NODE_FIELDS = ("node_names",)

    def validate(self) -> None:
        _names("nodeNames", self.node_names)
        if not (self.pattern or self.java_process_name):
            raise SpecError("pattern", "give pattern or javaProcessName: which processes to stop")

    def target_nodes(self, node_names: list[str]) -> list[str]:
        return list(self.node_names)

    KIND, RESULT_KEY = "process_stop", "stopped"

    def params_on(self, node: str) -> dict:
        return {"pattern": self.pattern, "java_process_name": self.java_process_name}


@register_spec()
@dataclasses.dataclass(frozen=True)
class ProcessKillFaultSpec(FaultSpec):
    """Send ``signal`` (SIGTERM or SIGKILL) to processes matching ``pattern``; run
    ``restartCommand`` on the node when the fault ends."""

    node_names: Any = ()
    pattern: str = ""
    signal: str = "SIGKILL"
    restart_command: str = ""
    NODE_FIELDS = ("node_names",)

    def validate(self) -> None:
        _names("nodeNames", self.node_names)
        if not self.pattern:
            raise SpecError("pattern", "missing: which processes to kill")
        if self.signal not in ("SIGTERM", "SIGKILL"):
            raise SpecError("signal", f"must be SIGTERM or SIGKILL, got {self.signal!r}")

    def target_nodes(self, node_names: list[str]) -> list[str]:
        return list(self.node_names)

    KIND, RESULT_KEY = "process_kill", "killed"

    def params_on(self, node: str) -> dict:
        return {"pattern": self.pattern, "signal": getattr(signal, self.signal), "restart": self.restart_command}


@register_spec()
@dataclasses.dataclass(frozen=True)
class NetworkDegradeFaultSpec(FaultSpec):
    """Ours, peer-scoped: ``nodeSpecs``: node name -> ``{latencyMs, rateLimitKbit}`` (Kafka's
    keys) plus ``jitterMs``, ``lossPercent``, ``duplicatePercent``, ``corruptPercent``,
    ``reorderPercent``, ``peers`` (default: the other nodes of ``nodeSpecs``), ``method``;
    only traffic between a node and its peers is degraded.
    ``addresses``: node name -> IP, where names do not resolve on the nodes."""

    node_specs: dict = dataclasses.field(default_factory=dict)
    addresses: dict = dataclasses.field(default_factory=dict)

    def validate(self) -> None:
        if not self.node_specs:
            raise SpecError("nodeSpecs", "empty: name the nodes to degrade")
        self._validate_node_specs()

    def _validate_node_specs(self) -> None:
        for name, spec in self.node_specs.items():
            field = f"nodeSpecs.{name}"
            if not isinstance(spec, dict):
                raise SpecError(field, f"must be an object, got {spec!r}")
            unknown = set(spec) - set(DEGRADE_KEYS) - set(DEGRADE_OTHER_KEYS)
            if unknown:
                raise SpecError(f"{field}.{min(unknown)}", "unknown; known: "
                                + ", ".join(sorted([*DEGRADE_KEYS, *DEGRADE_OTHER_KEYS])))
            try:
                self.degradation(name)
            except (FaultError, TypeError) as e:
                raise SpecError(field, str(e)) from None
            if "peers" in spec:
                _names(f"{field}.peers", spec["peers"])

    def degradation(self, name: str) -> degrade.Degradation:
        spec = self.node_specs[name]
        return degrade.Degradation(**{ours: spec[theirs] for theirs, ours in DEGRADE_KEYS.items() if theirs in spec})

    def target_nodes(self, node_names: list[str]) -> list[str]:
        return sorted(self.node_specs)

    KIND = "degrade"

    def params_on(self, node: str) -> dict:
        """Ours names for Kafka's keys; no ``peers``: the other nodes of ``nodeSpecs``."""
        spec = self.node_specs.get(node, {})
        return {**{ours: spec[theirs] for theirs, ours in DEGRADE_KEYS.items() if theirs in spec},
                "method": spec.get("method", "auto"), "peers": spec.get("peers") or None,
                "device": spec.get("networkDevice") or ""}


@register_spec(KAFKA_FAULT + "DegradedNetworkFaultSpec")
@dataclasses.dataclass(frozen=True)
class DegradedNetworkFaultSpec(NetworkDegradeFaultSpec):
    """Kafka's, device-wide: each node of ``nodeSpecs`` delays and rate-limits all traffic
    on its ``networkDevice`` (default: the device of its default route), SSH excepted;
    with ``peers`` in a node's entry it is peer-scoped as ours. kafkatest's constructor:
    ``DegradedNetworkFaultSpec(start_ms, duration_ms)``, then ``add_node_spec``."""

    def validate(self) -> None:
        self._validate_node_specs()  # empty is allowed: kafkatest fills it after construction

    @property
    def message(self) -> dict[str, Any]:
        """As kafkatest's: ``nodeSpecs`` is there from the start, even while empty."""
        message = TaskSpec.message.fget(self)
        message.setdefault("nodeSpecs", {})
        return message

    def add_node_spec(self, node: Any, networkDevice: str, latencyMs: int = 0,  # kafkatest's keywords
                      rateLimitKbit: int = 0) -> None:
        """Degrade *node* (a name or a node): kafkatest's way of filling ``nodeSpecs``."""
        name = node if isinstance(node, str) else node.name
        entry = {"rateLimitKbit": rateLimitKbit, "latencyMs": latencyMs, "networkDevice": networkDevice}
        self.node_specs[name] = entry
        if self.message["nodeSpecs"] is not self.node_specs:
            self.message["nodeSpecs"][name] = dict(entry)
        try:
            self.degradation(name)
        except (FaultError, TypeError) as e:
            raise SpecError(f"nodeSpecs.{name}", str(e)) from None

    def kind_on(self, node: str) -> str:
        return "degrade" if "peers" in self.node_specs.get(node, {}) else "degrade_device"


@register_spec()
@dataclasses.dataclass(frozen=True)
class DiskFillFaultSpec(FaultSpec):
    """Fill the file system of ``path`` on ``nodeNames`` until ``leaveBytes`` are left."""

    node_names: Any = ()
    path: str = ""
    leave_bytes: int = 0
    NODE_FIELDS = ("node_names",)

    def validate(self) -> None:
        _names("nodeNames", self.node_names)
        if not self.path.startswith("/"):
            raise SpecError("path", f"must be an absolute directory, got {self.path!r}")
        if self.leave_bytes < 0:
            raise SpecError("leaveBytes", f"must be >= 0, got {self.leave_bytes}")

    def target_nodes(self, node_names: list[str]) -> list[str]:
        return list(self.node_names)

    KIND, RESULT_KEY = "disk_fill", "fill_bytes"

    def params_on(self, node: str) -> dict:
        return {"path": self.path, "leave_bytes": self.leave_bytes}


@register_spec(KAFKA_FAULT + "FilesUnreadableFaultSpec")
@dataclasses.dataclass(frozen=True)
class FilesUnreadableFaultSpec(FaultSpec):
    """Kafka's: on ``nodeNames``, reads of files below ``mountPath`` whose path from it
    starts with ``prefix`` fail with errno ``errorCode``, through a FUSE pass-through the
    agent mounts over ``mountPath`` and unmounts when the fault ends."""

    node_names: Any = ()
    mount_path: str = ""
    prefix: str = ""
    error_code: int = 0
    NODE_FIELDS = ("node_names",)

    def validate(self) -> None:
        _names("nodeNames", self.node_names)
        if not self.mount_path.startswith("/"):
            raise SpecError("mountPath", f"must be an absolute directory, got {self.mount_path!r}")
        if not 0 < self.error_code < 4096:
            raise SpecError("errorCode", f"must be an errno such as 5 (EIO), got {self.error_code}")

    def target_nodes(self, node_names: list[str]) -> list[str]:
        return list(self.node_names)

    KIND = "files_unreadable"

    def params_on(self, node: str) -> dict:
        return {"mount_path": self.mount_path, "prefix": self.prefix, "error_code": self.error_code}


class _ClockSpec(FaultSpec):
    """Clock faults reach only processes started under libfaketime (``faults/clock.py``)."""

    NODE_FIELDS = ("node_names",)

    def validate(self) -> None:
        _names("nodeNames", self.node_names)

    def target_nodes(self, node_names: list[str]) -> list[str]:
        return list(self.node_names)


@register_spec()
@dataclasses.dataclass(frozen=True)
class ClockSkewFaultSpec(_ClockSpec):
    """The clocks of processes under libfaketime on ``nodeNames`` run ``offsetMs`` off."""

    node_names: Any = ()
    offset_ms: int = 0

    KIND = "clock_skew"

    def params_on(self, node: str) -> dict:
        return {"offset_s": self.offset_ms / 1000}


@register_spec()
@dataclasses.dataclass(frozen=True)
class ClockJumpFaultSpec(_ClockSpec):
    """Their clocks jump by ``deltaMs``, ``times`` times (default 1), ``everyMs`` apart."""

    node_names: Any = ()
    delta_ms: int = 0
    times: int = 1
    every_ms: int = 1000

    def validate(self) -> None:
        super().validate()
        if self.times < 1:
            raise SpecError("times", f"must be >= 1, got {self.times}")
        if self.every_ms <= 0:
            raise SpecError("everyMs", f"must be > 0, got {self.every_ms}")

    KIND = "clock_jump"

    def params_on(self, node: str) -> dict:
        return {"delta_s": self.delta_ms / 1000, "times": self.times, "every_s": self.every_ms / 1000}


@register_spec()
@dataclasses.dataclass(frozen=True)
class ClockStrobeFaultSpec(_ClockSpec):
    """Their clocks flip between ``deltaMs`` off and right every ``periodMs``."""

    node_names: Any = ()
    delta_ms: int = 0
    period_ms: int = 1000

    def validate(self) -> None:
        super().validate()
        if self.period_ms <= 0:
            raise SpecError("periodMs", f"must be > 0, got {self.period_ms}")

    KIND = "clock_strobe"

    def params_on(self, node: str) -> dict:
        return {"delta_s": self.delta_ms / 1000, "period_s": self.period_ms / 1000}
