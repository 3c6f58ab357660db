"""Runner benchmark: our ducktape against upstream 0.17.0 on the same suites and cluster.

Prints, for each implementation, the session run time taken from the session
report.json (and the wall time of the whole command):

1. 100 no-op tests at --max-parallel 1 and 4: the per-test overhead of the runner
   (median of --runs runs each, since the figures are short and the machine may be busy).
2. 24 tests of mixed sizes (1-4 nodes) sleeping 2 s each on 4 nodes: the makespan
   against the ideal the script computes (no node idle while work is left).

Both run with ``--cluster _bench_cluster.FourNodeCluster``: a LocalhostCluster cut to
four nodes, importable by both implementations. The tests never touch their nodes,
so the figures measure scheduling and process overhead only.

    .venv/bin/python bench/bench_runner.py [--only noop|mixed] [--skip-upstream] [--runs N]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _upstream import ours_ducktape, upstream_ducktape

NODES = 4
SLEEP = 2.0
MIXED_SIZES = [4, 3, 2, 1]  # six tests of each size
MIXED_COPIES = 6

CLUSTER_MODULE = '''
from ducktape.cluster.localhost import LocalhostCluster


class FourNodeCluster(LocalhostCluster):
    """LocalhostCluster with four nodes, for both implementations."""

    def __init__(self, *args, **kwargs):
        kwargs["num_nodes"] = 4
        super().__init__(*args, **kwargs)
'''

NOOP_SUITE = '''
from ducktape.mark import matrix
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test


class NoopTest(Test):
    @cluster(num_nodes=1)
    @matrix(i=list(range(100)))
    def test_noop(self, i):
        pass
'''

MIXED_SUITE = '''
import time

from ducktape.mark import matrix
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test


class MixedTest(Test):
''' + "".join(f'''
    @cluster(num_nodes={n})
    @matrix(i=list(range({MIXED_COPIES})))
    def test_size{n}(self, i):
        time.sleep({SLEEP})
''' for n in MIXED_SIZES)


def ideal_makespan() -> float:
    """No node idle while work is left: total node-seconds over the cluster size (never less
    than one test). The chosen sizes pack exactly (4; 3+1; 2+2), so this bound is reachable."""
    node_seconds = sum(n * SLEEP * MIXED_COPIES for n in MIXED_SIZES)
    return max(node_seconds / NODES, SLEEP)


def write_suite(root: Path, name: str, source: str) -> Path:
    suite = root / name
    suite.mkdir(parents=True)
    (suite / "__init__.py").write_text("")
    (suite / f"test_{name}.py").write_text(textwrap.dedent(source))
    return suite


def run(exe: Path, root: Path, suite: Path, parallel: int,
        cluster_args: list[str] | None = None) -> tuple[float, float, dict]:
    """Run one session (on the four-node LocalhostCluster unless *cluster_args* say otherwise);
    return (session run time, wall time, counts from report.json)."""
    results = root / f"results-{exe.parent.parent.name}-{suite.name}-{parallel}-{time.time_ns()}"
    env = dict(os.environ, HOME=str(root), PYTHONPATH=str(root))
    cluster_args = cluster_args or ["--cluster", "_bench_cluster.FourNodeCluster"]
    cmd = [str(exe), str(suite), *cluster_args, "--max-parallel", str(parallel), "--results-root", str(results)]
    start = time.monotonic()
    proc = subprocess.run(cmd, check=False, cwd=root, env=env, capture_output=True, text=True)
    wall = time.monotonic() - start
    reports = list(results.glob("*/report.json"))
    if not reports:
        sys.exit(f"bench: {exe} wrote no report (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    report = json.loads(reports[0].read_text())
    counts = {k: report.get(k, 0) for k in ("num_passed", "num_failed", "num_ignored")}
    return report["run_time_seconds"], wall, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["noop", "mixed"])
    parser.add_argument("--skip-upstream", action="store_true")
    parser.add_argument("--runs", type=int, default=3, help="runs per no-op figure (the median is shown)")
    opts = parser.parse_args()
    impls = {"ours": ours_ducktape()}
    if not opts.skip_upstream:
        impls["upstream"] = upstream_ducktape()
    with tempfile.TemporaryDirectory(prefix="bench-runner-") as tmp:
        root = Path(tmp)
        (root / "_bench_cluster.py").write_text(CLUSTER_MODULE)
        if opts.only in (None, "noop"):
            suite = write_suite(root, "noop", NOOP_SUITE)
            for parallel in (1, 4):
                figures = {name: median_run(exe, root, suite, parallel, opts.runs) for name, exe in impls.items()}
                report_line(f"100 no-op tests, --max-parallel {parallel} (median of {opts.runs})", figures)
        if opts.only in (None, "mixed"):
            suite = write_suite(root, "mixed", MIXED_SUITE)
            figures = {name: run(exe, root, suite, NODES) for name, exe in impls.items()}
            report_line(f"24 mixed-size tests ({SLEEP:g} s each) on {NODES} nodes", figures)
            ideal = ideal_makespan()
            for name, (session, _wall, _counts) in figures.items():
                print(f"  {name}: makespan {session:.2f} s vs ideal {ideal:.2f} s "
                      f"= {100 * (session / ideal - 1):+.1f}% over ideal")


def median_run(exe: Path, root: Path, suite: Path, parallel: int, runs: int) -> tuple[float, float, dict]:
    """The run with the median session time out of *runs*."""
    results = sorted((run(exe, root, suite, parallel) for _ in range(max(1, runs))), key=lambda r: r[0])
    return results[len(results) // 2]


def report_line(title: str, figures: dict) -> None:
    print(title)
    for name, (session, wall, counts) in figures.items():
        print(f"  {name:9} session {session:7.2f} s   wall {wall:7.2f} s   {counts}")
    if "upstream" in figures:
        ratio_session = figures["upstream"][0] / figures["ours"][0]
        ratio_wall = figures["upstream"][1] / figures["ours"][1]
        print(f"  upstream/ours: session {ratio_session:.2f}x, wall {ratio_wall:.2f}x")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
