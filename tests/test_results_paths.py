"""Every path built from a name a test or a file controls stays inside --results-root, and a
name too long for the file system is shortened (distinct names stay distinct)."""
from __future__ import annotations

import json
import os
from pathlib import Path

from ducktape.utils.local_filesystem_utils import MAX_NAME_BYTES, safe_name, short_name
from tests.support.suites import run_ducktape, write_suite

ESCAPING_SUITE = {
    "paths/test_escape.py": """
        from ducktape.mark.resource import cluster
        from ducktape.services.service import Service
        from ducktape.tests.test import Test


        class Logger(Service):
            logs = {"svc_log": {"path": "/tmp/dt-escape-svc.log", "collect_default": True}}

            @property
            def service_id(self):
                return "../../../svc-outside"

            def start_node(self, node):
                node.account.ssh("echo written-by-the-service > /tmp/dt-escape-svc.log")

            def stop_node(self, node):
                pass

            def clean_node(self, node):
                node.account.ssh("rm -f /tmp/dt-escape-svc.log")


        class EscapeTest(Test):
            @cluster(num_nodes=3)
            def test_logs(self):
                Logger(self.test_context, num_nodes=3).start()
    """,
}


def test_host_names_and_service_ids_cannot_leave_the_results_root(tmp_path, netns_cluster):
    work = tmp_path / "a" / "b" / "work"
    write_suite(work, ESCAPING_SUITE)
    doc = json.loads(netns_cluster.cluster_file.read_text())
    for node, host in zip(doc["nodes"], ["../../../../host-outside", "x/../../..", ".."]):
        node["ssh_config"]["host"] = host
    cluster_file = tmp_path / "cluster.json"
    cluster_file.write_text(json.dumps(doc))
    results = work / "results"
    proc = run_ducktape(["paths", "--cluster-file", str(cluster_file), "--results-root", str(results)], work)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    logs = sorted(tmp_path.rglob("dt-escape-svc.log"))
    assert len(logs) == 3, logs  # one per node, none overwritten
    for log in logs:
        assert results in log.parents, log
        assert log.read_text() == "written-by-the-service\n"
    stray = [p for p in tmp_path.rglob("*") if p != cluster_file and work not in p.parents and p not in work.parents
             and p != work]
    assert stray == []


LONG_SUITE = {
    "long/test_long.py": """
        from ducktape.mark import parametrize
        from ducktape.tests.test import Test


        class LongTest(Test):
            @parametrize(x="a" * 300)
            @parametrize(x="a" * 299 + "b")
            def test_long(self, x):
                self.logger.info("ran with %d characters", len(x))
                return {"n": len(x)}
    """,
}


def test_a_300_character_parameter_gets_a_short_distinct_results_dir(suite_dir):
    write_suite(suite_dir, LONG_SUITE)
    for nested in ([], ["--nested-result-dirs"]):
        proc = run_ducktape(["long", *nested], suite_dir)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        report = json.loads((suite_dir / "results" / "latest" / "report.json").read_text())
        dirs = {r["relative_results_dir"] for r in report["results"]}
        assert [r["test_status"] for r in report["results"]] == ["PASS", "PASS"]
        assert len(dirs) == 2
        for rel in dirs:
            assert max(len(part.encode()) for part in Path(rel).parts) <= MAX_NAME_BYTES
            assert (suite_dir / "results" / "latest" / rel / "test_log.info").is_file()
            assert (suite_dir / "results" / "latest" / rel / "data.json").is_file()


RENAMED = {
    "renamed/test_renamed.py": """
        from ducktape.tests.test import Test


        class RenamedTest(Test):
            def test_a(self):
                return {"ran": True}

            test_a.__name__ = "test/../../../../method-outside"


        RenamedTest.__name__ = "../../../class-outside"
    """,
}


def test_class_and_method_names_cannot_leave_the_results_root(tmp_path):
    work = tmp_path / "a" / "b" / "work"
    write_suite(work, RENAMED)
    proc = run_ducktape(["renamed"], work)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = work / "results"
    data = sorted(tmp_path.rglob("data.json"))
    assert len(data) == 1 and results in data[0].parents, data
    assert not [p for p in tmp_path.rglob("*outside*") if results not in p.parents]


def test_safe_and_short_names():
    assert safe_name("..") == "__" and safe_name(".") == "_" and safe_name("") == "_"
    assert safe_name("../x/y") == ".._x_y" and os.sep not in safe_name("a/b")
    assert short_name("worker1") == "worker1"
    long_a, long_b = short_name("é" * 300), short_name("é" * 299 + "e")
    assert long_a != long_b and len(long_a.encode()) <= MAX_NAME_BYTES and long_a.startswith("éé")
