"""EC2 instances that really answer SSH: moto's subnet is given the CIDR of a local
namespace cluster, so the addresses moto hands out (from .4 up) are real nodes with
sshd. ``ec2 up`` then waits for real SSH, and suites run on the nodes it wrote into
the cluster file; an address with no node behind it makes the wait fail and ``up``
terminate everything. All traffic stays on the bridge the test created."""
from __future__ import annotations

import json
import os

import pytest

from tests.support.moto_ec2 import ec2_cli
from tests.support.suites import run_ducktape, write_suite

SUITE = {
    "suite/test_real.py": """
        from ducktape.mark.resource import cluster
        from ducktape.tests.test import Test

        class RealNodesTest(Test):
            @cluster(num_nodes=3)
            def test_hostnames(self):
                nodes = self.test_context.cluster.alloc(self.test_context.expected_cluster_spec)
                seen = [n.account.ssh_output("hostname").decode().strip() for n in nodes]
                self.test_context.cluster.free(nodes)
                open("seen.json", "w").write(__import__("json").dumps(seen))
    """,
}


@pytest.fixture
def ec2_on_netns(moto_ec2, netns_cluster_factory):
    """(netns cluster of 5 nodes, config overrides whose subnet covers its addresses)."""
    cluster = netns_cluster_factory(nodes=5)
    cidr = cluster.state.subnet
    vpc = moto_ec2.client.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    subnet = moto_ec2.client.create_subnet(VpcId=vpc, CidrBlock=cidr)["Subnet"]["SubnetId"]
    overrides = {"subnet_id": subnet, "user": "root", "identity_file": cluster.state.identity_file,
                 "ssh_wait_seconds": 60}
    return cluster, overrides


def test_up_waits_for_real_ssh_and_a_suite_runs_on_the_nodes(moto_ec2, ec2_on_netns, tmp_path):
    cluster, overrides = ec2_on_netns
    config = moto_ec2.write_config(tmp_path / "ec2.yml", **overrides)
    up = ec2_cli(["ec2", "up", "--config", str(config), "--nodes", "3", "--name", "real",
                  "--cluster-file", str(tmp_path / "cluster.json")], moto_ec2.env, tmp_path)
    assert up.returncode == 0, up.stderr
    definition = json.loads((tmp_path / "cluster.json").read_text())
    by_ip = {n.ip: n.hostname for n in cluster.nodes}
    addresses = [n["ssh_config"]["hostname"] for n in definition["nodes"]]
    assert set(addresses) <= set(by_ip), (addresses, by_ip)

    write_suite(tmp_path, SUITE)
    run = run_ducktape(["--cluster-file", "cluster.json", "suite"], tmp_path, env=moto_ec2.env, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert sorted(json.loads((tmp_path / "seen.json").read_text())) == sorted(by_ip[a] for a in addresses)
    assert ec2_cli(["ec2", "down", "--name", "real"], moto_ec2.env, tmp_path).returncode == 0
    assert moto_ec2.instances() == []


def test_an_ec2_session_runs_real_ssh_tests(moto_ec2, ec2_on_netns, tmp_path):
    cluster, overrides = ec2_on_netns
    moto_ec2.write_config(tmp_path / "ec2.yml", **overrides)
    (tmp_path / "session.yml").write_text(f"config: ec2.yml\nnodes: 3\nname: real-sess-{os.getpid()}\n")
    write_suite(tmp_path, SUITE)
    run = run_ducktape(["--cluster", "ducktape.cluster.ec2.Ec2Cluster", "--cluster-file", "session.yml", "suite"],
                       tmp_path, env=moto_ec2.env, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert set(json.loads((tmp_path / "seen.json").read_text())) <= {n.hostname for n in cluster.nodes}
    assert moto_ec2.instances() == []
    assert len(moto_ec2.instances(states=("shutting-down", "terminated"))) == 3


def test_an_address_without_sshd_fails_the_wait_and_up_terminates_everything(moto_ec2, netns_cluster_factory,
                                                                            tmp_path):
    cluster = netns_cluster_factory(nodes=3)  # nodes .2 .3 .4; moto's second instance gets .5: nobody there
    cidr = cluster.state.subnet
    vpc = moto_ec2.client.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    subnet = moto_ec2.client.create_subnet(VpcId=vpc, CidrBlock=cidr)["Subnet"]["SubnetId"]
    config = moto_ec2.write_config(tmp_path / "ec2.yml", subnet_id=subnet, user="root",
                                   identity_file=cluster.state.identity_file, ssh_wait_seconds=3)
    up = ec2_cli(["ec2", "up", "--config", str(config), "--nodes", "2", "--name", "half",
                  "--cluster-file", str(tmp_path / "cluster.json")], moto_ec2.env, tmp_path)
    assert up.returncode == 1, up.stdout + up.stderr
    assert "worker2 (" in up.stderr and ":22) did not answer SSH within 3s" in up.stderr
    assert "worker1" not in up.stderr  # the node with sshd answered
    assert moto_ec2.instances() == [] and not (tmp_path / "cluster.json").exists()
