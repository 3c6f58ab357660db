"""Clock faults: skew, jumps and strobing, for processes started under libfaketime.

Namespace nodes and containers share the host's kernel clock, and stepping a real machine's
clock disturbs everything on it (the test driver's SSH, the other faults' timers). So these
faults reach only processes started through ``faketime_command``: Debian's libfaketime is
preloaded into them and reads the node's clock file (``FAKETIME_TIMESTAMP_FILE``) at every
time call (``FAKETIME_NO_CACHE=1``). A fault writes an offset such as ``+5`` or ``-0.25``
there; healing deletes the file, and the processes see the real time again at once. Only the
wall clock (``CLOCK_REALTIME``, ``time()``, ``gettimeofday``) moves, as on a machine whose
clock is stepped: monotonic clocks are left alone. Programs that read the time without libc
(Go binaries, statically linked ones) do not see the fault at all.
"""
from __future__ import annotations

import random
from collections.abc import Sequence

from ducktape.trogdor.faults.kinds import FaultKind, on_one_node, register
from ducktape.trogdor.faults.ledger import Ledger, undoer
from ducktape.trogdor.faults.shell import FaultError, Run, checked, quote

CLOCK_ROOT = "/var/lib/ducktape-trogdor/clock"
LIBFAKETIME = "/usr/lib/*/faketime/libfaketime.so.1"  # Debian's path, per architecture
CHANGER_TAG = "dt-clock-"  # in the command line of a task's clock changer (jumps, strobing)


def clock_dir() -> str:
    """The node's clock directory, as a shell word (the host name keeps nodes sharing /var/lib apart)."""
    return f'{CLOCK_ROOT}/"$(hostname)"'


def clock_file() -> str:
    return f"{clock_dir()}/faketime"


def faketime_command(cmd: str) -> str:
    """*cmd* (a shell command) run with libfaketime reading the node's clock file: a single
    command that composes with ``nohup``, ``&`` and redirections; exits 127 without libfaketime."""
    setup = (f'mkdir -p {clock_dir()} && lib=$(ls {LIBFAKETIME} 2>/dev/null | head -n 1) && [ -n "$lib" ] || '
             '{ echo "libfaketime is missing on $(hostname): apt-get install faketime" >&2; exit 127; }; '
             f'exec env LD_PRELOAD="$lib" FAKETIME_TIMESTAMP_FILE={clock_file()} FAKETIME_NO_CACHE=1 '
             'FAKETIME_DONT_FAKE_MONOTONIC=1 bash -c "$1"')
    return f"bash -c {quote(setup)} faketime {quote(cmd)}"


def offset_text(seconds: float) -> str:
    """libfaketime's relative offset: ``+5``, ``-0.25``."""
    return f"{float(seconds):+.6f}".rstrip("0").rstrip(".")


def _write(offset: float) -> str:
    """Shell: replace the clock file in one step (a reader never sees it half written)."""
    return (f"printf '%s' {quote(offset_text(offset))} > {clock_file()}.tmp && "
            f"mv -f {clock_file()}.tmp {clock_file()}")


def _claim(ledger: Ledger) -> None:
    """Refuse a node whose clock another fault has changed, then record the reset."""
    checked(ledger.run, f"! test -e {clock_file()}",
            f"clock fault {ledger.task_id}: another clock fault holds this node ({CLOCK_ROOT}/<host>/faketime "
            "exists); heal it first")
    ledger.record({"kind": "clock", "file": clock_file()}, then=f"mkdir -p {clock_dir()}")


def skew_node(ledger: Ledger, offset_s: float) -> dict:
    """Processes under libfaketime on the node see the time *offset_s* seconds off."""
    _claim(ledger)
    checked(ledger.run, _write(offset_s), f"set the clock offset to {offset_text(offset_s)}")
    return {"offset_s": float(offset_s)}


def changing_node(ledger: Ledger, offsets: Sequence[float], every_s: float, repeat: bool) -> dict:
    """Set ``offsets[0]`` now, then each next one every *every_s* seconds (over and over when
    *repeat*), from a background loop on the node whose pid is recorded before it starts."""
    if every_s <= 0:
        raise FaultError(f"a clock change interval must be > 0 s, got {every_s}")
    _claim(ledger)
    checked(ledger.run, _write(offsets[0]), f"set the clock offset to {offset_text(offsets[0])}")
    if len(offsets) == 1:
        return {"offsets_s": [float(o) for o in offsets]}
    steps = " ".join(f"sleep {every_s:g}; {_write(o)};" for o in [*offsets[1:], *(offsets[:1] if repeat else [])])
    loop = f"while :; do {steps} done" if repeat else steps
    pid_file = f"{clock_dir()}/{ledger.task_id}.pid"
    tag = CHANGER_TAG + ledger.task_id
    # wait for the pid file, so a heal right after this still finds the changer
    start = (f"setsid nohup bash -c {quote('echo $$ > ' + pid_file + '; ' + loop)} {tag} "
             f">/dev/null 2>&1 </dev/null & for i in $(seq 100); do [ -s {pid_file} ] && break; sleep 0.02; done")
    ledger.record({"kind": "clock_changer", "pid_file": pid_file, "tag": tag}, then=start,
                  what=f"start the clock changer of {ledger.task_id}")
    return {"offsets_s": [float(o) for o in offsets], "every_s": float(every_s), "repeat": repeat}


def jump_node(ledger: Ledger, delta_s: float, times: int = 1, every_s: float = 1.0) -> dict:
    """The clock jumps by *delta_s* at once, and again every *every_s* seconds, *times* jumps in all."""
    if times < 1:
        raise FaultError(f"a clock jump needs times >= 1, got {times}")
    return changing_node(ledger, [delta_s * (i + 1) for i in range(times)], every_s, repeat=False)


def strobe_node(ledger: Ledger, delta_s: float, period_s: float) -> dict:
    """The clock flips between *delta_s* off and right every *period_s* seconds."""
    return changing_node(ledger, [delta_s, 0.0], period_s, repeat=True)


def _changer_pid(run: Run, entry: dict) -> str:
    """The changer's pid if it is still running as ours (its command line carries the tag)."""
    _status, out, _ = run(f"p=$(cat {entry['pid_file']} 2>/dev/null) && "
                          f"tr '\\0' ' ' < /proc/$p/cmdline 2>/dev/null | grep -q -- {quote(entry['tag'])} && echo $p")
    return out.strip()


def _stop_changer(run: Run, entry: dict) -> None:
    pid = _changer_pid(run, entry)
    if pid:
        checked(run, f"kill -9 {pid}", f"stop the clock changer {pid}")
    run(f"for i in $(seq 50); do [ -d /proc/{pid or 0} ] || break; sleep 0.05; done; rm -f {entry['pid_file']}")


def _changer_left(run: Run, entry: dict) -> str:
    pid = _changer_pid(run, entry)
    return f"clock changer {pid} ({entry['tag']}) still running" if pid else ""


def _reset(run: Run, entry: dict) -> None:
    checked(run, f"rm -f {entry['file']} {entry['file']}.tmp", "reset the clock (remove the clock file)")


def _clock_left(run: Run, entry: dict) -> str:
    status, out, _ = run(f"cat {entry['file']} 2>/dev/null")
    return f"the clock file still holds offset {out.strip()!r}" if status == 0 else ""


undoer("clock", _clock_left)(_reset)
undoer("clock_changer", _changer_left)(_stop_changer)


# -- the kinds -----------------------------------------------------------------------------
# A schedule draws the node first, then which way the clock moves, then how far.

def _skew_params(given: dict, nodes: Sequence[str]) -> dict:
    """``offset_s``: seconds, or node name -> seconds (then every node needs one)."""
    offset = given["offset_s"]
    offsets = offset if isinstance(offset, dict) else {name: offset for name in nodes}
    missing = sorted(set(nodes) - set(offsets))
    if missing:
        raise FaultError(f"clock_skew: no offset for node(s) {missing}; give offset_s for every node")
    return {"offset_s": {name: float(offsets[name]) for name in sorted(nodes)}}


def _draw_skew(rng: random.Random, nodes: Sequence[str]) -> tuple:
    node, sign = on_one_node(rng, nodes), rng.choice([-1, 1])
    return node, {"offset_s": round(sign * rng.uniform(1, 10), 3)}


def _jump_params(given: dict, nodes: Sequence[str]) -> dict:
    return {"delta_s": float(given["delta_s"]), "times": int(given.get("times", 1)),
            "every_s": float(given.get("every_s", 1.0))}


def _draw_jump(rng: random.Random, nodes: Sequence[str]) -> tuple:
    node, sign = on_one_node(rng, nodes), rng.choice([-1, 1])
    return node, {"delta_s": round(sign * rng.uniform(5, 300), 3)}


def _strobe_params(given: dict, nodes: Sequence[str]) -> dict:
    return {"delta_s": float(given["delta_s"]), "period_s": float(given.get("period_s", 1.0))}


def _draw_strobe(rng: random.Random, nodes: Sequence[str]) -> tuple:
    node, sign = on_one_node(rng, nodes), rng.choice([-1, 1])
    return node, {"delta_s": round(sign * rng.uniform(1, 10), 3), "period_s": round(rng.uniform(0.1, 1.0), 3)}


register(FaultKind("clock_skew", lambda ledger, target, p: skew_node(ledger, p["offset_s"][target.name]),
                   _skew_params, _draw_skew))
register(FaultKind("clock_jump", lambda ledger, target, p: jump_node(ledger, p["delta_s"], p["times"], p["every_s"]),
                   _jump_params, _draw_jump))
register(FaultKind("clock_strobe", lambda ledger, target, p: strobe_node(ledger, p["delta_s"], p["period_s"]),
                   _strobe_params, _draw_strobe))
