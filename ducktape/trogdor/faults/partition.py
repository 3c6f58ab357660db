"""Network partitions: which node drops whom (pure plans), and the iptables rules that do it.

A plan maps each node name to the frozenset of node names it must not exchange packets
with. On a node, the plan becomes one ``INPUT`` rule per peer, ``-s <peer> -j DROP``,
inserted first and labelled with the task's tag: packets from the peer vanish, so TCP
between the two stalls both ways, as on a cut cable. Nothing is sent back (no RST, no
EPERM), and traffic with nodes outside the plan (the test driver's SSH) is untouched.
Group plans are symmetric; ``plan_from_groups`` allows overlapping groups.
"""
from __future__ import annotations

import random
import shlex
import typing
from collections.abc import Iterable, Sequence

from ducktape.trogdor.faults.kinds import FaultKind, Target, register
from ducktape.trogdor.faults.ledger import Ledger, undoer
from ducktape.trogdor.faults.shell import FaultError, Run, checked, quote

Plan = typing.Dict[str, typing.FrozenSet[str]]  # noqa: UP006 - evaluated at import; the agent runs on 3.8


def plan_from_groups(groups: Iterable[Iterable[str]]) -> Plan:
    """Nodes in different groups cannot talk; nodes sharing a group can; a node in several
    groups reaches all of them; nodes in no group are not in the plan."""
    groups = [frozenset(g) for g in groups]
    if len(groups) < 2:
        raise FaultError(f"a partition needs at least two groups, got {len(groups)}")
    everyone = frozenset().union(*groups)
    plan = {}
    for node in sorted(everyone):
        friends = frozenset().union(*(g for g in groups if node in g))
        plan[node] = everyone - friends
    return {node: lost for node, lost in plan.items() if lost}


def isolate(nodes: Sequence[str], victim: str) -> Plan:
    """*victim* alone on one side, every other node on the other (Jepsen's split-one)."""
    if victim not in nodes:
        raise FaultError(f"cannot isolate {victim!r}: not one of {list(nodes)}")
    return plan_from_groups([[victim], [n for n in nodes if n != victim]])


def majority_split(nodes: Sequence[str]) -> Plan:
    """The first ``len // 2`` nodes (a minority) against the rest (Jepsen's bisect)."""
    _need(nodes, 2, "a majority/minority split")
    half = len(nodes) // 2
    return plan_from_groups([nodes[:half], nodes[half:]])


def majorities_ring(nodes: Sequence[str]) -> Plan:
    """Every node sees a majority (itself and its ring neighbours), but no two nodes see the
    same majority. With fewer than 5 nodes no such ring exists."""
    _need(nodes, 5, "a majorities ring")
    count, size = len(nodes), len(nodes) // 2 + 1
    reach = size // 2  # neighbours on each side; for even counts, one more on the right
    plan = {}
    for i, node in enumerate(nodes):
        seen = {nodes[(i + k) % count] for k in range(-reach, size - reach)}
        plan[node] = frozenset(nodes) - seen
    return plan


def bridge(nodes: Sequence[str]) -> Plan:
    """Two halves that cannot talk, and one node in the middle that talks to both."""
    _need(nodes, 3, "a bridge")
    middle = len(nodes) // 2
    return plan_from_groups([nodes[: middle + 1], nodes[middle:]])


def random_plan(nodes: Sequence[str], rng: random.Random) -> Plan:
    """One of the shapes above, chosen and laid out by *rng* (for schedules)."""
    shuffled = list(nodes)
    rng.shuffle(shuffled)
    shapes = ["isolate", "majority"] + (["bridge"] if len(nodes) >= 3 else []) + (["ring"] if len(nodes) >= 5 else [])
    shape = rng.choice(shapes)
    if shape == "isolate":
        return isolate(shuffled, shuffled[0])
    if shape == "majority":
        return majority_split(shuffled)
    return bridge(shuffled) if shape == "bridge" else majorities_ring(shuffled)


def _need(nodes: Sequence[str], least: int, what: str) -> None:
    if len(nodes) < least:
        raise FaultError(f"{what} needs at least {least} nodes, got {len(nodes)}")
    if len(set(nodes)) != len(nodes):
        raise FaultError(f"a node is listed twice in {list(nodes)}")


# -- on one node ------------------------------------------------------------------------

def apply_node(ledger: Ledger, peer_addresses: Iterable[str]) -> None:
    """Drop every packet arriving from *peer_addresses* on this node, under the task's tag."""
    peers = sorted(set(peer_addresses))
    if not peers:
        return
    rules = " && ".join(f"iptables -w -I INPUT -s {quote(peer)} -m comment --comment {quote(ledger.tag)} -j DROP"
                        for peer in peers)
    ledger.record({"kind": "iptables", "table": "filter", "chain": "INPUT", "tag": ledger.tag},
                  then=rules, what=f"partition {ledger.task_id}: drop packets from {', '.join(peers)}")


def tagged_rules(run: Run, table: str, chain: str, tag: str) -> list[list[str]]:
    """The rules of *chain* carrying comment *tag*, as ``iptables -S`` argument lists."""
    out = checked(run, f"iptables -w -t {quote(table)} -S {quote(chain)}", f"list iptables chain {chain}")
    rules = []
    for line in out.splitlines():
        words = shlex.split(line)
        if any(words[i] == "--comment" and words[i + 1] == tag for i in range(len(words) - 1)):
            rules.append(words)
    return rules


def _undo_rules(run: Run, entry: dict) -> None:
    table, chain, tag = entry["table"], entry["chain"], entry["tag"]
    deletes = [" ".join(quote(w) for w in ["iptables", "-w", "-t", table, "-D"] + words[1:])
               for words in tagged_rules(run, table, chain, tag)]
    if deletes:
        checked(run, " ; ".join(deletes), f"remove iptables rules tagged {tag}")


def _rules_left(run: Run, entry: dict) -> str:
    left = tagged_rules(run, entry["table"], entry["chain"], entry["tag"])
    return f"{len(left)} iptables rule(s) tagged {entry['tag']} still in {entry['chain']}" if left else ""


undoer("iptables", _rules_left)(_undo_rules)


# -- the kind ------------------------------------------------------------------------------

def _apply(ledger: Ledger, target: Target, params: dict) -> None:
    apply_node(ledger, [target.address(peer) for peer in params["plan"].get(target.name, ())])


def _params(given: dict, nodes: Sequence[str]) -> dict:
    """``plan``: node name -> names it loses (any iterable), kept as sorted lists."""
    return {"plan": {name: sorted(lost) for name, lost in given["plan"].items()}}


def _draw(rng: random.Random, nodes: Sequence[str]) -> tuple:
    plan = random_plan(nodes, rng)
    return tuple(sorted(plan)), {"plan": {k: sorted(v) for k, v in sorted(plan.items())}}


register(FaultKind("partition", _apply, _params, _draw, min_nodes=2))
