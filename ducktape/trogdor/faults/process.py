"""Process faults: pause processes (SIGSTOP, healed by SIGCONT) or kill them (SIGTERM or
SIGKILL, healed by running an optional restart command).

Processes are chosen with ``pgrep -f`` on their full command line. The pattern reaches
the node encoded, so the shell that runs the search never matches itself.
"""
from __future__ import annotations

import logging
import os
import random
import signal
from collections.abc import Sequence

from ducktape.trogdor.faults.kinds import FaultKind, Target, on_one_node, register
from ducktape.trogdor.faults.ledger import Ledger, undoer
from ducktape.trogdor.faults.shell import FaultError, Run, checked, hidden, quote

# The shell running the search and its ancestors (an agent in exec mode has the pattern in
# its own command line) are never matched.
_NOT_OURSELVES = ('mine=" $$ "; p=$PPID; while [ "${p:-1}" -gt 1 ]; do mine="$mine$p "; '
                  'p=$(ps -o ppid= -p "$p" | tr -d " "); done; '
                  'for pid in $(pgrep -f -- PATTERN); do case "$mine" in *" $pid "*) ;; *) echo "$pid";; esac; done')


def matching_pids(run: Run, pattern: str) -> list[int]:
    """PIDs on the node whose command line matches *pattern* (an extended regex)."""
    status, out, err = run(_NOT_OURSELVES.replace("PATTERN", hidden(pattern)))
    if status != 0:
        raise FaultError(f"looking for processes matching {pattern!r} failed: {err.strip()}")
    return sorted(int(p) for p in out.split())


def named_pids(name: str, proc: str = "/proc") -> list[int]:
    """PIDs of this machine's processes with *name* in their command line as Trogdor's
    ``javaProcessName`` means it (what ``jps`` shows): an argument equal to *name*, or
    ending in ``.name`` (a main class) or ``/name`` (a jar or program path). Not a pattern.
    The caller and its ancestors are never included. Reads /proc: the agent runs here."""
    mine, pid = set(), os.getpid()
    while pid > 1 and pid not in mine:
        mine.add(pid)
        pid = _parent(proc, pid)
    found = []
    for entry in os.listdir(proc):
        if not entry.isdigit() or int(entry) in mine:
            continue
        try:
            with open(f"{proc}/{entry}/cmdline", "rb") as f:
                args = f.read().decode(errors="replace").split("\0")
        except OSError:
            continue  # ended while we looked
        if any(a == name or a.endswith(("." + name, "/" + name)) for a in args if a):
            found.append(int(entry))
    return sorted(found)


def _parent(proc: str, pid: int) -> int:
    try:
        with open(f"{proc}/{pid}/stat", encoding="utf-8", errors="replace") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def stop_node(ledger: Ledger, pattern: str = "", pids: list[int] | None = None) -> list[int]:
    """SIGSTOP every process matching *pattern* (or the given *pids*); the SIGCONT is
    recorded first."""
    pids = matching_pids(ledger.run, pattern) if pids is None else pids
    if not pids:
        raise FaultError(f"no process matches {pattern!r}")
    listed = " ".join(map(str, pids))
    ledger.record({"kind": "sigcont", "pids": pids, "pattern": pattern},
                  then=f"kill -STOP {listed}", what=f"stop processes {listed} ({pattern!r})")
    return pids


def kill_node(ledger: Ledger, pattern: str, sig: int = signal.SIGKILL, restart: str = "") -> list[int]:
    """Send *sig* to every process matching *pattern*; when *restart* is given, it is
    recorded first and run (detached, output to /dev/null) when the fault heals."""
    pids = matching_pids(ledger.run, pattern)
    if not pids:
        raise FaultError(f"no process matches {pattern!r}")
    listed = " ".join(map(str, pids))
    entry = {"kind": "restart", "command": restart, "pattern": pattern, "pids": pids}
    then = f"kill -{int(sig)} {listed}"
    if restart:
        ledger.record(entry, then=then, what=f"kill processes {listed} ({pattern!r})")
    else:
        checked(ledger.run, then, f"kill processes {listed} ({pattern!r})")
    return pids


def _cont(run: Run, entry: dict) -> None:
    run("kill -CONT " + " ".join(map(str, entry["pids"])) + " 2>/dev/null")


def _still_stopped(run: Run, entry: dict) -> str:
    pids = " ".join(map(str, entry["pids"]))
    _status, out, _ = run(f"ps -o pid=,stat= -p {pids.replace(' ', ',')} 2>/dev/null")
    stopped = [line.split()[0] for line in out.splitlines() if len(line.split()) > 1 and line.split()[1].startswith("T")]
    return f"process(es) {', '.join(stopped)} still stopped" if stopped else ""


def _restart(run: Run, entry: dict) -> None:
    if entry.get("command"):
        checked(run, f"setsid nohup bash -c {quote(entry['command'])} >/dev/null 2>&1 </dev/null &",
                f"restart command {entry['command']!r}")


def _nothing_left(run: Run, entry: dict) -> str:
    return ""


undoer("sigcont", _still_stopped)(_cont)
undoer("restart", _nothing_left)(_restart)


# -- the kinds -----------------------------------------------------------------------------
log = logging.getLogger("trogdor.faults")


def _stop(ledger: Ledger, target: Target, params: dict) -> list:
    if params["pattern"]:
        return stop_node(ledger, params["pattern"])
    name = params["java_process_name"]  # Kafka's: none running is no error, as in Trogdor
    pids = named_pids(name)
    if not pids:
        log.info("%s: no process named %s to stop", ledger.task_id, name)
        return []
    return stop_node(ledger, name, pids)


def _stop_params(given: dict, nodes: Sequence[str]) -> dict:
    java = {"java_process_name": given["java_process_name"]} if given.get("java_process_name") else {}
    return {"pattern": given.get("pattern", ""), **java}


def _kill(ledger: Ledger, target: Target, params: dict) -> list:
    return kill_node(ledger, params["pattern"], params["signal"], params["restart"])


def _kill_params(given: dict, nodes: Sequence[str]) -> dict:
    return {"pattern": given["pattern"], "signal": int(given.get("signal", signal.SIGKILL)),
            "restart": given.get("restart", "")}


def _one_node(rng: random.Random, nodes: Sequence[str]) -> tuple:
    return on_one_node(rng, nodes), {}


def _pattern(kind: str, options: dict) -> str:
    if not options.get("pattern"):
        raise ValueError(f"{kind} in a schedule needs pattern=")
    return options["pattern"]


register(FaultKind("process_stop", _stop, _stop_params, _one_node,
                   lambda options: {"pattern": _pattern("process_stop", options)}))
register(FaultKind("process_kill", _kill, _kill_params, _one_node,
                   lambda options: {"pattern": _pattern("process_kill", options),
                                    "signal": options.get("sig", signal.SIGKILL), "restart": options.get("restart", "")}))
