"""Each EC2 error is one line naming the input, with the fix, and leaves nothing running.

Unknown AMI and key pair come from moto with its validation on; the subnet is a real
subnet of another region; missing credentials are botocore's own check; quota and
capacity errors, which moto cannot produce, come from a loopback proxy answering
RunInstances with EC2's error document.
"""
from __future__ import annotations

import os
import subprocess
import sys

import boto3
import pytest

from tests.support.moto_ec2 import ec2_cli


def _up(moto_ec2, tmp_path, env=None, nodes: str = "2", **overrides):
    config = moto_ec2.write_config(tmp_path / "ec2.yml", **overrides)
    return ec2_cli(["ec2", "up", "--config", str(config), "--nodes", nodes, "--name", "err",
                    "--cluster-file", str(tmp_path / "c.json")], env or moto_ec2.env, tmp_path)


def _one_error(result) -> tuple[str, str]:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("ducktape-cluster: ") and lines[1].startswith("hint: ")
    return lines[0], lines[1]


@pytest.mark.parametrize("override,line_has,hint_has", [
    ({"ami": "ami-0000000000deadbee"}, "AMI ami-0000000000deadbee does not exist in region us-east-1",
     "describe-images --region us-east-1"),
    ({"key_name": "nobodys-key"}, "key pair 'nobodys-key' does not exist in region us-east-1",
     "import-key-pair --region us-east-1 --key-name nobodys-key"),
], ids=["unknown-ami", "missing-key-pair"])
def test_unknown_ami_and_missing_key_pair(moto_ec2, tmp_path, override, line_has, hint_has):
    result = _up(moto_ec2, tmp_path, **override)
    assert result.returncode == 2
    line, hint = _one_error(result)
    assert line_has in line and hint_has in hint
    assert moto_ec2.instances() == []


def test_subnet_of_another_region(moto_ec2, tmp_path):
    west = boto3.client("ec2", region_name="us-west-2")
    vpc = west.create_vpc(CidrBlock="10.88.0.0/16")["Vpc"]["VpcId"]
    subnet = west.create_subnet(VpcId=vpc, CidrBlock="10.88.1.0/24")["Subnet"]["SubnetId"]
    result = _up(moto_ec2, tmp_path, subnet_id=subnet)
    assert result.returncode == 2
    line, hint = _one_error(result)
    assert f"subnet {subnet} does not exist in region us-east-1" in line
    assert "set 'region' to the subnet's region" in hint
    assert moto_ec2.instances() == []
    assert west.describe_instances()["Reservations"] == []


def test_no_credentials(moto_ec2, tmp_path):
    env = {k: v for k, v in moto_ec2.env.items() if not k.startswith("AWS_ACCESS") and not k.startswith("AWS_SECRET")}
    full = {k: v for k, v in os.environ.items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    result = subprocess.run([sys.executable, "-m", "ducktape.cluster.local_cluster.cli", "ec2", "up", "--config",
                             str(moto_ec2.write_config(tmp_path / "ec2.yml")), "--nodes", "1"],
                            env={**full, **env}, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    line, hint = _one_error(result)
    assert "no AWS credentials found" in line
    assert "AWS_ACCESS_KEY_ID" in hint and "aws configure" in hint
    assert moto_ec2.instances() == []


@pytest.mark.parametrize("status,code", [(400, "VcpuLimitExceeded"), (400, "InstanceLimitExceeded"),
                                         (500, "InsufficientInstanceCapacity")])
def test_quota_and_capacity(moto_ec2, ec2_proxy, tmp_path, status, code):
    ec2_proxy.fail["RunInstances"] = (status, code, f"{code} for the requested instances")
    env = {**moto_ec2.env, "AWS_ENDPOINT_URL": ec2_proxy.endpoint, "AWS_MAX_ATTEMPTS": "2"}
    result = _up(moto_ec2, tmp_path, env=env, nodes="40")
    assert result.returncode == 1
    line, hint = _one_error(result)
    assert f"EC2 cannot start the instances now: {code}" in line
    assert "fewer --nodes" in hint and "Service Quotas" in hint
    assert "RunInstances" in ec2_proxy.seen
    assert moto_ec2.instances() == []


@pytest.mark.parametrize("text,expected", [
    ("region: us-east-1\nami: ami-1\ninstance_type: t3.micro\nflavour: large\n", "unknown key 'flavour'"),
    ("region: us-east-1\ninstance_type: t3.micro\n", "missing key 'ami'"),
    ("region: us-east-1\nami: ami-1\ninstance_type: t3.micro\nspot: maybe\n", "key 'spot' must be true or false"),
    ("region: us-east-1\nami: ami-1\ninstance_type: t3.micro\nssh_wait_seconds: -1\n", "'ssh_wait_seconds' must be"),
    ("region: [us-east-1\n", "is not valid YAML"),
])
def test_bad_config_is_one_line_naming_the_key(moto_ec2, tmp_path, text, expected):
    (tmp_path / "ec2.yml").write_text(text)
    result = ec2_cli(["ec2", "up", "--config", str(tmp_path / "ec2.yml"), "--nodes", "1"], moto_ec2.env, tmp_path)
    assert result.returncode == 2
    line, _hint = _one_error(result)
    assert expected in line and "ec2.yml" in line
