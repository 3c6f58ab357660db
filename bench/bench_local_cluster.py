"""How fast the namespace cluster comes up and goes down, and how fast its nodes answer.

Upstream ducktape has no local cluster, so the upstream comparison is on the nodes:
the same remote commands through upstream 0.17.0's RemoteAccount and through ours
(both reading the cluster file `ducktape-cluster up` wrote). Needs root.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _upstream import upstream_python

CLI = [sys.executable, "-m", "ducktape.cluster.local_cluster.cli"]
NAME = f"bench-{os.getpid()}"

# Runs under either interpreter: prints "connect_s warm_mean_s" for `ssh_output("true")`.
REMOTE_PROBE = r"""
import sys, time
from ducktape.cluster.json import JsonCluster
from ducktape.cluster.cluster_spec import ClusterSpec
cluster = JsonCluster(cluster_file=sys.argv[1])
node = cluster.alloc(ClusterSpec.simple_linux(1))[0]
t = time.perf_counter(); node.account.ssh_output("true"); connect = time.perf_counter() - t
n = int(sys.argv[2]); t = time.perf_counter()
for _ in range(n):
    node.account.ssh_output("true")
print(connect, (time.perf_counter() - t) / n)
"""


def timed_cli(*args: str) -> float:
    began = time.perf_counter()
    subprocess.run([*CLI, *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - began


def up_down(nodes: int, runs: int, cluster_file: Path) -> tuple[float, float]:
    """Best wall time of `up --nodes N` and of `down`, over *runs*."""
    ups, downs = [], []
    for _ in range(runs):
        ups.append(timed_cli("up", "--nodes", str(nodes), "--name", NAME, "--cluster-file", str(cluster_file)))
        downs.append(timed_cli("down", "--name", NAME))
    return min(ups), min(downs)


def openssh_round_trip(cluster_file: Path, runs: int) -> float:
    """Median wall time of `ssh node true` with a fresh connection each time."""
    import json

    ssh = json.loads(cluster_file.read_text())["nodes"][0]["ssh_config"]
    argv = ["ssh", "-i", ssh["identityfile"], "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", f"root@{ssh['hostname']}", "true"]
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(argv, check=True)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def remote_probe(python: str, cluster_file: Path, commands: int) -> tuple[float, float] | None:
    done = subprocess.run([python, "-c", REMOTE_PROBE, str(cluster_file), str(commands)], capture_output=True,
                          text=True, cwd=tempfile.gettempdir(), check=False)
    if done.returncode != 0:
        print(f"  ({python}: probe failed: {done.stderr.strip().splitlines()[-1:]})")
        return None
    connect, warm = map(float, done.stdout.split())
    return connect, warm


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--commands", type=int, default=50)
    options = parser.parse_args()
    if os.geteuid() != 0:
        print("bench_local_cluster: needs root (skipped)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        cluster_file = Path(tmp) / "cluster.json"
        print(f"ducktape-cluster up/down (CLI wall time, best of {options.runs})")
        for nodes in (1, 4, 16):
            up, down = up_down(nodes, options.runs, cluster_file)
            print(f"  {nodes:2d} nodes: up {up:6.3f} s   down {down:6.3f} s")
        subprocess.run([*CLI, "up", "--nodes", "4", "--name", NAME, "--cluster-file", str(cluster_file)],
                       check=True, stdout=subprocess.DEVNULL)
        try:
            print(f"  OpenSSH `ssh node true`, new connection: {openssh_round_trip(cluster_file, 10) * 1000:6.1f} ms")
            print(f"remote `ssh_output('true')` on a node: first call (connects), then mean of {options.commands}")
            results = {}
            for label, python in (("upstream 0.17.0", str(upstream_python())), ("ours", sys.executable)):
                results[label] = remote_probe(python, cluster_file, options.commands)
                if results[label]:
                    connect, warm = results[label]
                    print(f"  {label:16s} connect+first {connect * 1000:6.1f} ms   warm {warm * 1000:6.1f} ms")
            if all(results.values()):
                ratio = results["ours"][1] / results["upstream 0.17.0"][1]
                print(f"  warm command ratio ours/upstream: {ratio:.2f}")
        finally:
            subprocess.run([*CLI, "down", "--name", NAME], check=False, stdout=subprocess.DEVNULL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
