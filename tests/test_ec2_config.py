"""Ec2Cluster's session file (``--cluster-file``): the EC2 config by path or inline, the
node count and the name; each mistake is one UsageError naming the file and key."""
from __future__ import annotations

import pytest

from ducktape.cluster.ec2.cluster import load_session_file
from ducktape.command_line.errors import UsageError

CONFIG = "region: eu-west-1\nami: ami-1234\ninstance_type: t3.small\nspot: true\nttl_minutes: 30\n"


def test_config_by_path_relative_to_the_session_file(tmp_path):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "ec2.yml").write_text(CONFIG)
    (tmp_path / "conf" / "session.yml").write_text("config: ec2.yml\nnodes: 4\nname: perf\n")
    config, nodes, name = load_session_file(str(tmp_path / "conf" / "session.yml"))
    assert (config.region, config.ami, config.spot, config.ttl_minutes) == ("eu-west-1", "ami-1234", True, 30)
    assert (nodes, name) == (4, "perf")
    assert config.ssh_wait_seconds == 300 and config.user == "admin"  # defaults


def test_inline_config(tmp_path):
    (tmp_path / "s.yml").write_text("nodes: 2\nec2:\n  region: us-east-2\n  ami: ami-9\n  instance_type: m5.large\n")
    config, nodes, name = load_session_file(str(tmp_path / "s.yml"))
    assert (config.region, nodes, name) == ("us-east-2", 2, None)


@pytest.mark.parametrize("text,expected", [
    ("config: ec2.yml\n", "'nodes' must be a positive integer, got None"),
    ("config: ec2.yml\nnodes: 0\n", "'nodes' must be a positive integer, got 0"),
    ("config: ec2.yml\nnodes: 2\nregion: x\n", "unknown key 'region'"),
    ("nodes: 2\n", "give exactly one of 'config'"),
    ("config: missing.yml\nnodes: 2\n", "cannot read EC2 config"),
    ("nodes: 2\nec2: {region: a, ami: b, instance_type: c, colour: red}\n", "unknown key 'colour'"),
    ("- a list\n", "must be a mapping"),
])
def test_session_file_mistakes(tmp_path, text, expected):
    (tmp_path / "ec2.yml").write_text(CONFIG)
    (tmp_path / "s.yml").write_text(text)
    with pytest.raises(UsageError) as err:
        load_session_file(str(tmp_path / "s.yml"))
    assert expected in err.value.message and err.value.hint


def test_no_cluster_file_says_what_to_pass():
    with pytest.raises(UsageError, match="Ec2Cluster needs --cluster-file"):
        load_session_file(None)
