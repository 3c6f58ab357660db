"""The fault kinds: one registry that the context managers, the agent's specs, the seeded
schedules and the nemesis all read.

A kind is registered once, next to the node-side code that makes it (``partition.py``,
``process.py``, ...), as a ``FaultKind``: its name, what it does on one node (``apply``),
what its parameters become once checked (``params``, also what the journal records),
and, for kinds a seeded schedule may choose, how a schedule draws a step (``draw``) and
which ``fault_schedule(**options)`` it reads (``from_options``). Every caller goes
through ``get(name)``, so none of them lists the kinds itself. Standard library only.
"""
from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Sequence
from typing import Any

from ducktape.trogdor.faults.ledger import Ledger
from ducktape.trogdor.faults.shell import FaultError


@dataclasses.dataclass(frozen=True)
class Target:
    """One node as a kind sees it: its name, the names of every node the fault is applied
    on, and how this node reaches another by name (an address the caller resolved)."""

    name: str
    nodes: tuple[str, ...]
    address: Callable[[str], str]

    def others(self) -> list:
        return [n for n in self.nodes if n != self.name]


def _as_given(given: dict[str, Any], nodes: Sequence[str]) -> dict[str, Any]:
    return dict(given)


def _no_options(options: dict[str, Any]) -> dict[str, Any]:
    return {}


@dataclasses.dataclass(frozen=True)
class FaultKind:
    """One kind of fault.

    ``apply(ledger, target, params)`` changes one node, recording the undo in *ledger*
    first, and returns what it did; ``params(given, node_names)`` checks the caller's
    parameters and returns them as applied (plain JSON data). ``draw(rng, node_names)``
    gives a schedule step's nodes and parameters; it must draw from *rng* in a fixed
    order, since a seed replays a schedule. ``min_nodes``: fewer make no sense for it."""

    name: str
    apply: Callable[[Ledger, Target, dict[str, Any]], Any]
    params: Callable[[dict[str, Any], Sequence[str]], dict[str, Any]] = _as_given
    draw: Callable[[random.Random, Sequence[str]], tuple[tuple, dict[str, Any]]] | None = None
    from_options: Callable[[dict[str, Any]], dict[str, Any]] = _no_options
    min_nodes: int = 1


_KINDS: dict[str, FaultKind] = {}


def register(kind: FaultKind) -> FaultKind:
    """Add *kind*; a name already taken is a programming error, named."""
    if kind.name in _KINDS:
        raise ValueError(f"fault kind {kind.name!r} is registered twice")
    _KINDS[kind.name] = kind
    return kind


def get(name: str) -> FaultKind:
    """The kind called *name*; a FaultError listing the known kinds otherwise."""
    try:
        return _KINDS[name]
    except KeyError:
        raise FaultError(f"unknown fault kind {name!r}; choose from {names()}") from None


def names(scheduled: bool = False) -> list:
    """Every kind's name, sorted; with *scheduled*, only those a schedule can draw."""
    return sorted(n for n, k in _KINDS.items() if k.draw is not None or not scheduled)


def on_one_node(rng: random.Random, nodes: Sequence[str]) -> tuple:
    """The one node a single-node step hits (drawn first, before its parameters)."""
    return (rng.choice(list(nodes)),)
