"""Process faults: pause processes (SIGSTOP, healed by SIGCONT) or kill them (SIGTERM or
SIGKILL, healed by running an optional restart command).

Processes are chosen with ``pgrep -f`` on their full command line. The pattern reaches
the node encoded, so the shell that runs the search never matches itself.
"""
from __future__ import annotations

import signal

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


def stop_node(ledger: Ledger, pattern: str) -> list[int]:
    """SIGSTOP every process matching *pattern*; the SIGCONT is recorded first."""
    pids = matching_pids(ledger.run, pattern)
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
