"""Runner and RemoteAccount on a real SSH cluster: upstream 0.17.0 and ours on the same nodes.

Brings up a 4-node namespace cluster (``ducktape-cluster``'s code; root needed) unless
``--cluster-file`` names one, runs three suites through ``--cluster-file`` with both
implementations one after the other in the same run, then takes the cluster down:

1. 100 no-op tests, ``@cluster(num_nodes=1)``, ``--max-parallel 4``: per-test overhead;
2. 24 tests, 6 each of 1, 2, 3 and 4 nodes, each ``sleep 2`` on all its nodes through
   ``ssh_capture``: the makespan against its ideal of 30 s;
3. 10 tests, each 50 ``ssh_output("echo")`` plus a 1 MiB copy_to and copy_from.

Each figure is the session run time from report.json (median of --runs). The second
column is ours on LocalhostCluster (four local nodes, no SSH) for the same suites.

    .venv/bin/python bench/bench_cluster.py [--cluster-file FILE] [--runs N] [--skip-upstream]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _upstream import ours_ducktape, upstream_ducktape
from bench_runner import CLUSTER_MODULE, NOOP_SUITE, run, write_suite

MIXED_SSH_SUITE = '''
from ducktape.mark import matrix
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test


def sleep_on_all(test):
    streams = [node.account.ssh_capture("sleep 2") for node in test.test_context.cluster.nodes]
    for stream in streams:
        list(stream)


class MixedTest(Test):
''' + "".join(f'''
    @cluster(num_nodes={n})
    @matrix(i=list(range(6)))
    def test_size{n}(self, i):
        sleep_on_all(self)
''' for n in (4, 3, 2, 1))

SSH_IO_SUITE = '''
import os
import tempfile

from ducktape.mark import matrix
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test


class SshIoTest(Test):
    @cluster(num_nodes=1)
    @matrix(i=list(range(10)))
    def test_io(self, i):
        node = self.test_context.cluster.nodes[0]
        for _ in range(50):
            assert node.account.ssh_output("echo hi").strip() == b"hi"
        work = tempfile.mkdtemp()
        src, back = os.path.join(work, "src.bin"), os.path.join(work, "back.bin")
        with open(src, "wb") as out:
            out.write(os.urandom(1 << 20))
        remote = f"/tmp/bench-payload-{i}.bin"
        node.account.copy_to(src, remote)
        node.account.copy_from(remote, back)
        with open(src, "rb") as a, open(back, "rb") as b:
            assert a.read() == b.read()
        node.account.ssh(f"rm -f {remote}")
'''

ROWS = [  # (suite name, source, title, ideal seconds or None)
    ("noop", NOOP_SUITE, "100 no-op 1-node tests, --max-parallel 4", None),
    ("mixed", MIXED_SSH_SUITE, "24 tests of 1-4 nodes, sleep 2 on each node (ideal 30 s)", 30.0),
    ("sshio", SSH_IO_SUITE, "10 tests, 50 ssh_output + 1 MiB copy_to/copy_from", None),
]


def up_cluster(work: Path) -> tuple[str, Path]:
    """A 4-node namespace cluster named for this process; returns (name, cluster file)."""
    from ducktape.cluster.local_cluster import lifecycle

    name = f"bench-{os.getpid()}"
    cluster_file = work / "cluster.json"
    lifecycle.up(name, 4, cluster_file, shares=[])
    return name, cluster_file


def median_session(exe: Path, root: Path, suite: Path, cluster_args: list[str], runs: int) -> tuple[float, dict]:
    figures = [run(exe, root, suite, 4, cluster_args) for _ in range(max(1, runs))]
    for _session, _wall, counts in figures:
        if counts["num_failed"]:
            sys.exit(f"bench: {exe} failed {counts['num_failed']} tests of {suite.name}")
    return statistics.median(f[0] for f in figures), figures[0][2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cluster-file", help="use this cluster instead of bringing one up")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (the median is shown)")
    parser.add_argument("--skip-upstream", action="store_true")
    opts, _rest = parser.parse_known_args()
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        root = Path(tmp)
        (root / "_bench_cluster.py").write_text(CLUSTER_MODULE)
        name = None
        cluster_file = Path(opts.cluster_file) if opts.cluster_file else None
        if cluster_file is None:
            if os.geteuid() != 0:
                print("bench_cluster: skipped: bringing up a namespace cluster needs root "
                      "(or pass --cluster-file FILE)")
                return
            name, cluster_file = up_cluster(root)
        try:
            measure(root, cluster_file, opts)
        finally:
            if name is not None:
                from ducktape.cluster.local_cluster import lifecycle

                lifecycle.down(name)


def measure(root: Path, cluster_file: Path, opts: argparse.Namespace) -> None:
    ssh = ["--cluster-file", str(cluster_file)]
    local = ["--cluster", "_bench_cluster.FourNodeCluster"]
    impls = {"ours": ours_ducktape()}
    if not opts.skip_upstream:
        impls["upstream"] = upstream_ducktape()
    print(f"4-node namespace cluster over SSH (--cluster-file), session seconds, median of {opts.runs}")
    print(f"{'suite':58}{'upstream':>10}{'ours':>8}{'ratio':>8}   {'ours, LocalhostCluster':>22}")
    for suite_name, source, title, ideal in ROWS:
        suite = write_suite(root, suite_name, source)
        ours, _ = median_session(impls["ours"], root, suite, ssh, opts.runs)
        theirs = median_session(impls["upstream"], root, suite, ssh, opts.runs)[0] if "upstream" in impls else None
        localhost, _ = median_session(impls["ours"], root, suite, local, opts.runs)
        up_text = f"{theirs:10.2f}" if theirs is not None else f"{'-':>10}"
        ratio = f"{ours / theirs:7.2f}x" if theirs else f"{'-':>8}"
        note = f"  ({ours / ideal:.3f}x ideal)" if ideal else ""
        print(f"{title:58}{up_text}{ours:8.2f}{ratio}   {localhost:22.2f}{note}", flush=True)
    print("ratio = ours / upstream (lower is faster)")


if __name__ == "__main__":
    main()
