"""A service whose process dies at start fails its test at once, with the end of its log in
the summary, instead of after the whole wait (``LogMonitor.wait_until`` inside a test). A
slow service that is still running, or one that writes its log line by line from a loop, is
waited for as before. Run on the embedded cluster and on the namespace cluster (real SSH)."""
from __future__ import annotations

import json
import os

import pytest

from tests.support.suites import run_ducktape, write_suite

SUITE = {"web/test_start.py": """
    from ducktape.mark import parametrize
    from ducktape.mark.resource import cluster
    from ducktape.services.service import Service
    from ducktape.tests.test import Test


    class Server(Service):
        logs = {"server_log": {"path": "/tmp/dtsd-unused/server.log", "collect_default": True}}

        def __init__(self, context, command):
            super().__init__(context, num_nodes=1)
            self.root = context.globals["root"]
            self.log = f"{self.root}/server.log"
            self.command = command

        def start_node(self, node, **kwargs):
            node.account.mkdirs(self.root)
            with node.account.monitor_log(self.log) as monitor:
                node.account.ssh(f"cd {self.root} && nohup {self.command} >> {self.log} 2>&1 </dev/null &")
                monitor.wait_until("Serving HTTP", timeout_sec=600, backoff_sec=0.2,
                                   err_msg=f"no HTTP server on {node.account.hostname}")

        def stop_node(self, node, **kwargs):
            node.account.kill_process("dtsd-marker", allow_fail=True)

        def clean_node(self, node, **kwargs):
            node.account.kill_process("dtsd-marker", allow_fail=True)
            node.account.remove(self.root, allow_fail=True)


    SLOW_LOOP = ("bash -c 'for i in 1 2 3; do echo waiting $i >> server.log; sleep 0.5; done; "
                 "echo Serving HTTP >> server.log; sleep 3' dtsd-marker")
    SILENT_THEN_READY = ("python3 -c 'import time; time.sleep(1.5); print(\\"Serving HTTP\\", flush=True); "
                         "time.sleep(3)' dtsd-marker")


    class StartTest(Test):
        @cluster(num_nodes=1)
        @parametrize(command="python3 -u -m http.serve 8080 dtsd-marker")
        @parametrize(command=SLOW_LOOP)
        @parametrize(command=SILENT_THEN_READY)
        def test_start(self, command):
            Server(self.test_context, command).start()
"""}


@pytest.mark.parametrize("where", ["embedded", "netns"])
def test_a_service_that_dies_at_start_fails_at_once_with_its_log(where, request, tmp_path):
    write_suite(tmp_path, SUITE)
    args = ["--globals", json.dumps({"root": f"/tmp/dtsd-root-{os.getpid()}-{where}"}), "web"]
    if where == "netns":
        cluster = request.getfixturevalue("netns_cluster")
        args = ["--cluster-file", str(cluster.cluster_file), *args]
    proc = run_ducktape(args, tmp_path, timeout=300)  # the typo's wait is 600 s: only an early end passes
    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "results" / "latest" / "report.json").read_text())
    by_status = {}
    for result in report["results"]:
        by_status.setdefault(result["test_status"], []).append(result)
    assert len(by_status["PASS"]) == 2 and len(by_status["FAIL"]) == 1, [r["summary"][:200] for r in report["results"]]
    failed = by_status["FAIL"][0]
    assert "http.serve" in failed["injected_args"]["command"]
    summary = failed["summary"]
    assert summary.startswith("LogWriterExitedError(") and "no HTTP server on " in summary, summary[:300]
    assert "ended without 'Serving HTTP', and every process started to write it has exited" in summary
    assert "No module named http.serve" in summary
