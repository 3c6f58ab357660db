"""Cluster files of the namespace cluster: a stale one (its cluster taken down) is named as
such, ``up`` never replaces a file it did not write, and ``down`` without a name takes the
cluster of ./.ducktape/cluster.json or lists the clusters to choose from."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ducktape.cluster.local_cluster import lifecycle
from tests.support.suites import run_ducktape, write_suite

CLI = [sys.executable, "-m", "ducktape.cluster.local_cluster.cli"]
SUITE = {"suite/test_one.py": """
    from ducktape.mark.resource import cluster
    from ducktape.tests.test import Test

    class OneTest(Test):
        @cluster(num_nodes=1)
        def test_one(self):
            pass
"""}


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, cwd=cwd, check=False)


def names_up() -> set[str]:
    return {c.name for c in lifecycle.status()}


def test_a_stale_cluster_file_says_its_cluster_is_gone(netns_cluster_factory, tmp_path):
    cluster = netns_cluster_factory(nodes=1)
    shutil.copy(cluster.cluster_file, tmp_path / "stale.json")
    cluster.down()
    write_suite(tmp_path, SUITE)
    proc = run_ducktape(["--cluster-file", "stale.json", "suite"], tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    first, hint = proc.stderr.splitlines()[-2:]
    assert first.startswith("ducktape: stale cluster file: stale.json: ")
    assert f"the local cluster {cluster.name!r} that wrote it is not up" in first
    assert hint.startswith("hint: see the clusters that are up: ducktape-cluster status")
    assert f"ducktape-cluster up --nodes N --name {cluster.name}" in hint
    assert "identityfile" not in proc.stderr and "Traceback" not in proc.stderr
    assert not [p for p in (tmp_path / "results").iterdir() if p.is_dir()]


def test_up_never_replaces_a_file_it_did_not_write(netns_cluster, tmp_path):
    name = f"pytest-{os.getpid()}-81"
    mine = tmp_path / "cluster.json"
    mine.write_text('{"nodes": [{"ssh_config": {"host": "box", "hostname": "10.0.0.9"}}]}\n')
    refused = cli(tmp_path, "up", "--nodes", "1", "--name", name, "--cluster-file", str(mine))
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "exists and was not written by ducktape-cluster up; not replacing it" in refused.stderr
    assert "hint: pass another --cluster-file" in refused.stderr
    assert json.loads(mine.read_text())["nodes"][0]["ssh_config"]["host"] == "box"
    assert name not in names_up()

    taken = cli(tmp_path, "up", "--nodes", "1", "--name", name, "--cluster-file", str(netns_cluster.cluster_file))
    assert taken.returncode == 2, taken.stdout + taken.stderr
    assert f"is the file of cluster {netns_cluster.name!r}, which is up" in taken.stderr
    assert f"ducktape-cluster down --name {netns_cluster.name} first" in taken.stderr
    assert name not in names_up()


def test_down_without_a_name(netns_cluster, tmp_path):
    name = f"pytest-{os.getpid()}-82"
    here = tmp_path / "project"
    here.mkdir()
    try:
        up = cli(here, "up", "--nodes", "1", "--name", name)
        assert up.returncode == 0, up.stderr
        assert (here / ".ducktape" / "cluster.json").exists()
        down = cli(here, "down")
        assert down.returncode == 0, down.stderr
        assert f"cluster {name}: removed" in down.stdout
        assert name not in names_up()
    finally:
        lifecycle.down(name)
    elsewhere = cli(tmp_path, "down")  # no cluster file here: which cluster is not guessed
    assert elsewhere.returncode == 2, elsewhere.stdout + elsewhere.stderr
    assert "which cluster? no cluster file .ducktape/cluster.json here names one" in elsewhere.stderr
    assert netns_cluster.name in elsewhere.stderr and "ducktape-cluster status" in elsewhere.stderr
    assert netns_cluster.name in names_up()
