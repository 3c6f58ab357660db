"""The compat suite (tests/data/compat) under upstream 0.17.0 and under ours, on one namespace cluster.

Brings up a 3-node cluster with `ducktape-cluster up`, runs the suite's 8 compared tests
``--runs`` times with each implementation (alternating, since they share the nodes), and
prints the session run time from report.json, the command's wall time, and the
upstream/ours ratio of the best runs. Needs root (namespaces).

    .venv/bin/python bench/bench_compat.py [--runs 2]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _upstream import upstream_ducktape

REPO = Path(__file__).resolve().parents[1]
SUITE = REPO / "tests" / "data" / "compat" / "compatsuite"
CLUSTER_CLI = [sys.executable, "-m", "ducktape.cluster.local_cluster.cli"]
NAME = f"bench-compat-{os.getpid()}"
TARGETS = ["compatsuite/tests/broker_test.py", "compatsuite/tests/produce_test.py"]  # the 8 compared tests
GLOBALS = json.dumps({"greeting": "hello-compat", "broker_port": 9192})


def run_once(exe: list[str], work: Path, cluster_file: Path) -> tuple[float, float, int]:
    """Run the suite in a fresh copy under *work*; return (session run time, wall time, exit status)."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    shutil.copytree(SUITE, work / "compatsuite")
    env = dict(os.environ, HOME=str(work))
    began = time.perf_counter()
    proc = subprocess.run([*exe, *TARGETS, "--cluster-file", str(cluster_file), "--globals", GLOBALS],
                          cwd=work, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    report = json.loads((work / "results" / "latest" / "report.json").read_text())
    return report["run_time_seconds"], wall, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    sides = {"upstream": [str(upstream_ducktape())], "ours": [sys.executable, "-m", "ducktape"]}
    with tempfile.TemporaryDirectory(prefix="bench-compat-") as tmp:
        cluster_file = Path(tmp) / "cluster.json"
        subprocess.run([*CLUSTER_CLI, "up", "--nodes", "3", "--name", NAME, "--cluster-file", str(cluster_file)],
                       check=True, stdout=subprocess.DEVNULL)
        try:
            best = {}
            for side, exe in [(s, e) for _ in range(args.runs) for s, e in sides.items()]:
                session, wall, status = run_once(exe, Path(tmp) / side, cluster_file)
                print(f"{side:9s} session {session:6.2f} s   wall {wall:6.2f} s   exit {status}", flush=True)
                best[side] = min(best.get(side, wall), wall)
        finally:
            subprocess.run([*CLUSTER_CLI, "down", "--name", NAME], check=False, stdout=subprocess.DEVNULL)
    print(f"8-test compat suite, best wall time: upstream {best['upstream']:.2f} s, ours {best['ours']:.2f} s, "
          f"upstream/ours = {best['upstream'] / best['ours']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
