"""Benchmark RemoteAccount against upstream ducktape 0.17.0 on the same node.

Starts its own sshd on 127.0.0.1 (as tests/support/sshd.py does), then for ours and
for upstream's (run in upstream's interpreter) measures the median round trip of
``ssh_output("true")`` and the MB/s of copy_to / copy_from of a 32 MB file, and
prints the figures and our speed-up ratios. The round trip is measured twice: with
the account's login shell as it is (here root's bash reads ~/.bashrc for every
command sshd runs) and with start-up files skipped, as on a bare node.

    .venv/bin/python bench/bench_remote_account.py [--rounds 200] [--size-mb 32]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._upstream import upstream_python
from tests.support.sshd import start_sshd

# Run by both interpreters: only the import of the account class differs.
MEASURE = r"""
import json, os, statistics, sys, time
cfg = json.loads(sys.argv[1])
from ducktape.cluster.remoteaccount import RemoteAccountSSHConfig
from ducktape.cluster.linux_remoteaccount import LinuxRemoteAccount
acct = LinuxRemoteAccount(RemoteAccountSSHConfig(**cfg["ssh_config"]))
acct.ssh_output("true")  # connect outside the timings
times = []
for _ in range(cfg["rounds"]):
    start = time.perf_counter()
    acct.ssh_output("true")
    times.append(time.perf_counter() - start)
if not cfg["copies"]:
    acct.close()
    print(json.dumps({"rtt_ms": statistics.median(times) * 1000}))
    sys.exit(0)
size = os.path.getsize(cfg["src"])
def timed(fn, src, dest):
    best = None
    for _ in range(cfg["copies"]):
        if os.path.exists(dest):
            os.remove(dest)
        start = time.perf_counter()
        fn(src, dest)
        took = time.perf_counter() - start
        best = took if best is None else min(best, took)
    return size / best / 1e6
up = timed(acct.copy_to, cfg["src"], cfg["remote"])
with open(cfg["src"], "rb") as a, open(cfg["remote"], "rb") as b:
    assert a.read() == b.read(), "copy_to produced a different file"
down = timed(acct.copy_from, cfg["remote"], cfg["back"])
with open(cfg["src"], "rb") as a, open(cfg["back"], "rb") as b:
    assert a.read() == b.read(), "copy_from produced a different file"
acct.close()
print(json.dumps({"rtt_ms": statistics.median(times) * 1000, "copy_to_mbs": up, "copy_from_mbs": down}))
"""


def measure(python: str, cfg: dict) -> dict:
    out = subprocess.run([python, "-c", MEASURE, json.dumps(cfg)], capture_output=True, text=True, check=False,
                         cwd=tempfile.gettempdir())
    if out.returncode != 0:
        raise SystemExit(f"bench: measuring with {python} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


PLAIN_SHELL = "SetEnv SHLVL=5\n"  # bash then skips ~/.bashrc, as on a node with a bare account


def run_side_by_side(work: Path, opts: argparse.Namespace, extra_config: str, copies: int) -> tuple:
    sshd = start_sshd(work / f"sshd{len(extra_config)}", extra_config)
    try:
        cfg = {"ssh_config": sshd.ssh_config("bench-node"), "rounds": opts.rounds, "copies": copies,
               "src": str(work / "payload.bin"), "remote": str(work / "remote.bin"), "back": str(work / "back.bin")}
        return measure(sys.executable, cfg), measure(str(upstream_python()), cfg)
    finally:
        sshd.stop()


def on_namespace_node(work: Path, opts: argparse.Namespace) -> tuple | None:
    """The same measures on the first node of a namespace cluster (``--cluster-file``, or one
    brought up and down here when running as root, with *work* shared at the same path)."""
    name = None
    cluster_file = Path(opts.cluster_file) if opts.cluster_file else None
    if cluster_file is None:
        if os.geteuid() != 0:
            return None
        from ducktape.cluster.local_cluster import lifecycle

        name, cluster_file = f"bench-ra-{os.getpid()}", work / "cluster.json"
        lifecycle.up(name, 1, cluster_file, shares=[str(work)])
    try:
        node = json.loads(cluster_file.read_text())["nodes"][0]
        cfg = {"ssh_config": node["ssh_config"], "rounds": opts.rounds, "copies": opts.copies,
               "src": str(work / "payload.bin"), "remote": str(work / "remote-ns.bin"),
               "back": str(work / "back-ns.bin")}
        return measure(sys.executable, cfg), measure(str(upstream_python()), cfg)
    finally:
        if name is not None:
            from ducktape.cluster.local_cluster import lifecycle

            lifecycle.down(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="ssh_output round trips per side")
    parser.add_argument("--size-mb", type=int, default=32, help="size of the copied file")
    parser.add_argument("--copies", type=int, default=5, help="copies per direction (best is kept)")
    parser.add_argument("--cluster-file", help="also measure on this cluster's first node (its copies must "
                                               "see this machine's temp dir); as root a namespace node is "
                                               "brought up when none is given")
    opts, _rest = parser.parse_known_args()
    with tempfile.TemporaryDirectory(prefix="bench-remote-") as tmp:
        work = Path(tmp)
        (work / "payload.bin").write_bytes(os.urandom(opts.size_mb * 1024 * 1024))
        ours, upstream = run_side_by_side(work, opts, "", opts.copies)
        plain_ours, plain_upstream = run_side_by_side(work, opts, PLAIN_SHELL, 0)
        namespace = on_namespace_node(work, opts)
    if namespace is not None:
        print_table(f"RemoteAccount on a namespace cluster node over SSH, {opts.rounds} round trips, "
                    f"{opts.size_mb} MB file", [("ssh_output(true) ms", *namespace)], namespace)
    print_table(f"RemoteAccount on one loopback sshd node, {opts.rounds} round trips, {opts.size_mb} MB file",
                [("ssh_output(true) ms, login shell", ours, upstream),
                 ("ssh_output(true) ms, plain shell", plain_ours, plain_upstream)], (ours, upstream))
    print("login shell: this machine's account, whose bash reads ~/.bashrc for every sshd command;"
          " plain shell: the same with start-up files skipped (SHLVL set by sshd).")


def print_table(title: str, rtt_rows: list, copies: tuple) -> None:
    ours, upstream = copies
    print(title)
    print(f"{'':40}{'ours':>10}{'upstream':>10}{'speed-up':>10}")
    for label, mine, theirs in rtt_rows:
        print(f"{label:40}{mine['rtt_ms']:10.2f}{theirs['rtt_ms']:10.2f}{theirs['rtt_ms'] / mine['rtt_ms']:9.1f}x")
    for key, label in (("copy_to_mbs", "copy_to MB/s"), ("copy_from_mbs", "copy_from MB/s")):
        print(f"{label:40}{ours[key]:10.1f}{upstream[key]:10.1f}{ours[key] / upstream[key]:9.1f}x")


if __name__ == "__main__":
    main()
