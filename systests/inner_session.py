"""Run a suite (given as source text) in an inner ``ducktape`` session on a systest's own nodes,
and return its exit status and session report. Discovery of systests/ never collects the
inner suites: they are written into the systest's scratch directory first."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def run_inner_session(test, suite_source: str, *flags: str, extra_nodes: list[dict] = ()) -> tuple[int, dict]:
    """Run *suite_source* with ducktape on *test*'s nodes (plus *extra_nodes*, cluster-file entries)."""
    work = Path(test.test_context.local_scratch_dir)
    (work / "inner").mkdir()
    (work / "inner" / "__init__.py").write_text("")
    (work / "inner" / "test_inner.py").write_text(suite_source)
    nodes = [{"ssh_config": node.account.ssh_config.to_json(),
              "externally_routable_ip": node.account.externally_routable_ip}
             for node in test.test_context.cluster.nodes] + list(extra_nodes)
    (work / "cluster.json").write_text(json.dumps({"nodes": nodes}))
    proc = subprocess.run([sys.executable, "-m", "ducktape", "inner", "--cluster-file", "cluster.json", *flags],
                          cwd=work, env=dict(os.environ, HOME=str(work)), capture_output=True, text=True,
                          timeout=300, check=False)
    test.logger.info("inner ducktape exited %d:\n%s%s", proc.returncode, proc.stdout, proc.stderr)
    return proc.returncode, json.loads((work / "results" / "latest" / "report.json").read_text())
