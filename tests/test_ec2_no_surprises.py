"""``ducktape-cluster ec2`` never costs money by surprise, against moto on loopback whose
subnet is a local namespace cluster's (its addresses are real sshds, or nobody on the
bridge): a name with running instances is refused (``--replace`` ends them first), the SSH
wait shows progress, Ctrl-C in it terminates what was launched and says so, a failed wait
says the instances were terminated, and cluster files are never replaced unasked."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from tests.support.moto_ec2 import ec2_cli


def _tags(item: dict) -> dict:
    return {t["Key"]: t["Value"] for t in item.get("Tags", [])}


def _subnet_of(moto_ec2, cluster) -> str:
    cidr = cluster.state.subnet
    vpc = moto_ec2.client.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    return moto_ec2.client.create_subnet(VpcId=vpc, CidrBlock=cidr)["Subnet"]["SubnetId"]


@pytest.fixture
def nobody_there(moto_ec2, netns_cluster_factory, tmp_path):
    """An EC2 config whose instances get addresses on a local bridge where no sshd answers
    (the one node is .2; moto hands out .4 and up)."""
    cluster = netns_cluster_factory(nodes=1)
    return lambda **overrides: moto_ec2.write_config(
        tmp_path / "ec2.yml", subnet_id=_subnet_of(moto_ec2, cluster), user="root",
        identity_file=cluster.state.identity_file, **overrides)


def test_ctrl_c_in_the_ssh_wait_terminates_what_was_launched(moto_ec2, nobody_there, tmp_path):
    config = nobody_there(ssh_wait_seconds=600)
    up = subprocess.Popen([sys.executable, "-m", "ducktape.cluster.local_cluster.cli", "ec2", "up", "--config",
                           str(config), "--nodes", "2", "--name", "cut", "--cluster-file", str(tmp_path / "c.json")],
                          env={**os.environ, **moto_ec2.env}, cwd=tmp_path, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    try:
        first = [up.stdout.readline() for _ in range(2)]
        assert first[0].startswith("launched ") and first[1].startswith("waiting for SSH: 0/2 nodes answer, "), first
        launched = first[0].split()[1:3]
        up.send_signal(signal.SIGINT)
        out, err = up.communicate(timeout=30)  # far less than the 600 s wait: Ctrl-C ended it
    finally:
        up.kill()
    assert up.returncode == 130, out + err
    ids = ", ".join(sorted(i.strip(",;") for i in launched))
    assert err.strip() == f"ducktape-cluster: interrupted: cluster cut: the 2 instances launched were terminated ({ids})"
    assert "Traceback" not in err
    assert moto_ec2.instances() == []
    assert not (tmp_path / "c.json").exists()


def test_a_failed_ssh_wait_says_the_instances_were_terminated(moto_ec2, nobody_there, tmp_path):
    config = nobody_there(ssh_wait_seconds=2)
    up = ec2_cli(["ec2", "up", "--config", str(config), "--nodes", "2", "--name", "late",
                  "--cluster-file", str(tmp_path / "c.json")], moto_ec2.env, tmp_path)
    assert up.returncode == 1, up.stdout + up.stderr
    assert "waiting for SSH: 0/2 nodes answer, " in up.stdout
    first = up.stderr.splitlines()[0]
    assert "did not answer SSH within 2s; the 2 instances launched were terminated (i-" in first, up.stderr
    assert moto_ec2.instances() == []


def test_the_wait_reports_nodes_answering(moto_ec2, netns_cluster_factory, tmp_path):
    cluster = netns_cluster_factory(nodes=4)  # .2 to .5: the two instances (.4, .5) are real nodes
    config = moto_ec2.write_config(tmp_path / "ec2.yml", subnet_id=_subnet_of(moto_ec2, cluster), user="root",
                                   identity_file=cluster.state.identity_file, ssh_wait_seconds=60)
    up = ec2_cli(["ec2", "up", "--config", str(config), "--nodes", "2", "--name", "live",
                  "--cluster-file", str(tmp_path / "c.json")], moto_ec2.env, tmp_path)
    assert up.returncode == 0, up.stdout + up.stderr
    progress = [line for line in up.stdout.splitlines() if line.startswith("waiting for SSH: ")]
    assert progress and progress[-1].startswith("waiting for SSH: 2/2 nodes answer, "), up.stdout
    assert ec2_cli(["ec2", "down", "--name", "live"], moto_ec2.env, tmp_path).returncode == 0


def test_a_name_with_running_instances_is_refused_unless_replace(moto_ec2, tmp_path):
    config = moto_ec2.write_config(tmp_path / "ec2.yml")
    args = ["ec2", "up", "--config", str(config), "--nodes", "2", "--name", "busy"]
    assert ec2_cli([*args, "--cluster-file", "a.json"], moto_ec2.env, tmp_path).returncode == 0
    before = sorted(i["InstanceId"] for i in moto_ec2.instances())
    again = ec2_cli([*args, "--cluster-file", "b.json"], moto_ec2.env, tmp_path)
    assert again.returncode == 2, again.stdout + again.stderr
    assert again.stderr.splitlines()[0] == (
        f"ducktape-cluster: cluster busy already has 2 instances ({', '.join(before)})"), again.stderr
    assert "ducktape-cluster ec2 down --name busy" in again.stderr
    assert sorted(i["InstanceId"] for i in moto_ec2.instances()) == before  # nothing launched
    assert not (tmp_path / "b.json").exists()

    replaced = ec2_cli([*args, "--cluster-file", "a.json", "--replace"], moto_ec2.env, tmp_path)
    assert replaced.returncode == 0, replaced.stdout + replaced.stderr
    assert "cluster busy: terminated 2 running instances first (--replace)" in replaced.stdout
    now = sorted(i["InstanceId"] for i in moto_ec2.instances())
    assert len(now) == 2 and not set(now) & set(before)


def test_cluster_files_are_never_replaced_unasked_and_down_removes_its_own(moto_ec2, tmp_path):
    config = moto_ec2.write_config(tmp_path / "ec2.yml")
    theirs = tmp_path / "theirs.json"
    theirs.write_text('{"nodes": [{"ssh_config": {"host": "box", "hostname": "10.0.0.9"}}]}\n')
    refused = ec2_cli(["ec2", "up", "--config", str(config), "--nodes", "1", "--name", "f1",
                       "--cluster-file", str(theirs)], moto_ec2.env, tmp_path)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "exists and was not written by ducktape-cluster ec2 up; not replacing it" in refused.stderr
    assert moto_ec2.instances() == [] and "box" in theirs.read_text()

    # the default file in this directory: written by `up`, found and removed by a bare `down`
    assert ec2_cli(["ec2", "up", "--config", str(config), "--nodes", "1", "--name", "f1"],
                   moto_ec2.env, tmp_path).returncode == 0
    written = tmp_path / ".ducktape" / "cluster.json"
    assert json.loads(written.read_text())["ec2"]["name"] == "f1"
    other = ec2_cli(["ec2", "up", "--config", str(config), "--nodes", "1", "--name", "f2"],
                    moto_ec2.env, tmp_path)
    assert other.returncode == 2 and "is the file of EC2 cluster f1, which is up" in other.stderr
    assert {_tags(i)["ducktape:cluster"] for i in moto_ec2.instances()} == {"f1"}
    down = ec2_cli(["ec2", "down"], moto_ec2.env, tmp_path)
    assert down.returncode == 0, down.stdout + down.stderr
    assert "cluster f1: terminating 1 instance:" in down.stdout
    assert "removed its cluster file .ducktape/cluster.json" in down.stdout
    assert not written.exists() and moto_ec2.instances() == []
