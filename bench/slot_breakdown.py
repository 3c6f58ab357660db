"""Where a session's slots lose time between tests: read one results directory.

For each test: the driver's start (session_log.debug, ``--debug``), the test process's
"Running..." and "Tearing down..." lines (test_log.info), and the driver's PASS/FAIL line.
Prints the medians of, per test:

- fork: driver start -> the test body starts (process start, setUp);
- body over its work: "Running..." -> "Tearing down..." minus ``--work`` seconds
  (SSH handshakes and command overhead inside the test);
- finish: "Tearing down..." -> the driver records the result (teardown, result files, event);
- refill: the driver records a result -> it starts the next test on any of those nodes;

and the session's lead (session start -> first test start) and tail (last result -> end).

    .venv/bin/python bench/slot_breakdown.py RESULTS_SESSION_DIR [--work 2.0]
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
from datetime import datetime
from pathlib import Path

STAMP = r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})"


def _when(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S,%f").timestamp()


def driver_events(session_dir: Path) -> tuple[dict, dict]:
    """test_id -> (driver start, nodes) and test_id -> driver result time."""
    starts, ends = {}, {}
    for line in (session_dir / "session_log.debug").read_text().splitlines():
        found = re.match(rf"\[DEBUG:{STAMP}\]: started test \d+ of \d+: (\S+) \(pid \d+, nodes (.*)\)$", line)
        if found:
            starts[found.group(2)] = (_when(found.group(1)), found.group(3).split(", "))
            continue
        found = re.match(rf"\[DEBUG:{STAMP}\]: [A-Z_]+: (\S+) \(index \d+\)$", line)
        if found:
            ends[found.group(2)] = _when(found.group(1))
    return starts, ends


def phase_times(test_dir: Path) -> tuple[float | None, float | None]:
    running = teardown = None
    for line in (test_dir / "test_log.info").read_text().splitlines():
        found = re.match(rf"\[INFO\s+- {STAMP} - .*: (Running|Tearing down)\.\.\.$", line)
        if found and found.group(2) == "Running":
            running = _when(found.group(1))
        elif found:
            teardown = _when(found.group(1))
    return running, teardown


def _ms(values: list[float]) -> str:
    return f"{1000 * statistics.median(values):6.1f} ms" if values else "     -"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("session_dir", type=Path)
    parser.add_argument("--work", type=float, default=2.0, help="seconds of real work in each test body")
    opts = parser.parse_args()
    report = json.loads((opts.session_dir / "report.json").read_text())
    starts, ends = driver_events(opts.session_dir)
    fork, body, finish, refill = [], [], [], []
    timeline = sorted((start, test_id, nodes) for test_id, (start, nodes) in starts.items())
    for result in report["results"]:
        test_id = result["test_id"]
        running, teardown = phase_times(Path(result["results_dir"]))
        start = starts[test_id][0]
        if running and teardown:
            fork.append(running - start)
            body.append(teardown - running - opts.work)
            finish.append(ends[test_id] - teardown)
        later = [s for s, other, nodes in timeline if s >= ends[test_id] and set(nodes) & set(starts[test_id][1])]
        if later:
            refill.append(min(later) - ends[test_id])
    print(f"session {report['run_time_seconds']:.3f} s")
    print(f"lead    {1000 * (timeline[0][0] - report['start_time']):6.1f} ms   tail {1000 * (report['stop_time'] - max(ends.values())):6.1f} ms")
    print(f"fork    {_ms(fork)}   body-over-work {_ms(body)}   finish {_ms(finish)}   refill {_ms(refill)}   (medians of {len(fork)} tests)")


if __name__ == "__main__":
    main()
