"""``ducktape-trogdor heal``: undo every fault left on this node, from its ledger.

Exit 0 when the node is healed (or nothing was left), 1 when a change could not be undone.
"""
from __future__ import annotations

import argparse
import json

from ducktape.trogdor.faults.ledger import heal_node, tasks_on_node
from ducktape.trogdor.local_shell import run_local


def add_parser(verbs: argparse._SubParsersAction) -> None:
    p = verbs.add_parser("heal", help="undo faults left on this node (all, or --task ID)")
    p.add_argument("--task", action="append", dest="tasks", metavar="ID",
                   help="only this fault's ledger (repeatable); see --list")
    p.add_argument("--list", action="store_true", help="list the faults still applied here, change nothing")
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    if args.list:
        for task in tasks_on_node(run_local):
            print(task)
        return 0
    outcome = heal_node(run_local, args.tasks)
    print(json.dumps({"healed": sorted(t for t, p in outcome.items() if not p),
                      "not_healed": {t: p for t, p in outcome.items() if p}}, indent=2, sort_keys=True))
    return 1 if any(outcome.values()) else 0
