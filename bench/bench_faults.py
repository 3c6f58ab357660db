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


THROUGHPUT = """
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
data, sent, began = b"x" * 65536, 0, time.perf_counter()
while sent < int(sys.argv[3]):
    s.sendall(data)
    sent += len(data)
s.shutdown(socket.SHUT_WR)
s.recv(1)
print(sent * 8 / (time.perf_counter() - began) / 1e6)
"""
SINK = "import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); " \
       "s.bind(('0.0.0.0', 19877)); s.listen(); c = s.accept()[0]\nwhile c.recv(1 << 16): pass\nc.close()"
CONNECT = ("import socket, statistics, sys, time\nts = []\nfor _ in range(9):\n    t = time.perf_counter()\n"
           "    socket.create_connection((sys.argv[1], 22), timeout=5).close()\n    ts.append(time.perf_counter() - t)\n"
           "print(statistics.median(ts) * 1000)")


def effects(nodes: list) -> None:
    """What the degradations do: connect time toward a delayed peer, throughput under a rate limit."""
    n1, n2 = nodes[0], nodes[1]
    n1.account.create_file("/tmp/bench_tp.py", THROUGHPUT)
    n1.account.create_file("/tmp/bench_connect.py", CONNECT)
    n2.account.create_file("/tmp/bench_sink.py", SINK)
    ip = n2.account.ssh_hostname

    def connect_ms() -> float:
        return float(n1.account.ssh_output(f"python3 /tmp/bench_connect.py {ip}"))

    def mbit(size: int) -> float:
        n2.account.ssh("nohup python3 /tmp/bench_sink.py >/dev/null 2>&1 </dev/null & sleep 0.3")
        return float(n1.account.ssh_output(f"python3 /tmp/bench_tp.py {ip} 19877 {size}"))

    base_connect, base_tp = connect_ms(), mbit(64 << 20)
    with_delay = degrade_fault([n1], [n2], delay_ms=50)
    with_delay.apply()
    try:
        delayed_connect, delayed_tp = connect_ms(), mbit(16 << 20)
    finally:
        with_delay.heal()
    limited = degrade_fault([n1], [n2], rate_kbit=8000)
    limited.apply()
    try:
        limited_tp = mbit(4 << 20)
    finally:
        limited.heal()
    print(f"TCP connect n1->n2: {base_connect:.2f} ms; with delay_ms=50: {delayed_connect:.1f} ms")
    print(f"bulk TCP n1->n2: {base_tp:.0f} Mbit/s; with delay_ms=50: {delayed_tp:.0f} Mbit/s; "
          f"with rate_kbit=8000: {limited_tp:.2f} Mbit/s")


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
            effects(nodes)
        finally:
            subprocess.run([*CLI, "down", "--name", NAME], check=False, stdout=subprocess.DEVNULL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
