"""Merge and compare benchmark: 50 sessions of 2,000 results, merged into one, compared pairwise.

The sessions are written by the runner's own writers: each result by ``TestResult.report()``
(per-test report.json, report.txt, data.json) plus a test_log.info, each session by the
reporters a run uses (session.json, report.txt/json/xml/html with "since last run",
rerun-failed.yml) into one results root, with statuses and run times drawn per session from a
seed (mostly passing, some always failing, some flaky by session, some slower). Then it times:

- ``merge_sessions`` of all sessions into one (results, test directories linked, reports written);
- ``compare`` of each session with the one before it (reading both report.json files);
- ``compare`` of the first session with the merged one.

No assertions on time: it prints the figures, with the merge's wall time per step (reading the
inputs, linking their test directories, building the results, writing the reports) and its CPU
time, since on a busy machine the wall time is mostly waiting.

    .venv/bin/python bench/bench_merge.py [--sessions 50] [--results 2000] [--keep DIR]
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ducktape.tests.compare import compare
from ducktape.tests.merge import merge_sessions
from ducktape.tests.reporters.files import SessionRecordReporter
from ducktape.tests.reporters.session import file_reporters, notify
from ducktape.tests.result import TestResult, TestResults
from ducktape.tests.session import SessionContext
from ducktape.tests.session_reader import RecordedCluster, read_session
from ducktape.tests.status import FAIL, FLAKY, PASS
from tests.support.result_contexts import context

HOSTS = [f"worker{i + 1}" for i in range(8)]


def write_session(results_root: Path, number: int, n_results: int) -> Path:
    """One session of *n_results* results, written as a run writes it."""
    rng = random.Random(number)
    session_id = f"2026-12-{number:03d}"
    session = SessionContext(session_id=session_id, results_dir=str(results_root / session_id))
    reporters = [SessionRecordReporter(session), *file_reporters(session, results_root)]
    start = 1_795_000_000.0 + number * 86_400
    notify(reporters, "session_started", session, n_results, cluster_size=len(HOSTS))
    results = TestResults(session, RecordedCluster(len(HOSTS)))
    now = start
    for i in range(n_results):
        kind = i % 100
        if kind < 3:
            status, summary = FAIL, f"AssertionError('broken since forever: {i}')"
        elif kind < 5 and rng.random() < 0.5:
            status, summary = FAIL, f"TimeoutError('timed out after {rng.uniform(1, 60):.1f} s')"
        elif kind == 5:
            status, summary = FLAKY, "run 1 summary:\n    AssertionError('first attempt')\nrun 2: PASSED"
        else:
            status, summary = PASS, "Test Passed"
        usual = random.Random(i).uniform(5, 60)  # a test's own pace, the same every session
        seconds = usual * rng.uniform(0.9, 1.1) * (3 if kind == 99 and rng.random() < 0.3 else 1)
        ctx = context(session, method="test_one" if i % 2 else "test_two", args={"run": i},
                      hosts=(HOSTS[i % len(HOSTS)],))
        result = TestResult(ctx, i + 1, session, status, summary, None, now, now + seconds)
        result.nodes = [HOSTS[i % len(HOSTS)]]
        result.report()
        (Path(result.results_dir) / "test_log.info").write_text(f"[INFO] test {i} {status}\n")
        results.append(result)
        now += seconds / len(HOSTS)
    results.start_time, results.stop_time = start, now
    errors = notify(reporters, "session_finished", results, False)
    if errors:
        raise SystemExit(f"writing session {session_id} failed: {errors}")
    return Path(session.results_dir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--results", type=int, default=2000)
    parser.add_argument("--keep", type=Path, help="write here and keep it (default: a temp dir, removed)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-merge-"))
    try:
        root = work / "results"
        root.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        sessions = [write_session(root, n + 1, args.results) for n in range(args.sessions)]
        print(f"wrote {args.sessions} sessions x {args.results} results by the runner's writers in "
              f"{time.perf_counter() - t:.1f} s")

        t, cpu = time.perf_counter(), time.process_time()
        outcome = merge_sessions(sessions, work / "merged-root" / "merged")
        merge_s, merge_cpu = time.perf_counter() - t, time.process_time() - cpu
        results = outcome.results
        steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in outcome.seconds.items())
        print(f"merge: {len(sessions)} sessions, {len(results)} results ({results.num_failed} failed, "
              f"{results.num_flaky} flaky) in {merge_s:.1f} s wall, {merge_cpu:.1f} s CPU ({steps}); report.html "
              f"{(outcome.out / 'report.html').stat().st_size / 1e6:.1f} MB, report.json "
              f"{(outcome.out / 'report.json').stat().st_size / 1e6:.1f} MB")

        pair_times, found = [], []
        for number in range(1, len(sessions)):
            t = time.perf_counter()
            comparison = compare(read_session(sessions[number - 1]).results, read_session(sessions[number]).results)
            pair_times.append(time.perf_counter() - t)
            found.append(comparison.counts())
        if pair_times:
            mean_counts = {k: statistics.mean(c[k] for c in found) for k in found[0]}
            print(f"compare: {len(pair_times)} consecutive pairs, median {statistics.median(pair_times) * 1000:.0f} ms, "
                  f"max {max(pair_times) * 1000:.0f} ms (reading both report.json files); mean per pair: "
                  + ", ".join(f"{v:.1f} {k}" for k, v in mean_counts.items()))
        t = time.perf_counter()
        comparison = compare(read_session(sessions[0]).results, read_session(outcome.out).results)
        print(f"compare: first session with the merged one ({len(results)} results) in "
              f"{(time.perf_counter() - t) * 1000:.0f} ms; {comparison.counts()}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
