"""Collect a generated suite of 10,000 parametrized tests with upstream 0.17.0 and with ours.

Prints wall time and peak RSS of each `ducktape --collect-only` run (best of --runs) and the ratios.
Goal: ours at most half upstream's time, and less memory. Output of both is compared too.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _upstream import ours_ducktape, upstream_ducktape

TEST_FILE = '''\
from ducktape.mark import matrix, parametrize
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test


class Generated{n}Test(Test):
{methods}
'''
METHOD = '''\
    @cluster(num_nodes={nodes})
    @matrix(x=list(range({xs})), y=["a", "b c"])
    def test_m{m}(self, x, y):
        pass

    @parametrize(k={{"deep": [1, 2]}})
    @parametrize(k="plain")
    def test_p{m}(self, k):
        pass
'''


def generate(root: Path, files: int = 50, methods: int = 10, xs: int = 9) -> int:
    """Write the suite; return the number of tests it holds."""
    pkg = root / "gen"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for n in range(files):
        body = "\n".join(METHOD.format(m=m, nodes=1 + m % 3, xs=xs) for m in range(methods))
        (pkg / f"test_gen{n}.py").write_text(TEST_FILE.format(n=n, methods=body))
    return files * methods * (xs * 2 + 2)


def run_one(exe: Path, cwd: Path) -> tuple[float, float, str]:
    """Run in a fresh process so RUSAGE_CHILDREN holds only this run."""
    code = ("import sys, resource, subprocess, time, os\n"
            "t = time.perf_counter()\n"
            "p = subprocess.run([sys.argv[1], '--collect-only', 'gen'], capture_output=True,"
            " env={**os.environ, 'HOME': os.getcwd()})\n"
            "w = time.perf_counter() - t\n"
            "sys.stderr.write('%f %f\\n' % (w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024))\n"
            "sys.stdout.write(p.stdout.decode())\n")
    proc = subprocess.run([sys.executable, "-c", code, str(exe)], cwd=cwd, capture_output=True, text=True,
                          check=True)
    wall, rss = (float(v) for v in proc.stderr.split()[-2:])
    return wall, rss, proc.stdout


def comparable(output: str) -> list[str]:
    return [line for line in output.splitlines() if not line.startswith("[INFO")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        count = generate(root)
        results = {}
        for label, exe in (("upstream", upstream_ducktape()), ("ours", ours_ducktape())):
            runs = [run_one(exe, root) for _ in range(options.runs)]
            results[label] = (min(r[0] for r in runs), min(r[1] for r in runs), runs[0][2])
        same = comparable(results["ours"][2]) == comparable(results["upstream"][2])
    up_wall, up_rss, _ = results["upstream"]
    our_wall, our_rss, _ = results["ours"]
    print(f"collect-only, {count} tests, best of {options.runs}")
    print(f"  upstream 0.17.0: {up_wall:7.3f} s  peak RSS {up_rss:7.1f} MiB")
    print(f"  ours:            {our_wall:7.3f} s  peak RSS {our_rss:7.1f} MiB")
    print(f"  time ratio ours/upstream: {our_wall / up_wall:.2f}   RSS ratio: {our_rss / up_rss:.2f}")
    print(f"  identical output: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
