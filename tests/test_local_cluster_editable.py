"""``ducktape-cluster up --share VENV`` also shares the checkout of each editable install in
that virtualenv, so its packages import on the nodes even when the checkout lives under
/tmp (private on every node). The editable install is laid out as pip writes it (a
``__editable__`` .pth naming the checkout, ``direct_url.json`` marking it editable)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

from ducktape.cluster.local_cluster import lifecycle
from ducktape.cluster.local_cluster.editable import editable_sources
from tests.support.netns import NetnsNode, ssh_argv

CLI = [sys.executable, "-m", "ducktape.cluster.local_cluster.cli"]


def editable_venv(root: Path) -> tuple[Path, Path]:
    checkout = root / "checkout"
    (checkout / "mypkg").mkdir(parents=True)
    (checkout / "mypkg" / "__init__.py").write_text("WHERE = 'the checkout'\n")
    env = root / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(env)
    [site] = list(env.glob("lib/python*/site-packages"))
    (site / "__editable__.mypkg-1.0.pth").write_text(f"{checkout}\n")
    info = site / "mypkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mypkg\nVersion: 1.0\n")
    (info / "direct_url.json").write_text(json.dumps({"url": checkout.as_uri(), "dir_info": {"editable": True}}))
    return env, checkout


def test_editable_sources_are_read_from_direct_url(tmp_path):
    env, checkout = editable_venv(tmp_path)
    assert editable_sources(env) == [str(checkout.resolve())]
    assert editable_sources(checkout) == []  # not a virtualenv


def test_a_shared_venv_brings_its_editable_checkout(tmp_path):
    assert str(tmp_path).startswith("/tmp/")  # private on the nodes: only a share makes it visible
    env, checkout = editable_venv(tmp_path)
    name = f"pytest-{os.getpid()}-71"
    try:
        up = subprocess.run([*CLI, "up", "--nodes", "1", "--name", name, "--share", str(env),
                             "--cluster-file", str(tmp_path / "cluster.json")],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False)
        assert up.returncode == 0, up.stdout + up.stderr
        assert f"shared too: {checkout.resolve()} (an editable install" in up.stdout
        ssh = json.loads((tmp_path / "cluster.json").read_text())["nodes"][0]["ssh_config"]
        node = NetnsNode(ssh["host"], ssh["hostname"], ssh["user"], ssh["port"], ssh["identityfile"])
        on_node = subprocess.run(ssh_argv(node, f"{env}/bin/python -c 'import mypkg; print(mypkg.WHERE)'"),
                                 capture_output=True, text=True, timeout=60, check=False)
        assert on_node.returncode == 0, on_node.stderr
        assert on_node.stdout.strip() == "the checkout"
        private = subprocess.run(ssh_argv(node, f"ls {tmp_path}"), capture_output=True, text=True, timeout=60,
                                 check=False)
        assert "cluster.json" not in private.stdout  # the rest of /tmp stays the node's own
    finally:
        lifecycle.down(name)
