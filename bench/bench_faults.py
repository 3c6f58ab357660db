"""How long faults take on a 4-node namespace cluster: from the request to the fault in effect
(the context manager's apply returns once every node's change is made) and from the stop to
healed (every node's ledger undone and checked). Median of --runs, per kind. Needs root.

Upstream ducktape 0.17.0 has no faults, so there is no ratio to print; Kafka's Trogdor has
partition and process-stop faults but needs a JVM agent per node, so it is not run here.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ducktape.cluster import JsonCluster
from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.trogdor.faults.context import (
    NodesFault,
    degrade_fault,
    heal_nodes,
    partition_fault,
    process_fault,
)
from ducktape.trogdor.faults.disk import fill_node
from ducktape.trogdor.faults.shell import account_run

CLI = [sys.executable, "-m", "ducktape.cluster.local_cluster.cli"]
NAME = f"bench-faults-{os.getpid()}"


def timed(fn) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def measure(make, runs: int) -> tuple[float, float]:
    applies, heals = [], []
    for _ in range(runs):
        fault = make()
        applies.append(timed(fault.apply))
        heals.append(timed(fault.heal))
    return statistics.median(applies), statistics.median(heals)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cluster_file = Path(tmp) / "cluster.json"
        subprocess.run([*CLI, "up", "--nodes", "4", "--name", NAME, "--cluster-file", str(cluster_file)],
                       check=True, stdout=subprocess.DEVNULL)
        try:
            cluster = JsonCluster(cluster_file=str(cluster_file))
            nodes = cluster.alloc(ClusterSpec.simple_linux(4))
            for node in nodes:
                node.account.ssh("nohup sleep 100000 >/dev/null 2>&1 </dev/null &"
                                 " mkdir -p /mnt/bench-fill && mount -t tmpfs -o size=64m tmpfs /mnt/bench-fill")
            kinds = {
                "partition 2|2": lambda: partition_fault(nodes[:2], nodes[2:]),
                "degrade delay (each toward 3 peers)": lambda: degrade_fault(nodes, delay_ms=50),
                "degrade loss+rate": lambda: degrade_fault(nodes, loss_percent=10, rate_kbit=10000),
                "process_stop": lambda: process_fault("process_stop", nodes, "sleep 100000"),
                "process_kill +restart": lambda: process_fault(
                    "process_kill", nodes, "sleep 100000", restart="exec sleep 100000"),
                "disk_fill 64 MiB tmpfs": lambda: NodesFault(
                    "disk_fill", {n.account.hostname: account_run(n.account) for n in nodes},
                    lambda ledger, name: fill_node(ledger, "/mnt/bench-fill", 1 << 20)),
            }
            print(f"{'fault on 4 nodes':38} {'request->in effect':>20} {'stop->healed':>14}")
            for kind, make in kinds.items():
                apply_s, heal_s = measure(make, args.runs)
                print(f"{kind:38} {apply_s * 1000:17.0f} ms {heal_s * 1000:11.0f} ms")
            heal_nodes(nodes)
        finally:
            subprocess.run([*CLI, "down", "--name", NAME], check=False, stdout=subprocess.DEVNULL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
