"""``ducktape-cluster ec2 ...`` on an install without boto3 (a plain ``pip install .``): the real
CLI in its own process, with boto3 and botocore made unimportable by a finder placed first in
``sys.meta_path`` (a sitecustomize on PYTHONPATH), prints one line naming the extra to install."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BLOCKER = '''
import sys

class _NoBoto:
    """Behave as if boto3 and botocore were not installed."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("boto3", "botocore"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NoBoto())
'''


@pytest.fixture
def no_boto_env(tmp_path: Path) -> dict:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCKER)
    probe = subprocess.run([sys.executable, "-c", "import boto3"], env={**os.environ, "PYTHONPATH": str(site)},
                           capture_output=True, text=True, check=False)
    assert probe.returncode != 0 and "No module named 'boto3'" in probe.stderr  # the blocker works
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**env, "PYTHONPATH": str(site), "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.mark.parametrize("args", [
    ["ec2", "status"],
    ["ec2", "down", "--name", "nightly"],
    ["ec2", "up", "--config", "ec2.yml", "--nodes", "2"],
])
def test_each_ec2_command_says_which_extra_to_install(no_boto_env, tmp_path, args):
    (tmp_path / "ec2.yml").write_text("region: us-east-1\nami: ami-12345678\ninstance_type: t3.micro\n"
                                      "key_name: mine\n")
    proc = subprocess.run([sys.executable, "-m", "ducktape.cluster.local_cluster.cli", *args], cwd=tmp_path,
                          env=no_boto_env, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.splitlines() == [
        "ducktape-cluster: EC2 clusters need boto3, which is not installed: pip install 'ducktape[ec2]'"]
    assert "Traceback" not in proc.stderr
