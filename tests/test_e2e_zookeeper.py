"""examples/zookeeper, run by our ducktape on a 4-node namespace cluster: a real ZooKeeper
ensemble of 3 and a writer, bounced and partitioned; every test passes and reports its
recovery time, each server's log is collected, and the HTML report (in headless Chromium)
draws the partition over the writes' latency. With DUCKTAPE_DOCS_SCREENSHOTS=1 its screenshot
replaces docs/zookeeper-report.png."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from tests.support.suites import REPO_ROOT, run_ducktape


def test_zookeeper_example_passes_on_a_namespace_cluster(suite_dir, netns_cluster_factory, page):
    cluster = netns_cluster_factory(nodes=4)
    proc = run_ducktape([str(REPO_ROOT / "examples" / "zookeeper"), "--cluster-file", str(cluster.cluster_file)],
                        cwd=suite_dir, timeout=600)
    report = json.loads((suite_dir / "results" / "latest" / "report.json").read_text())
    results = {r["test_id"].split("ZookeeperTest.")[1]: r for r in report["results"]}
    statuses = {name: r["test_status"] for name, r in results.items()}
    assert set(statuses.values()) == {"PASS"}, (statuses, proc.stdout[-4000:], proc.stderr[-4000:])
    assert proc.returncode == 0

    write = results["test_write_and_read"]["data"]
    assert write["acked_writes"] >= 50 and write["failed_attempts"] == 0 and write["first_write_sec"] > 0
    for name in ("test_bounce.clean_shutdown=True", "test_bounce.clean_shutdown=False"):
        bounces = results[name]["data"]["bounces"]
        assert bounces["follower"]["leader_after"] == bounces["follower"]["leader_before"]
        assert bounces["leader"]["leader_after"] != bounces["leader"]["leader_before"]
        assert all(b["recovery_sec"] >= 0 for b in bounces.values())

    partition = results["test_partition_leader"]
    assert partition["data"]["leader_after"] != partition["data"]["leader_before"]
    assert partition["data"]["recovery_sec"] >= 0
    faults = partition["faults"]
    assert [f["kind"] for f in faults] == ["partition"] and faults[0]["end"] > faults[0]["start"]
    cut_off = faults[0]["detail"]["plan"][partition["data"]["leader_before"]]
    assert len(cut_off) == 3, "the old leader was cut off from the two other servers and the client"

    results_dir = Path(results["test_write_and_read"]["results_dir"])
    hosts = sorted(p.parent.name for p in results_dir.glob("ZookeeperService-*/*/zookeeper.log"))
    assert len(hosts) == 3 and set(hosts) <= {node.hostname for node in cluster.nodes}, hosts
    assert "LEADING" in "".join(p.read_text() for p in results_dir.glob("ZookeeperService-*/*/zookeeper.log"))

    # the report: the partition as a band on each partitioned node's lane, and the writes'
    # latency chart of the partition test with the fault window shaded
    session = suite_dir / "results" / "latest"
    k = next(i for i, r in enumerate(report["results"]) if r["function_name"] == "test_partition_leader")
    page.goto((session / "report.html").as_uri())
    bands = page.eval("Array.from(document.querySelectorAll('#timeline .tl-row[data-node] .fault-band'))"
                      ".map(b => [b.closest('.tl-row').dataset.node, b.dataset.kind])")
    assert sorted(bands) == sorted([n, "partition"] for n in faults[0]["nodes"]), bands
    page.eval(f"document.querySelector('.bar[data-k=\"{k}\"]').click()")
    windows = page.eval("document.querySelectorAll('tr.test-row.open ~ tr svg.series-chart rect.fault-window').length")
    assert windows >= 1
    assert page.console_errors() == []
    page.eval("document.querySelector('tr.test-row.open').scrollIntoView()")
    shot = page.screenshot(suite_dir / "zookeeper-report.png", full_page=True)
    assert shot.stat().st_size > 10_000
    if os.environ.get("DUCKTAPE_DOCS_SCREENSHOTS"):  # refresh the picture in docs/quickstart.md
        shutil.copyfile(shot, REPO_ROOT / "docs" / "zookeeper-report.png")

