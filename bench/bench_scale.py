"""Cost at scale over SSH: many small tests on a namespace cluster, with and without the mux.

Brings up an N-node namespace cluster (root needed) unless ``--cluster-file`` names one, and
runs one suite of ``--tests`` small tests there: each takes 1-4 nodes (seeded), runs three
``ssh_output("true")`` on each and sleeps a seeded 0-150 ms. Same run, same cluster:

- ours over SSH through the session multiplexer (the default), and with ``--no-mux``;
- ours on LocalhostCluster with the same node count (no SSH: the floor);
- upstream 0.17.0 over SSH (``--skip-upstream`` leaves it out: it is slow).

For each: the session's run time (report.json) and wall time, the CPU per test of the driver and its mux process
together, the driver's peak RSS (sampled from /proc every 0.2 s), then the ratios.

    .venv/bin/python bench/bench_scale.py --nodes 16 --tests 1000      # the issue's figures
    .venv/bin/python bench/bench_scale.py --nodes 4 --tests 80 --skip-upstream   # a small run
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _upstream import ours_ducktape, upstream_ducktape

HANG_AFTER_REPORT_SEC = 20.0

SUITE_HEAD = '''
import time

from ducktape.mark import matrix
from ducktape.mark.resource import cluster
from ducktape.services.service import Service
from ducktape.tests.test import Test

PLAN = {plan!r}  # test index -> (nodes, sleep seconds)


class Nodes(Service):
    def __init__(self, context, num_nodes):
        super().__init__(context, num_nodes=num_nodes)

    def start_node(self, node, **kwargs):
        pass

    def stop_node(self, node, **kwargs):
        pass

    def clean_node(self, node, **kwargs):
        pass


class ScaleTest(Test):
    def _work(self, i):
        nodes, pause = PLAN[i]
        service = Nodes(self.test_context, nodes)
        service.start()
        for node in service.nodes:
            for _ in range(3):
                node.account.ssh_output("true")
        time.sleep(pause)
'''

SIZE_METHOD = '''
    @cluster(num_nodes={n})
    @matrix(i={indexes!r})
    def test_{n}_nodes(self, i):
        self._work(i)
'''


def write_suite(root: Path, tests: int, seed: int) -> Path:
    rng = random.Random(seed)
    plan = {i: (rng.randint(1, 4), round(rng.uniform(0, 0.150), 3)) for i in range(tests)}
    source = SUITE_HEAD.format(plan=plan)
    for n in range(1, 5):
        indexes = [i for i, (size, _) in plan.items() if size == n]
        if indexes:
            source += SIZE_METHOD.format(n=n, indexes=indexes)
    suite = root / "scale"
    suite.mkdir()
    (suite / "__init__.py").write_text("")
    (suite / "test_scale.py").write_text(source)
    return suite


def _cpu_and_rss(pid: int) -> tuple[float, int] | None:
    """(user+system CPU seconds, peak RSS in bytes) of *pid*, or None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    rss = next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmHWM:")), 0)
    return cpu, rss


def _mux_pid(driver: int) -> int | None:
    """The driver's multiplexer process, if it runs one (its SSH work counts as the driver's)."""
    try:
        children = Path(f"/proc/{driver}/task/{driver}/children").read_text().split()
    except OSError:
        return None
    for pid in children:
        try:
            if b"ducktape.cluster.mux.server" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return int(pid)
        except OSError:
            continue
    return None


def _reported_all(results: Path, expected: int) -> bool:
    """The session's report.json holds all *expected* results (upstream rewrites it as it goes)."""
    for path in results.glob("*/report.json"):
        try:
            report = json.loads(path.read_text())
        except (OSError, ValueError):
            return False
        return sum(report.get(k, 0) for k in ("num_passed", "num_failed", "num_ignored")) >= expected
    return False


def run(name: str, exe: Path, root: Path, suite: Path, args: list[str], parallel: int, expected: int) -> dict:
    """One session; wall time, the CPU of the driver (plus its mux process) and the driver's
    peak RSS (from the last samples taken while it ran), report counts."""
    results = root / f"results-{name}"
    env = dict(os.environ, HOME=str(root))
    cmd = [str(exe), str(suite), *args, "--max-parallel", str(parallel), "--results-root", str(results)]
    start = time.monotonic()
    log = open(root / f"{name}.out", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    cpu, rss, mux_cpu, mux = 0.0, 0, 0.0, None
    reported_at = None
    while proc.poll() is None:
        if reported_at is None and _reported_all(results, expected):
            reported_at = time.monotonic()
        if reported_at is not None and time.monotonic() - reported_at > HANG_AFTER_REPORT_SEC:
            os.killpg(proc.pid, signal.SIGKILL)  # upstream 0.17.0 can hang at exit after writing its report
            proc.wait()
            break
        sample = _cpu_and_rss(proc.pid)
        if sample is not None and sample[1]:  # an exited (zombie) driver shows no memory: keep the last live one
            cpu, rss = sample[0], max(rss, sample[1])
        mux = mux or _mux_pid(proc.pid)
        mux_sample = _cpu_and_rss(mux) if mux else None
        if mux_sample is not None and mux_sample[1]:
            mux_cpu = mux_sample[0]
        time.sleep(0.2)
    wall = time.monotonic() - start
    log.close()
    output = (root / f"{name}.out").read_text()
    reports = list(results.glob("*/report.json"))
    if not reports:
        sys.exit(f"bench_scale: {name} wrote no report (exit {proc.returncode}):\n{output[-3000:]}")
    report = json.loads(reports[0].read_text())
    counts = {k: report.get(k, 0) for k in ("num_passed", "num_failed")}
    return {"wall": wall, "session": report["run_time_seconds"], "cpu": cpu + mux_cpu, "rss": rss, "counts": counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=16)
    parser.add_argument("--tests", type=int, default=1000)
    parser.add_argument("--max-parallel", type=int, help="default: the node count")
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--cluster-file", help="use this cluster instead of bringing one up")
    parser.add_argument("--skip-upstream", action="store_true")
    parser.add_argument("--skip-no-mux", action="store_true")
    opts = parser.parse_args()
    parallel = opts.max_parallel or opts.nodes
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        root = Path(tmp)
        suite = write_suite(root, opts.tests, opts.seed)
        name = None
        cluster_file = Path(opts.cluster_file) if opts.cluster_file else None
        if cluster_file is None:
            from ducktape.cluster.local_cluster import lifecycle

            name, cluster_file = f"scale-{os.getpid()}", root / "cluster.json"
            lifecycle.up(name, opts.nodes, cluster_file, shares=[])
        try:
            ssh = ["--cluster-file", str(cluster_file)]
            runs = {"ours-ssh-mux": (ours_ducktape(), [*ssh, "--mux"])}
            if not opts.skip_no_mux:
                runs["ours-ssh-no-mux"] = (ours_ducktape(), [*ssh, "--no-mux"])
            runs["ours-localhost"] = (ours_ducktape(), ["--cluster", "ducktape.cluster.localhost.LocalhostCluster",
                                                        "--localhost-nodes", str(opts.nodes)])
            if not opts.skip_upstream:
                runs["upstream-ssh"] = (upstream_ducktape(), ssh)
            figures = {}
            print(f"{opts.tests} tests of 1-4 nodes on {opts.nodes} nodes, --max-parallel {parallel}")
            for label, (exe, args) in runs.items():
                figures[label] = f = run(label, exe, root, suite, args, parallel, opts.tests)
                print(f"  {label:16} session {f['session']:8.2f} s   wall {f['wall']:8.2f} s   driver CPU/test {1000 * f['cpu'] / opts.tests:6.1f} ms"
                      f"   driver peak RSS {f['rss'] / 2**20:6.1f} MB   {f['counts']}", flush=True)
            mux = figures["ours-ssh-mux"]["session"]
            print(f"  session ratios: ours-ssh-mux / ours-localhost {mux / figures['ours-localhost']['session']:.2f}x")
            if "ours-ssh-no-mux" in figures:
                print(f"                  ours-ssh-no-mux / ours-ssh-mux {figures['ours-ssh-no-mux']['session'] / mux:.2f}x")
            if "upstream-ssh" in figures:
                print(f"                  upstream-ssh / ours-ssh-mux {figures['upstream-ssh']['session'] / mux:.2f}x")
        finally:
            if name is not None:
                from ducktape.cluster.local_cluster import lifecycle

                lifecycle.down(name)


if __name__ == "__main__":
    main()
