"""Faults from a test, no agent needed: context managers over the nodes' accounts.

Each applies its fault on entry and always undoes it on exit, exceptions (and a test's
timeout) included. Every node's changes go through the node's ledger, so a fault cut short
by a killed test process is still healed by the runner or ``ducktape-trogdor heal``.

    with network_partition([n1], [n2, n3]):
        ...                      # n1 cannot talk with n2 and n3; n2 and n3 still can
"""
from __future__ import annotations

import contextlib
import signal
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ducktape.cluster.node_group import NodeGroup
from ducktape.trogdor.faults import journal, kinds, partition
from ducktape.trogdor.faults.ledger import Ledger
from ducktape.trogdor.faults.shell import FaultError, Run, account_run


def _describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 80 else text[:77] + '...'}"


def node_list(value: Any, what: str) -> list:
    """*value* (a list of ClusterNodes, such as ``service.nodes``) as a list; a TypeError naming
    *what* and what was passed otherwise (an account, a hostname, a lone node)."""
    fix = "pass cluster nodes (e.g. [service.nodes[0]] or service.nodes), not their accounts or names"
    if isinstance(value, (str, bytes)) or getattr(value, "account", None) is not None or not hasattr(value, "__iter__"):
        raise TypeError(f"{what} must be a list of cluster nodes, got {_describe(value)}; {fix}")
    items = list(value)
    for item in items:
        if getattr(item, "account", None) is None:
            raise TypeError(f"{what} must hold cluster nodes (objects with .account), got {_describe(item)}; {fix}")
    return items


def node_name(node: Any) -> str:
    return node.account.hostname


def node_address(node: Any) -> str:
    """The address other nodes use to reach *node*."""
    account = node.account
    return account.externally_routable_ip or account.ssh_hostname


def new_task_id(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex[:10]}"


class NodesFault:
    """One fault over several nodes: ``apply`` runs *apply_one* on each (in parallel) and
    heals everything if any node fails; ``heal`` heals every node's ledger and raises with
    every problem left. Both are safe to call twice."""

    def __init__(self, kind: str, runners: dict[str, Run], apply_one: Callable[[Ledger, str], Any],
                 task_id: str | None = None, detail: dict | None = None) -> None:
        self.kind = kind
        self.task_id = task_id or new_task_id(kind)
        self.runners = runners
        self.apply_one = apply_one
        self.detail = detail or {}
        self.results: dict[str, Any] = {}
        self.applied = False

    def apply(self) -> NodesFault:
        record = journal.started(self.task_id, self.kind, list(self.runners), self, self.detail)
        self.applied = True
        outcomes = _on_every_node(self.runners, lambda name, run: self.apply_one(Ledger(run, self.task_id, self.kind), name))
        failures = {name: err for name, (ok, err) in outcomes.items() if not ok}
        self.results = {name: value for name, (ok, value) in outcomes.items() if ok}
        record["detail"]["results"] = self.results  # per node: pids, the degrade method used, ...
        if failures:
            with contextlib.suppress(FaultError):
                self.heal()
            raise FaultError(f"{self.kind} {self.task_id} failed on " +
                             "; ".join(f"{name}: {err}" for name, err in sorted(failures.items())))
        return self

    def heal(self) -> None:
        if not self.applied:
            return
        outcomes = _on_every_node(self.runners, lambda name, run: Ledger(run, self.task_id).heal())
        problems = []
        for name, (ok, value) in sorted(outcomes.items()):
            problems.extend(f"{name}: {p}" for p in ([value] if not ok else value))
        journal.ended(self.task_id, problems)
        if problems:
            raise FaultError(f"{self.kind} {self.task_id} not fully healed: " + "; ".join(map(str, problems)))
        self.applied = False


def _on_every_node(runners: dict[str, Run], fn: Callable[[str, Run], Any]) -> dict[str, tuple]:
    """``fn(name, run)`` on every node at once (a NodeGroup): name -> (True, value) or (False, error)."""
    outcomes = NodeGroup(runners.items()).call(lambda item: fn(*item), name="fault")
    return {o.member[0]: (o.error is None, o.value if o.error is None else o.error) for o in outcomes}


@contextlib.contextmanager
def applied(fault: NodesFault) -> Iterator[NodesFault]:
    """Apply *fault*, yield it, heal it whatever happens inside."""
    try:
        yield fault.apply()
    finally:
        fault.heal()


def _runners(nodes: Iterable[Any]) -> dict[str, Run]:
    return {node_name(n): account_run(n.account) for n in nodes}


def kind_fault(kind: str, nodes: Sequence[Any], known: Iterable[Any] = (), task_id: str | None = None,
               **given: Any) -> NodesFault:
    """A fault of the registered *kind* (``kinds.get``) on *nodes* with parameters *given*;
    *known* nodes are the ones a parameter may name besides *nodes* (a partition's other side)."""
    fault_kind = kinds.get(kind)
    nodes = node_list(nodes, f"{kind}: nodes")
    by_name = {node_name(n): n for n in [*node_list(known, f"{kind}: known nodes"), *nodes]}
    names = tuple(node_name(n) for n in nodes)
    params = fault_kind.params(given, names)

    def address(name: str) -> str:
        if name not in by_name:
            raise FaultError(f"{kind}: node {name!r} is not one of the nodes given")
        return node_address(by_name[name])

    return NodesFault(kind, _runners(nodes),
                      lambda ledger, name: fault_kind.apply(ledger, kinds.Target(name, names, address), params),
                      task_id=task_id, detail=dict(params))


def partition_fault(*groups: Sequence[Any], plan: partition.Plan | None = None,
                    nodes: Sequence[Any] = ()) -> NodesFault:
    """The fault of ``network_partition``; with *plan* (names -> names), *nodes* lists the
    nodes it names."""
    groups = tuple(node_list(g, f"network_partition: group {i}") for i, g in enumerate(groups, start=1))
    everyone = {node_name(n): n for group in groups for n in group}
    everyone.update({node_name(n): n for n in node_list(nodes, "network_partition: nodes=")})
    if plan is None:
        plan = partition.plan_from_groups([[node_name(n) for n in g] for g in groups])
    unknown = sorted(set(plan).union(*plan.values()) - set(everyone)) if plan else []
    if unknown:
        raise FaultError(f"the partition plan names nodes it was not given: {unknown}")
    return kind_fault("partition", [everyone[name] for name in plan], known=everyone.values(), plan=plan)


@contextlib.contextmanager
def network_partition(*groups: Sequence[Any], plan: partition.Plan | None = None,
                      nodes: Sequence[Any] = ()) -> Iterator[NodesFault]:
    """Nodes in different *groups* (lists of ClusterNodes) cannot exchange packets while
    the block runs; or pass ``plan=`` (from ``partition.isolate`` etc.) and ``nodes=``."""
    with applied(partition_fault(*groups, plan=plan, nodes=nodes)) as fault:
        yield fault


def degrade_fault(nodes: Sequence[Any], peers: Sequence[Any] | None = None, method: str = "auto",
                  **degradation: Any) -> NodesFault:
    """The fault of ``network_degrade``."""
    peers = None if peers is None else node_list(peers, "network_degrade: peers")
    names = None if peers is None else [node_name(p) for p in peers]
    nodes = node_list(nodes, "network_degrade: nodes")
    return kind_fault("degrade", nodes, known=peers or (), method=method, peers=names, **degradation)


@contextlib.contextmanager
def network_degrade(nodes: Sequence[Any], peers: Sequence[Any] | None = None, delay_ms: float = 0,
                    jitter_ms: float = 0, loss_percent: float = 0, duplicate_percent: float = 0,
                    corrupt_percent: float = 0, reorder_percent: float = 0, rate_kbit: int = 0,
                    method: str = "auto") -> Iterator[NodesFault]:
    """The links from each of *nodes* toward *peers* (default: toward each other) are degraded
    while the block runs. ``fault.results[name]["method"]`` says how (netem or user space)."""
    with applied(degrade_fault(nodes, peers, method, delay_ms=delay_ms, jitter_ms=jitter_ms,
                               loss_percent=loss_percent, duplicate_percent=duplicate_percent,
                               corrupt_percent=corrupt_percent, reorder_percent=reorder_percent,
                               rate_kbit=rate_kbit)) as fault:
        yield fault


def process_fault(kind: str, nodes: Sequence[Any], pattern: str, sig: int = signal.SIGKILL,
                  restart: str = "") -> NodesFault:
    """The fault of ``process_stop`` (kind ``process_stop``) or ``process_kill``."""
    extra = {"signal": sig, "restart": restart} if kind == "process_kill" else {}
    return kind_fault(kind, nodes, pattern=pattern, **extra)


@contextlib.contextmanager
def process_stop(nodes: Sequence[Any], pattern: str) -> Iterator[NodesFault]:
    """Processes matching *pattern* are paused (SIGSTOP) while the block runs."""
    with applied(process_fault("process_stop", nodes, pattern)) as fault:
        yield fault


@contextlib.contextmanager
def process_kill(nodes: Sequence[Any], pattern: str, sig: int = signal.SIGKILL,
                 restart: str = "") -> Iterator[NodesFault]:
    """Processes matching *pattern* get *sig* on entry; *restart* runs on each node on exit."""
    with applied(process_fault("process_kill", nodes, pattern, sig, restart)) as fault:
        yield fault


@contextlib.contextmanager
def disk_fill(nodes: Sequence[Any], path: str, leave_bytes: int) -> Iterator[NodesFault]:
    """The file system of *path* is filled until *leave_bytes* are left while the block runs."""
    with applied(kind_fault("disk_fill", nodes, path=path, leave_bytes=leave_bytes)) as fault:
        yield fault


def clock_fault(kind: str, nodes: Sequence[Any], **params: Any) -> NodesFault:
    """The fault of ``clock_skew`` (*offset_s*: seconds, or node name -> seconds), ``clock_jump``
    (*delta_s*, *times*, *every_s*) or ``clock_strobe`` (*delta_s*, *period_s*)."""
    if not kind.startswith("clock_"):
        raise FaultError(f"{kind!r} is no clock fault; choose from {[k for k in kinds.names() if k.startswith('clock_')]}")
    return kind_fault(kind, nodes, **params)


@contextlib.contextmanager
def clock_skew(nodes: Sequence[Any], offset_s: float | dict) -> Iterator[NodesFault]:
    """Processes under libfaketime on *nodes* see the time *offset_s* seconds off (one value,
    or node name -> seconds) while the block runs."""
    with applied(clock_fault("clock_skew", nodes, offset_s=offset_s)) as fault:
        yield fault


@contextlib.contextmanager
def clock_jump(nodes: Sequence[Any], delta_s: float, times: int = 1, every_s: float = 1.0) -> Iterator[NodesFault]:
    """Their clocks jump by *delta_s* on entry (then again every *every_s*, *times* jumps in all)
    and back on exit."""
    with applied(clock_fault("clock_jump", nodes, delta_s=delta_s, times=times, every_s=every_s)) as fault:
        yield fault


@contextlib.contextmanager
def clock_strobe(nodes: Sequence[Any], delta_s: float, period_s: float = 1.0) -> Iterator[NodesFault]:
    """Their clocks flip between *delta_s* off and right every *period_s* while the block runs."""
    with applied(clock_fault("clock_strobe", nodes, delta_s=delta_s, period_s=period_s)) as fault:
        yield fault


def heal_left(nodes: Iterable[Any]) -> list[dict]:
    """Heal every fault whose ledger is still on *nodes* (left by a test process that died);
    returns them as journal-style records: kind, nodes, start, end, and problems if any."""
    from ducktape.trogdor.faults.ledger import tasks_on_node

    def on_node(name: str, run: Run) -> dict:
        ledgers = {task: Ledger(run, task) for task in tasks_on_node(run)}
        return {task: (ledger.meta(), ledger.heal()) for task, ledger in ledgers.items()}

    found: dict[str, dict] = {}
    for name, (ok, tasks) in sorted(_on_every_node(_runners(nodes), on_node).items()):
        if not ok:
            found.setdefault("?", {"task_id": "?", "kind": "unknown", "nodes": [], "start": None, "end": time.time(),
                                   "detail": {}, "heal_problems": []})["heal_problems"].append(f"{name}: {tasks}")
            continue
        for task, (meta, problems) in tasks.items():
            record = found.setdefault(task, {"task_id": task, "kind": meta.get("fault", "fault"), "nodes": [],
                                             "start": meta.get("started"), "end": time.time(), "detail": {}})
            record["nodes"].append(name)
            if problems:
                record.setdefault("heal_problems", []).extend(f"{name}: {p}" for p in problems)
    return list(found.values())


def heal_nodes(nodes: Iterable[Any]) -> dict[str, dict[str, list[str]]]:
    """Heal every ledger on *nodes* (faults left by anyone); node -> task -> problems left."""
    from ducktape.trogdor.faults.ledger import heal_node

    outcomes = _on_every_node(_runners(nodes), lambda name, run: heal_node(run))
    return {name: (value if ok else {"?": [str(value)]}) for name, (ok, value) in outcomes.items()}
