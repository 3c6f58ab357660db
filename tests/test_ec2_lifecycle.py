"""``ducktape-cluster ec2 up | down | status`` against a real moto server on loopback:
tags, the cluster file, status, teardown by tag (twice, after a SIGKILLed ``up``),
``--expired`` and SIGTERM during ``up``."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import boto3

from ducktape.cluster.json import JsonCluster
from tests.support.moto_ec2 import REGION, ec2_cli, wait_for


def _tags(item: dict) -> dict:
    return {t["Key"]: t["Value"] for t in item.get("Tags", [])}


def test_up_tags_instances_and_volumes_and_writes_a_cluster_file(moto_ec2, tmp_path):
    config = moto_ec2.write_config(tmp_path / "ec2.yml", identity_file=str(tmp_path / "key.pem"))
    (tmp_path / "key.pem").write_text("not used: no SSH here\n")
    cluster_file = tmp_path / "out" / "cluster.json"
    up = ec2_cli(["ec2", "up", "--config", str(config), "--nodes", "3", "--name", "t1",
                  "--cluster-file", str(cluster_file)], moto_ec2.env, tmp_path)
    assert up.returncode == 0, up.stderr
    instances = sorted(moto_ec2.instances(), key=lambda i: i["AmiLaunchIndex"])
    assert len(instances) == 3
    assert len({i["Placement"]["AvailabilityZone"] for i in instances}) == 1
    reservations = moto_ec2.client.describe_instances(
        Filters=[{"Name": "tag:ducktape:cluster", "Values": ["t1"]}])["Reservations"]
    assert len(reservations) == 1  # one RunInstances request for all nodes
    for index, instance in enumerate(instances, start=1):
        tags = _tags(instance)
        assert tags["ducktape:cluster"] == "t1"
        assert tags["ducktape:owner"] == moto_ec2.owner
        assert tags["team"] == "tests"
        assert tags["Name"] == f"t1-worker{index}"
        assert tags["ducktape:expires"].endswith("Z")
        assert instance["InstanceType"] == "t3.micro" and instance["KeyName"] == moto_ec2.key_name
        assert instance["SubnetId"] == moto_ec2.subnet_id
    volumes = moto_ec2.client.describe_volumes(Filters=[{"Name": "tag:ducktape:cluster", "Values": ["t1"]}])
    assert {a["InstanceId"] for v in volumes["Volumes"] for a in v["Attachments"]} == {
        i["InstanceId"] for i in instances}

    definition = json.loads(cluster_file.read_text())
    hosts = [n["ssh_config"]["host"] for n in definition["nodes"]]
    assert hosts == ["worker1", "worker2", "worker3"]
    assert [n["ssh_config"]["hostname"] for n in definition["nodes"]] == [i["PrivateIpAddress"] for i in instances]
    assert {n["ssh_config"]["user"] for n in definition["nodes"]} == {"admin"}
    assert definition["ec2"]["instance_ids"] == [i["InstanceId"] for i in instances]
    cluster = JsonCluster(cluster_file=str(cluster_file))
    assert len(cluster) == 3

    status = ec2_cli(["ec2", "status"], moto_ec2.env, tmp_path)
    assert status.returncode == 0, status.stderr
    assert "cluster t1: 3 instances" in status.stdout
    for instance in instances:
        assert f"{instance['InstanceId']}  running" in status.stdout
    assert "expires 20" in status.stdout
    assert "(in 59m" in status.stdout or "(in 1h00m" in status.stdout  # ttl_minutes: 60


def test_down_terminates_by_tag_and_is_safe_to_repeat(moto_ec2, tmp_path):
    config = moto_ec2.write_config(tmp_path / "ec2.yml")
    for name in ("keep", "drop"):
        up = ec2_cli(["ec2", "up", "--config", str(config), "--nodes", "2", "--name", name,
                      "--cluster-file", str(tmp_path / f"{name}.json")], moto_ec2.env, tmp_path)
        assert up.returncode == 0, up.stderr
    first = ec2_cli(["ec2", "down", "--name", "drop", "--config", str(config)], moto_ec2.env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "cluster drop: terminating 2 instances" in first.stdout
    live = moto_ec2.instances()
    assert {_tags(i)["ducktape:cluster"] for i in live} == {"keep"} and len(live) == 2
    again = ec2_cli(["ec2", "down", "--name", "drop"], moto_ec2.env, tmp_path)  # region from the environment
    assert again.returncode == 0, again.stderr
    assert "nothing to do" in again.stdout
    status = ec2_cli(["ec2", "status"], moto_ec2.env, tmp_path)
    assert "cluster keep" in status.stdout and "cluster drop" not in status.stdout


def test_down_from_another_process_finds_the_cluster_without_the_cluster_file(moto_ec2, tmp_path):
    config = moto_ec2.write_config(tmp_path / "ec2.yml")
    up = ec2_cli(["ec2", "up", "--config", str(config), "--nodes", "1", "--name", "elsewhere",
                  "--cluster-file", str(tmp_path / "c.json")], moto_ec2.env, tmp_path)
    assert up.returncode == 0, up.stderr
    (tmp_path / "c.json").unlink()
    other = tmp_path / "other-machine"
    other.mkdir()
    down = ec2_cli(["ec2", "down", "--name", "elsewhere"], moto_ec2.env, other)
    assert down.returncode == 0 and "terminating 1 instance:" in down.stdout
    assert moto_ec2.instances() == []


def test_down_expired_ends_only_instances_past_their_expiry(moto_ec2, tmp_path):
    config = moto_ec2.write_config(tmp_path / "ec2.yml")
    for name in ("old", "fresh"):
        assert ec2_cli(["ec2", "up", "--config", str(config), "--nodes", "2", "--name", name,
                        "--cluster-file", str(tmp_path / f"{name}.json")], moto_ec2.env, tmp_path).returncode == 0
    old = [i["InstanceId"] for i in moto_ec2.instances() if _tags(i)["ducktape:cluster"] == "old"]
    # as if the driver died three hours ago: its expiry tag lies in the past
    moto_ec2.client.create_tags(Resources=old, Tags=[{"Key": "ducktape:expires", "Value": "2020-01-01T00:00:00Z"}])
    down = ec2_cli(["ec2", "down", "--expired"], moto_ec2.env, tmp_path)
    assert down.returncode == 0, down.stderr
    for instance_id in old:
        assert f"terminated {instance_id} of cluster old" in down.stdout
    assert {_tags(i)["ducktape:cluster"] for i in moto_ec2.instances()} == {"fresh"}
    assert "no expired instances" in ec2_cli(["ec2", "down", "--expired"], moto_ec2.env, tmp_path).stdout


def _start_up(moto_ec2, ec2_proxy, tmp_path, name: str) -> subprocess.Popen:
    config = moto_ec2.write_config(tmp_path / "ec2.yml")
    env = {**os.environ, **moto_ec2.env, "AWS_ENDPOINT_URL": ec2_proxy.endpoint}
    # `up` checks the name is free, launches, then waits for "running" forever
    ec2_proxy.hold_after["DescribeInstances"] = "RunInstances"
    return subprocess.Popen([sys.executable, "-m", "ducktape.cluster.local_cluster.cli", "ec2", "up", "--config",
                             str(config), "--nodes", "2", "--name", name, "--cluster-file",
                             str(tmp_path / "c.json")], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _waiting(proxy) -> bool:
    """`up` launched and is waiting for "running" (a DescribeInstances after RunInstances)."""
    seen = list(proxy.seen)
    return "RunInstances" in seen and "DescribeInstances" in seen[seen.index("RunInstances"):]


def test_sigkilled_up_leaves_tagged_instances_that_down_removes(moto_ec2, ec2_proxy, tmp_path):
    process = _start_up(moto_ec2, ec2_proxy, tmp_path, "killed")
    try:
        wait_for(lambda: len(moto_ec2.instances()) == 2 and _waiting(ec2_proxy),
                  "the launch")
    finally:
        process.kill()
        process.communicate(timeout=30)
    assert {_tags(i)["ducktape:cluster"] for i in moto_ec2.instances()} == {"killed"}
    assert not (tmp_path / "c.json").exists()
    down = ec2_cli(["ec2", "down", "--name", "killed"], moto_ec2.env, tmp_path)
    assert down.returncode == 0 and "terminating 2 instances" in down.stdout
    assert moto_ec2.instances() == []


def test_sigterm_during_up_terminates_what_it_launched(moto_ec2, ec2_proxy, tmp_path):
    process = _start_up(moto_ec2, ec2_proxy, tmp_path, "stopped")
    wait_for(lambda: len(moto_ec2.instances()) == 2 and _waiting(ec2_proxy), "the launch")
    ec2_proxy.hold_after.clear()
    ec2_proxy.released.set()  # the held call now goes nowhere; new calls pass
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, (out, err)
    assert "interrupted" in err
    assert moto_ec2.instances() == []
    assert len(moto_ec2.instances(states=("shutting-down", "terminated"))) == 2


def test_status_lists_only_this_owners_clusters(moto_ec2, tmp_path):
    config = moto_ec2.write_config(tmp_path / "ec2.yml")
    assert ec2_cli(["ec2", "up", "--config", str(config), "--nodes", "1", "--name", "mine",
                    "--cluster-file", str(tmp_path / "m.json")], moto_ec2.env, tmp_path).returncode == 0
    theirs = dict(moto_ec2.env, DUCKTAPE_EC2_OWNER="someone-else")
    assert ec2_cli(["ec2", "up", "--config", str(config), "--nodes", "1", "--name", "theirs",
                    "--cluster-file", str(tmp_path / "t.json")], theirs, tmp_path).returncode == 0
    status = ec2_cli(["ec2", "status", "--config", str(config)], moto_ec2.env, tmp_path)
    assert "cluster mine" in status.stdout and "theirs" not in status.stdout
    other = ec2_cli(["ec2", "status", "--owner", "someone-else"], moto_ec2.env, tmp_path)
    assert "cluster theirs" in other.stdout and "mine" not in other.stdout
    client = boto3.client("ec2", region_name=REGION)
    assert len(client.describe_instances()["Reservations"]) == 2


def test_an_unwritable_cluster_file_terminates_the_new_cluster(moto_ec2, tmp_path):
    config = moto_ec2.write_config(tmp_path / "ec2.yml")
    (tmp_path / "file").write_text("a file, not a directory\n")
    up = ec2_cli(["ec2", "up", "--config", str(config), "--nodes", "2", "--name", "nofile",
                  "--cluster-file", str(tmp_path / "file" / "cluster.json")], moto_ec2.env, tmp_path)
    assert up.returncode == 2
    assert "cannot write --cluster-file" in up.stderr and "cluster nofile was terminated" in up.stderr
    assert moto_ec2.instances() == []
