"""A degraded network: delay, jitter, loss, duplication, corruption, reordering, rate limit.

Two scopes. ``apply_node`` degrades the link toward named peers (ours: traffic with anyone
else, the test driver's SSH included, is untouched). ``apply_device`` degrades all of a
device's traffic, as Kafka's Trogdor does with ``DegradedNetworkFaultSpec``, except TCP to
or from the node's SSH port, so the driver can always reach the node to heal it.

Two ways to do it, chosen per node by probing the kernel, and reported as ``method``:

- ``netem``: an HTB tree on the device that routes to the peers, owned by the task
  (its handle is recorded), with u32 filters sending the peers' traffic to a class whose
  leaf is a netem qdisc (and whose rate is the rate limit).
- ``user space`` (kernels without ``sch_netem``, such as these microVMs): loss through an
  iptables ``statistic`` rule; delay, jitter, reordering, duplication and corruption by
  ``nfqueue.py``, a stdlib delayer fed by an ``NFQUEUE --queue-bypass`` rule (so a dead
  delayer lets packets through rather than dropping them); rate by the same HTB tree
  without netem. Packets are held on the node's INPUT, as they arrive *from* the peer:
  holding locally sent packets stalls TCP (small queues), while holding received ones
  gives the round trip the same added delay.
"""
from __future__ import annotations

import base64
import hashlib
import pkgutil
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from ducktape.trogdor.faults.kinds import FaultKind, Target, on_one_node, register
from ducktape.trogdor.faults.ledger import Ledger, node_dir, undoer
from ducktape.trogdor.faults.shell import FaultError, Run, checked, quote

MARK = 0xD7  # duplicates sent back in by the delayer carry it, so the queue rule skips them
UNLIMITED = "10gbit"


@dataclass(frozen=True)
class Degradation:
    """What happens to packets toward the peers (percentages are 0-100)."""

    delay_ms: float = 0.0
    jitter_ms: float = 0.0
    loss_percent: float = 0.0
    duplicate_percent: float = 0.0
    corrupt_percent: float = 0.0
    reorder_percent: float = 0.0
    rate_kbit: int = 0

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if value < 0 or (name.endswith("_percent") and value > 100):
                raise FaultError(f"{name}={value}: must be >= 0" + (" and <= 100" if name.endswith("_percent") else ""))
        if self.jitter_ms and not self.delay_ms:
            raise FaultError("jitter_ms needs delay_ms: jitter varies the delay around it")

    @property
    def held_in_user_space(self) -> bool:
        return bool(self.delay_ms or self.jitter_ms or self.reorder_percent or self.duplicate_percent
                    or self.corrupt_percent)

    def netem_args(self) -> str:
        parts = []
        if self.delay_ms:
            parts.append(f"delay {self.delay_ms}ms" + (f" {self.jitter_ms}ms" if self.jitter_ms else ""))
        for word, value in (("loss", self.loss_percent), ("duplicate", self.duplicate_percent),
                            ("corrupt", self.corrupt_percent), ("reorder", self.reorder_percent)):
            if value:
                parts.append(f"{word} {value}%")
        return " ".join(parts)


def netem_available(run: Run) -> bool:
    """Whether the kernel has ``sch_netem``: try it on a throw-away dummy device."""
    probe = ("ip link add dtnetemprobe type dummy 2>/dev/null || exit 3; "
             "tc qdisc add dev dtnetemprobe root netem delay 1ms 2>/dev/null; rc=$?; "
             "ip link del dtnetemprobe; exit $rc")
    status, _, _ = run(probe)
    return status == 0


def device_toward(run: Run, peer: str) -> str:
    out = checked(run, f"ip -o route get {quote(peer)}", f"route to {peer}")
    words = out.split()
    if "dev" not in words:
        raise FaultError(f"no device routes to {peer}: {out.strip()}")
    return words[words.index("dev") + 1]


def default_device(run: Run) -> str:
    """The device of the node's default route (Kafka's specs always name one; ours may not)."""
    out = checked(run, "ip -o route show default", "find the default route")
    words = out.split()
    if "dev" not in words:
        raise FaultError("no default route here; hint: give networkDevice")
    return words[words.index("dev") + 1]


def _number(task_id: str, low: int, span: int) -> int:
    return low + int(hashlib.sha1(task_id.encode()).hexdigest(), 16) % span


def _method(run: Run, method: str) -> str:
    if method == "auto":
        method = "netem" if netem_available(run) else "user space"
    if method not in ("netem", "user space"):
        raise FaultError(f"unknown degrade method {method!r}; use auto, netem or user space")
    return method


def _uses_netem(method: str, degradation: Degradation) -> bool:
    return method == "netem" and any(v for k, v in asdict(degradation).items() if k != "rate_kbit")


def apply_node(ledger: Ledger, peers: list[str], degradation: Degradation, method: str = "auto") -> dict:
    """Degrade this node's link toward *peers*; returns what was done (``method`` etc.)."""
    run = ledger.run
    peers = sorted(set(peers))
    if not peers:
        return {"method": "none"}
    method = _method(run, method)
    done: dict = {"method": method}
    use_netem = _uses_netem(method, degradation)
    if degradation.rate_kbit or use_netem:
        by_device: dict[str, list[str]] = {}
        for peer in peers:
            by_device.setdefault(device_toward(run, peer), []).append(peer)
        for device, on_device in sorted(by_device.items()):
            _shape(ledger, device, degradation, use_netem, to_degraded=[f"ip dst {quote(p)}/32" for p in on_device],
                   what=f"toward {', '.join(on_device)}")
        done["devices"] = sorted(by_device)
    if method == "user space":
        _hold_and_drop(ledger, degradation, [("INPUT", f"-s {quote(p)}") for p in peers], f"from {', '.join(peers)}",
                       done)
    return done


def apply_device(ledger: Ledger, device: str, degradation: Degradation, method: str = "auto",
                 ssh_port: int = 22) -> dict:
    """Degrade all traffic of *device* (both ways for delay and loss, sent for the rate),
    except TCP with *ssh_port* on either end; returns what was done."""
    run = ledger.run
    status, _, _ = run(f"ip link show dev {quote(device)}")
    if status != 0:
        known = [w.rstrip(":").split("@")[0] for line in checked(run, "ip -o link show", "list devices").splitlines()
                 for w in line.split()[1:2]]
        raise FaultError(f"networkDevice {device!r}: no such device on this node; it has " + ", ".join(known))
    method = _method(run, method)
    done: dict = {"method": method, "devices": [device]}
    use_netem = _uses_netem(method, degradation)
    if degradation.rate_kbit or use_netem:
        _shape(ledger, device, degradation, use_netem, default_degraded=True,
               to_plain=[f"ip protocol 6 0xff match ip sport {ssh_port} 0xffff",
                         f"ip protocol 6 0xff match ip dport {ssh_port} 0xffff"],
               what=f"except SSH (port {ssh_port})")
    if method == "user space":
        # TCP is held as it arrives (holding sent TCP stalls it: small queues); anything else
        # as it leaves, as netem would: ping reads its reply's arrival time before INPUT.
        matches = [("OUTPUT", f"-o {quote(device)} ! -p tcp"),
                   ("INPUT", f"-i {quote(device)} -p tcp -m multiport ! --ports {ssh_port}")]
        _hold_and_drop(ledger, degradation, matches, f"on {device} (SSH excepted)", done)
    return done


def _hold_and_drop(ledger: Ledger, degradation: Degradation, matches: list[tuple[str, str]], where: str,
                   done: dict) -> None:
    """The user-space part: the delayer's queue and loss rules for the packets that
    *matches* (chain, iptables match) select."""
    if degradation.held_in_user_space:
        done["queue"] = _start_delayer(ledger, matches, degradation, where)
    if degradation.loss_percent:
        _insert_rules(ledger, matches, f"-m statistic --mode random --probability "
                      f"{degradation.loss_percent / 100:.6f} -m comment --comment {quote(ledger.tag)} -j DROP",
                      f"drop {degradation.loss_percent}% of packets {where}")


def _insert_rules(ledger: Ledger, matches: list[tuple[str, str]], target: str, what: str) -> None:
    """One ledger entry per chain, recorded before its rules go in."""
    for chain in sorted({c for c, _ in matches}):
        rules = " && ".join(f"iptables -w -I {chain} {m} {target}" for c, m in matches if c == chain)
        ledger.record({"kind": "iptables", "table": "filter", "chain": chain, "tag": ledger.tag}, then=rules,
                      what=what)


def _shape(ledger: Ledger, device: str, degradation: Degradation, with_netem: bool, to_degraded: tuple = (),
           to_plain: tuple = (), default_degraded: bool = False, what: str = "") -> None:
    """An HTB tree of our own on *device*: class 1 unlimited, class 2 degraded; u32 filters
    send *to_degraded* / *to_plain* matches to them, the rest goes to the default."""
    run = ledger.run
    handle = f"{_number(ledger.task_id, 0x100, 0xE000):x}"
    rate = f"{degradation.rate_kbit}kbit" if degradation.rate_kbit else UNLIMITED
    root = checked(run, f"tc qdisc show dev {quote(device)} root", f"qdisc of {device}")
    if root.split()[2:3] not in ([], ["0:"]):
        raise FaultError(f"{device} already has a root qdisc of someone else ({root.strip()}); "
                         "it is left alone and this degradation cannot be shaped on it")
    dev = quote(device)
    steps = [f"tc qdisc add dev {dev} root handle {handle}: htb default {2 if default_degraded else 1}",
             f"tc class add dev {dev} parent {handle}: classid {handle}:1 htb rate {UNLIMITED}",
             f"tc class add dev {dev} parent {handle}: classid {handle}:2 htb rate {rate} ceil {rate}"]
    if with_netem:
        steps.append(f"tc qdisc add dev {dev} parent {handle}:2 handle {int(handle, 16) + 1:x}: netem "
                     + degradation.netem_args())
    steps += [f"tc filter add dev {dev} parent {handle}: protocol ip prio 1 u32 match {m} flowid {handle}:2"
              for m in to_degraded]
    steps += [f"tc filter add dev {dev} parent {handle}: protocol ip prio 1 u32 match {m} flowid {handle}:1"
              for m in to_plain]
    ledger.record({"kind": "tc_root", "dev": device, "handle": f"{handle}:"}, then=" && ".join(steps),
                  what=f"shape traffic on {device} {what}".rstrip())


def _start_delayer(ledger: Ledger, matches: list[tuple[str, str]], degradation: Degradation, where: str) -> int:
    """Copy the delayer to the node, start it, wait until it listens, then queue the peers' packets."""
    queue = _number(ledger.task_id, 1000, 30000)
    base = f"{node_dir()}/{ledger.task_id}.nfqueue"
    source = base64.b64encode(pkgutil.get_data(__package__, "nfqueue.py")).decode()
    d = degradation
    # The delayer must be a simple command of its own with '&': put after '&&', the whole
    # list would run in a background bash that waits for the delayer while holding the
    # caller's stdout/stderr (a pooled shell's channel, the agent's pipes) and, when the
    # delayer is killed, writes "Killed" on them in the middle of another command.
    start = (f"printf %s {source} | base64 -d > {base}.py && rm -f {base}.pid || exit 1\n"
             f"nohup python3 {base}.py --queue {queue} --delay-ms {d.delay_ms} --jitter-ms {d.jitter_ms} "
             f"--reorder-percent {d.reorder_percent} --duplicate-percent {d.duplicate_percent} "
             f"--corrupt-percent {d.corrupt_percent} --mark {MARK:#x} --pidfile {base}.pid "
             f"--tag {quote(ledger.tag)} > {base}.log 2>&1 < /dev/null &\n"
             f"for i in $(seq 200); do test -s {base}.pid && exit 0; sleep 0.025; done; cat {base}.log >&2; exit 1")
    ledger.record({"kind": "process", "base": base, "tag": ledger.tag}, then=start,
                  what=f"start the packet delayer for queue {queue}")
    _insert_rules(ledger, matches, f"-m mark ! --mark {MARK:#x} -m comment --comment {quote(ledger.tag)} "
                  f"-j NFQUEUE --queue-num {queue} --queue-bypass", f"queue packets {where} to the delayer")
    return queue


def _our_root(run: Run, entry: dict) -> bool:
    status, out, _ = run(f"tc qdisc show dev {quote(entry['dev'])} root")
    return status == 0 and f" {entry['handle']} " in f" {out} "


def _undo_root(run: Run, entry: dict) -> None:
    if _our_root(run, entry):
        checked(run, f"tc qdisc del dev {quote(entry['dev'])} root", f"remove our qdisc from {entry['dev']}")


def _root_left(run: Run, entry: dict) -> str:
    return f"qdisc {entry['handle']} still on {entry['dev']}" if _our_root(run, entry) else ""


def _delayer_pid(run: Run, entry: dict) -> str:
    """The delayer's pid if it still runs (checked against its tag, never a reused pid)."""
    base = entry["base"]
    status, out, _ = run(f"pid=$(cat {base}.pid 2>/dev/null) && tr '\\0' ' ' < /proc/$pid/cmdline "
                         f"| grep -qF -- {quote(entry['tag'])} && echo $pid")
    return out.strip() if status == 0 else ""


def _stop_delayer(run: Run, entry: dict) -> None:
    pid = _delayer_pid(run, entry)
    if pid:  # SIGTERM: it lets every held packet go, then exits
        run(f"kill {pid}; for i in $(seq 100); do kill -0 {pid} 2>/dev/null || break; sleep 0.02; done; "
            f"kill -9 {pid} 2>/dev/null")
    run(f"rm -f {entry['base']}.py {entry['base']}.pid {entry['base']}.log")


def _delayer_left(run: Run, entry: dict) -> str:
    pid = _delayer_pid(run, entry)
    return f"packet delayer {pid} still running" if pid else ""


undoer("tc_root", _root_left)(_undo_root)
undoer("process", _delayer_left)(_stop_delayer)


# -- the kinds -----------------------------------------------------------------------------
# Parameters: Degradation's fields (zero ones left out), ``method``, and ``peers`` (names;
# "each other" for the other nodes of the fault) or ``device`` (Kafka's device-wide kind).

_HOW = ("method", "peers", "device")


def degradation_of(params: dict) -> Degradation:
    """The Degradation in *params*; an unknown key is a TypeError naming it, as a keyword is."""
    return Degradation(**{k: v for k, v in params.items() if k not in _HOW})


def _params(given: dict, nodes: Sequence[str]) -> dict:
    spec = degradation_of(given)
    peers = given.get("peers")
    return {**{k: v for k, v in asdict(spec).items() if v}, "method": given.get("method", "auto"),
            "peers": sorted(peers) if peers is not None else "each other"}


def _apply(ledger: Ledger, target: Target, params: dict) -> dict:
    peers = params["peers"] if isinstance(params["peers"], list) else target.others()
    return apply_node(ledger, [target.address(p) for p in peers], degradation_of(params), params["method"])


def _draw(rng: random.Random, nodes: Sequence[str]) -> tuple:
    victim, = on_one_node(rng, nodes)
    return (victim,), {"peers": [n for n in nodes if n != victim]}


def _scheduled(options: dict) -> dict:
    return {"delay_ms": options.get("delay_ms", 100), "loss_percent": options.get("loss_percent", 0)}


def _device_params(given: dict, nodes: Sequence[str]) -> dict:
    spec = degradation_of(given)
    return {**{k: v for k, v in asdict(spec).items() if v}, "method": given.get("method", "auto"),
            "device": given.get("device") or ""}


def _apply_device(ledger: Ledger, target: Target, params: dict) -> dict:
    device = params["device"] or default_device(ledger.run)
    return apply_device(ledger, device, degradation_of(params), params["method"])


register(FaultKind("degrade", _apply, _params, _draw, _scheduled, min_nodes=2))
register(FaultKind("degrade_device", _apply_device, _device_params))
