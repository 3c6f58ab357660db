"""HTML report benchmark: a 5,000-test session report opened in headless Chromium, offline.

Generates a realistic session (5,000 tests on 16 nodes, with logs on disk), writes its
report.html, then loads it N times from file:// with the network emulated offline and prints:

- time to usable: the ``ducktape-report-usable`` performance mark the page sets once the
  summary, filters and the first rows of the table answer input (from navigation start);
- time to complete: when the timeline (one bar per node held by each test) is drawn too;
- wall time of navigate → load event → ready, seen from the DevTools client.

For comparison it runs upstream ducktape 0.17.0 on a three-test suite and opens *its*
report.html the same way: upstream loads React and JSXTransformer from fb.me, so offline it
renders nothing. The script prints what that page requested and how much text it shows.

    .venv/bin/python bench/bench_html.py [--tests 5000] [--loads 5] [--skip-upstream]
    .venv/bin/python bench/bench_html.py --screenshot docs/report.png
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _upstream import upstream_ducktape

from ducktape.tests.reporters.html_report import write_html_report
from tests.support.chromium import CHROMIUM, FLAGS, Chromium
from tests.support.report_factory import make_session

UPSTREAM_SUITE = '''
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test


class TinyTest(Test):
    @cluster(num_nodes=1)
    def test_pass(self):
        pass

    @cluster(num_nodes=1)
    def test_fail(self):
        raise AssertionError("boom")

    @cluster(num_nodes=1)
    def test_other(self):
        pass
'''


def _offline_page(browser: Chromium):
    page = browser.new_page(width=1400, height=900)
    browser.send("Network.emulateNetworkConditions", {"offline": True, "latency": 0, "downloadThroughput": -1,
                                                      "uploadThroughput": -1}, session=page.session)
    return page


def bench_ours(browser: Chromium, tests: int, loads: int, work: Path) -> None:
    t = time.perf_counter()
    session_dir, report = make_session(work, tests, nodes=16)
    gen = time.perf_counter() - t
    t = time.perf_counter()
    path = write_html_report(session_dir, report)
    write = time.perf_counter() - t
    print(f"ours: {tests} tests generated in {gen:.2f} s; write_html_report {write * 1000:.0f} ms, "
          f"report.html {path.stat().st_size / 1e6:.2f} MB")
    page = _offline_page(browser)
    usable, complete, wall = [], [], []
    for _ in range(loads):
        t = time.perf_counter()
        page.goto(path.as_uri(), ready="all")
        wall.append((time.perf_counter() - t) * 1000)
        usable.append(page.eval("performance.getEntriesByName('ducktape-report-usable')[0].startTime"))
        complete.append(page.eval("window.ducktapeReportComplete"))
    bars = page.eval("document.querySelectorAll('#timeline .bar').length")
    rows = page.eval("document.querySelectorAll('#test-rows tr.test-row').length")
    others = [u for u in page.requests() if not u.startswith("file:")]
    page.close()
    for name, values in (("time to usable", usable), ("time to complete", complete), ("wall (navigate→ready)", wall)):
        print(f"ours: {name:22s} median {statistics.median(values):7.0f} ms   min {min(values):6.0f}   "
              f"max {max(values):6.0f}   (n={loads})")
    print(f"ours: {bars} timeline bars, {rows} rows rendered up front (more on scroll), "
          f"non-file requests: {len(others)}")
    verdict = "PASS" if statistics.median(usable) < 2000 else "OVER BUDGET"
    print(f"ours: budget 2000 ms to usable -> {verdict}")


def bench_upstream(browser: Chromium, work: Path) -> None:
    suite = work / "upstream_suite"
    suite.mkdir()
    (suite / "__init__.py").write_text("")
    (suite / "test_tiny.py").write_text(textwrap.dedent(UPSTREAM_SUITE))
    results = work / "upstream_results"
    subprocess.run([str(upstream_ducktape()), "--cluster", "ducktape.cluster.localhost.LocalhostCluster",
                    "--results-root", str(results), str(suite)], check=False, cwd=work, capture_output=True, timeout=300)
    reports = sorted(results.glob("*/report.html"))
    if not reports:
        print("upstream: produced no report.html (run failed); nothing to compare")
        return
    page = _offline_page(browser)
    page.goto(reports[0].as_uri(), ready=None)
    time.sleep(1.0)  # give any script that did load a chance to render
    text = page.eval("document.body ? document.body.innerText.trim() : ''") or ""
    external = sorted({u for u in page.requests() if not u.startswith("file:")})
    page.close()
    print(f"upstream: report.html tries {len(external)} external URL(s) (blocked, offline): {', '.join(external) or '-'}")
    shown = sum(name in text for name in ("test_pass", "test_fail", "test_other"))
    print(f"upstream: offline it shows {len(text)} characters of text "
          f"({'blank page' if not text else repr(text[:80])}); {shown} of its 3 tests are visible")


def screenshot(path: Path, work: Path) -> None:
    """docs/report.png: a 70-test session on 6 nodes, failures first, one failure opened."""
    session_dir, report = make_session(work, 70, nodes=6, seed=11, extra=[{"status": "FLAKY"}])
    page = write_html_report(session_dir, report)
    failed = next(r["test_id"] for r in sorted(report["results"], key=lambda r: r["test_id"])
                  if r["test_status"] == "FAIL")
    url = page.as_uri() + "#" + urlencode({"test": failed})
    with tempfile.TemporaryDirectory(prefix="bench-html-shot-") as profile:
        subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--hide-scrollbars",
                        "--window-size=1400,2100", f"--screenshot={path.resolve()}", url],
                       check=True, capture_output=True, timeout=120)
    print(f"screenshot of {url} written to {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=5000)
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--skip-upstream", action="store_true")
    parser.add_argument("--screenshot", type=Path, help="only write a screenshot of a sample report here")
    args = parser.parse_args()
    if args.screenshot:
        with tempfile.TemporaryDirectory(prefix="bench-html-") as tmp:
            screenshot(args.screenshot, Path(tmp))
        return 0
    browser = Chromium()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-html-") as tmp:
            bench_ours(browser, args.tests, args.loads, Path(tmp))
            if not args.skip_upstream:
                bench_upstream(browser, Path(tmp))
    finally:
        browser.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
