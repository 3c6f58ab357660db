"""Linearizability checker benchmark: check time against history size.

Simulated, seeded cas-register histories (10 client processes, 100 keys, 2% of operations with an
unknown outcome) of 1k, 5k, 10k and 20k operations, checked as generated (valid) and with one
read changed to a value nobody wrote (invalid: the search fails, then the anomaly's window is
found; "window" is its size in operations).
Prints the median of N runs of each.

    .venv/bin/python bench/bench_checker.py [--sizes 1000,5000,10000,20000] [--repeat 3] [--keys 100]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from ducktape.checkers import check_linearizable
from tests.support.histories import simulate


def mutated(history: list[dict], seed: int) -> list[dict]:
    copy = [dict(e) for e in history]
    reads = [e for e in copy if e["f"] == "read" and e["type"] == "ok"]
    random.Random(seed).choice(reads)["value"] = -1
    return copy


def timed(history: list[dict], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = check_linearizable(history, "cas-register")
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,10000,20000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--processes", type=int, default=10)
    parser.add_argument("--keys", type=int, default=100)
    args, _rest = parser.parse_known_args()  # run_all.py passes every bench the same arguments
    print(f"{args.processes} processes, {args.keys} keys, cas-register, median of {args.repeat}")
    print(f"{'operations':>10} {'events':>7} {'valid: s':>9} {'verdict':>8} {'invalid: s':>11} {'verdict':>8} "
          f"{'window':>7}")
    for size in (int(s) for s in args.sizes.split(",")):
        history = simulate(size, processes=args.processes, keys=args.keys, seed=size)
        ok_time, ok = timed(history, args.repeat)
        bad_time, bad = timed(mutated(history, size), args.repeat)
        window = len(bad.details.get("window") or []) or "-"
        print(f"{size:>10} {len(history):>7} {ok_time:>9.3f} {ok.valid!s:>8} {bad_time:>11.3f} {bad.valid!s:>8} "
              f"{window!s:>7}")


if __name__ == "__main__":
    main()
