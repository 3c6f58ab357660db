"""Session reporting cost: upstream 0.17.0 rewrites every session report after each test; we append.

For N finished tests, upstream's runner re-renders report.txt, report.html, report.json and
report.xml after every test and once more at the end (O(N^2) in total). Ours appends one
block to report.txt per test and renders the whole-file reports once. Both are fed the same
N synthetic results (PASS/FAIL/FLAKY/IGNORE mix); we print the reporting time of each, the
ratio, and the time of `ducktape-report rebuild` on our session.

``--session-end N`` (issue 20: 10,000 results, report.json and the results index within 5 s)
times instead what the end of one N-test session writes, each reporter on its own, in a
results root holding ``--earlier`` older sessions: report.json, report.html with the results
index, then the index alone (cold: no index cache; warm: the cache of the run before).

    .venv/bin/python bench/bench_reports.py --session-end 10000 --earlier 20
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _upstream import upstream_python

UPSTREAM_SCRIPT = r'''
import json, sys, time
from ducktape.tests.session import SessionContext
from ducktape.tests.result import TestResult, TestResults
from ducktape.tests.status import PASS, FAIL, IGNORE, FLAKY
from ducktape.tests.reporter import (SimpleFileSummaryReporter, HTMLSummaryReporter, JSONReporter,
                                     JUnitReporter, FailedTestSymbolReporter)
data_file, session_dir = sys.argv[1], sys.argv[2]
rows = json.load(open(data_file))
session = SessionContext(session_id="bench", results_dir=session_dir)
statuses = {"PASS": PASS, "FAIL": FAIL, "IGNORE": IGNORE, "FLAKY": FLAKY}
results = TestResults(session, list(range(8)), {})
results.start_time = rows[0]["start_time"]

def make(d):
    r = TestResult.__new__(TestResult)
    r.__dict__.update({k: v for k, v in d.items() if k not in ("test_status", "run_time_seconds")})
    r.test_status = statuses[d["test_status"]]
    r.session_context = session
    r.node_type = None
    return r

def report_all():
    for rep in (SimpleFileSummaryReporter(results), HTMLSummaryReporter(results, len(rows)),
                JSONReporter(results), JUnitReporter(results)):
        rep.report()

t0 = time.perf_counter()
for d in rows:
    result = make(d)
    result.report()
    results.append(result)
    report_all()
report_all()
FailedTestSymbolReporter.to_symbol = lambda self, r: r.file_name
import contextlib, io
with contextlib.redirect_stdout(io.StringIO()):
    FailedTestSymbolReporter(results).report()
print(time.perf_counter() - t0)
'''


def synthetic_results(n: int, session_dir: Path, seed: int = 7) -> list[dict]:
    """N per-test report dicts in our (superset of upstream's) format."""
    rng = random.Random(seed)
    rows, start = [], 1_763_700_000.0
    for i in range(1, n + 1):
        status = rng.choices(["PASS", "FAIL", "FLAKY", "IGNORE"], [85, 8, 3, 4])[0]
        args = {"protocol": rng.choice(["PLAINTEXT", "SSL"]), "run": i}
        name = ".".join(f"{k}={v}" for k, v in args.items())
        rel = f"BenchTest/test_case/{name}/{i}/"
        duration = rng.uniform(1, 60)
        rows.append({
            "test_id": f"bench.module_{i % 7}.BenchTest.test_case.{name}", "module_name": f"bench.module_{i % 7}",
            "cls_name": "BenchTest", "function_name": "test_case", "injected_args": args,
            "description": "A benchmark test.", "results_dir": f"{session_dir}/{rel}",
            "relative_results_dir": rel, "base_results_dir": f"{session_dir}/", "test_status": status,
            "summary": "Test Passed" if status == "PASS" else "AssertionError('x')\nTraceback...\n" * 5,
            "data": {"throughput": i} if i % 3 == 0 else None, "start_time": start, "stop_time": start + duration,
            "run_time_seconds": duration, "nodes_allocated": 2, "nodes_used": 2, "services": [],
            "nodes": ["worker1", "worker2"], "test_index": i, "file_name": "/bench/tests/bench_test.py",
        })
        start += duration / 4
    return rows


def ours(rows: list[dict], session_dir: Path) -> float:
    """Our reporters over the same results: one append per test, whole files once."""
    from ducktape.tests.reporter import file_reporters
    from ducktape.tests.reporters.files import SessionRecordReporter
    from ducktape.tests.result import TestResults
    from ducktape.tests.session import SessionContext

    session = SessionContext(session_id="bench", results_dir=str(session_dir))
    reporters = [SessionRecordReporter(session), *file_reporters(session)]
    results = TestResults(session, list(range(8)))
    results.start_time = rows[0]["start_time"]
    t0 = time.perf_counter()
    feed(rows, session, reporters, results)
    for r in reporters:
        r.session_finished(results, False)
    return time.perf_counter() - t0


def feed(rows: list[dict], session, reporters: list, results) -> None:
    """Start the session's *reporters*, then file each of *rows* as the runner files a result."""
    from ducktape.tests.result import TestResult

    for r in reporters:
        r.session_started(session, len(rows), cluster_size=len(results.cluster))
    for d in rows:
        result = TestResult.from_json(d, session)
        results.append(result)
        result.report()
        for r in reporters:
            r.test_finished(result)


def session_end(n: int, earlier: int, root: Path) -> dict[str, float]:
    """Seconds each session-end report takes for an *n*-test session, *earlier* sessions beside it."""
    from ducktape.tests.reporter import make_reporters
    from ducktape.tests.reporters.html_report import INDEX_CACHE, write_results_index
    from ducktape.tests.result import TestResults
    from ducktape.tests.session import SessionContext

    for k in range(earlier):  # older sessions of 200 tests each, as a results root fills up
        old_dir = root / f"2026-01-{k + 1:02d}--001"
        old_dir.mkdir(parents=True)
        ours(synthetic_results(200, old_dir, seed=k), old_dir)
    (root / INDEX_CACHE).unlink(missing_ok=True)
    session_dir = root / "2026-12-01--001"
    session_dir.mkdir()
    rows = synthetic_results(n, session_dir)
    session = SessionContext(session_id=session_dir.name, results_dir=str(session_dir))
    reporters = make_reporters(session, str(root))[:-1]  # all but the console summary
    results = TestResults(session, list(range(16)))
    results.start_time, results.stop_time = rows[0]["start_time"], rows[-1]["stop_time"]
    feed(rows, session, reporters, results)
    times = {}
    for r in reporters:
        t0 = time.perf_counter()
        r.session_finished(results, False)
        times[type(r).__name__] = time.perf_counter() - t0
    (root / INDEX_CACHE).unlink()
    t0 = time.perf_counter()
    write_results_index(root)
    times["index, cold cache"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_results_index(root)
    times["index, warm cache"] = time.perf_counter() - t0
    return times


def print_session_end(n: int, earlier: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        times = session_end(n, earlier, Path(tmp))
    print(f"end of a {n}-test session, {earlier} earlier sessions in the results root:")
    names = {"JsonFileReporter": "report.json", "HtmlReporter": "report.html + results index",
             "TextFileReporter": "report.txt", "JUnitFileReporter": "report.xml"}
    for name, seconds in times.items():
        print(f"  {names.get(name, name):<30} {seconds:7.3f} s")
    worst = max(times["JsonFileReporter"], times["HtmlReporter"], times["index, cold cache"])
    print(f"  report.json and the index each within 5 s: {'yes' if worst < 5 else 'NO'} (slowest {worst:.3f} s)")


def upstream(rows: list[dict], session_dir: Path, data_file: Path) -> float:
    data_file.write_text(json.dumps(rows))
    out = subprocess.run([str(upstream_python()), "-c", UPSTREAM_SCRIPT, str(data_file), str(session_dir)],
                         capture_output=True, text=True, check=False, cwd=data_file.parent)
    if out.returncode:
        raise SystemExit(f"upstream reporting failed:\n{out.stderr}")
    return float(out.stdout.strip().splitlines()[-1])


def rebuild_time(session_dir: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "ducktape-report"), "rebuild", str(session_dir)],
                   capture_output=True, check=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--session-end", type=int, metavar="N", help="time the end of one N-test session instead")
    parser.add_argument("--earlier", type=int, default=20, help="older sessions in the root (with --session-end)")
    args = parser.parse_args()
    if args.session_end:
        print_session_end(args.session_end, args.earlier)
        return
    print(f"{'tests':>6} {'upstream s':>11} {'ours s':>8} {'ratio':>7} {'rebuild s':>10}")
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
            ours_dir, up_dir = Path(tmp) / "ours" / "bench", Path(tmp) / "up" / "bench"
            ours_dir.mkdir(parents=True)
            up_dir.mkdir(parents=True)
            mine = ours(synthetic_results(n, ours_dir), ours_dir)
            theirs = upstream(synthetic_results(n, up_dir), up_dir, Path(tmp) / "rows.json")
            rebuild = rebuild_time(ours_dir)
            print(f"{n:>6} {theirs:>11.3f} {mine:>8.3f} {theirs / mine:>6.1f}x {rebuild:>10.3f}", flush=True)


if __name__ == "__main__":
    main()
