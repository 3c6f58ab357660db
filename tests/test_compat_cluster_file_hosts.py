"""A cluster file that repeats one ``ssh_config.host`` for every node, the nodes told apart
by hostname and port, loads and runs on upstream 0.17.0; it must on ours too."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.test_compat_probes import UPSTREAM_PYTHON

# Under either interpreter: load the file, take every node, print what `hostname` says on each.
SCRIPT = r"""
import json, sys
from ducktape.cluster.json import JsonCluster
from ducktape.cluster.cluster_spec import ClusterSpec
cluster = JsonCluster(cluster_file=sys.argv[1])
nodes = cluster.alloc(ClusterSpec.simple_linux(len(cluster)))
print(json.dumps(sorted(n.account.ssh_output("hostname").decode().strip() for n in nodes)))
"""


def run(python: str, cluster_file: str) -> subprocess.CompletedProcess:
    return subprocess.run([python, "-I", "-c", SCRIPT, cluster_file], capture_output=True, text=True,
                          timeout=120, check=False)


def test_one_host_alias_for_every_node_loads_as_upstream(netns_cluster, tmp_path):
    doc = json.loads(netns_cluster.cluster_file.read_text())
    for node in doc["nodes"]:
        node["ssh_config"]["host"] = "worker"
    path = tmp_path / "same-host.json"
    path.write_text(json.dumps(doc))
    expected = sorted(node.hostname for node in netns_cluster.nodes)
    for python in (UPSTREAM_PYTHON, sys.executable):
        proc = run(python, str(path))
        assert proc.returncode == 0, (python, proc.stderr)
        assert json.loads(proc.stdout.strip().splitlines()[-1]) == expected, python
