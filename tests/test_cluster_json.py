"""JsonCluster (validated cluster files), VagrantCluster, LocalhostCluster and make_cluster."""
from __future__ import annotations

import json
import logging
import os
import pickle
import stat

import pytest

from ducktape.cluster import JsonCluster, LocalhostCluster, VagrantCluster
from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.cluster.factory import make_cluster
from ducktape.cluster.json import make_remote_account
from ducktape.cluster.linux_remoteaccount import LinuxRemoteAccount
from ducktape.cluster.local_account import LocalAccount
from ducktape.cluster.node_container import InsufficientHealthyNodesError
from ducktape.cluster.remoteaccount import RemoteAccountSSHConfig
from ducktape.cluster.windows_remoteaccount import WindowsRemoteAccount
from ducktape.command_line.errors import UsageError
from tests.support.sshd import free_port
from tests.support.vagrant_standin import install_standin

DATA = os.path.join(os.path.dirname(__file__), "data", "cluster")


def write(path, doc) -> str:
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(path)


def test_ducker_style_file_with_extra_keys():
    cluster = JsonCluster(cluster_file=os.path.join(DATA, "ducker.json"))
    assert len(cluster) == 3
    assert str(cluster.all()) == ('[{"node_type": "large", "num_nodes": 1, "os": "linux"}, '
                                  '{"num_nodes": 2, "os": "linux"}]')
    accounts = {a.hostname: a for a in cluster._available_accounts}
    assert accounts["ducker03"].externally_routable_ip == "ducker03" and accounts["ducker03"].ssh_config.port == 22
    assert accounts["ducker03"].node_type == "large" and accounts["ducker01"].user == "ducker"


def test_typed_allocation_and_free(tmp_path, loopback_sshd):
    doc = loopback_sshd.cluster_json(["w1", "w2", "w3"])
    doc["nodes"][2]["node_type"] = "large"
    cluster = JsonCluster(cluster_file=write(tmp_path / "c.json", doc))
    nodes = cluster.alloc(ClusterSpec.simple_linux(1, "large"))
    assert nodes[0].name == "w3" and nodes[0].node_type == "large" and nodes[0].slot_id == 0
    assert str(cluster.used()) == '[{"node_type": "large", "num_nodes": 1, "os": "linux"}]'
    more = cluster.alloc(ClusterSpec.simple_linux(1))
    assert more[0].slot_id == 1 and cluster.max_used() == 2
    cluster.free(nodes)
    cluster.free(more[0])
    assert cluster.num_available_nodes() == 3


@pytest.mark.parametrize("doc, expected", [
    ('{"nodes": [', "not valid JSON"),
    ({"hosts": []}, 'expected an object with a "nodes" list'),
    ({"nodes": [{"externally_routable_ip": "x"}]}, "node 0: missing field 'ssh_config'"),
    ({"nodes": [{"ssh_config": {"hostname": "h"}}]}, "node 0: missing field 'ssh_config.host'"),
    ({"nodes": [{"ssh_config": {"host": "w1", "port": "twenty"}}]},
     "node 0 ('w1'): field 'ssh_config.port' must be a number, got 'twenty'"),
    ({"nodes": [{"ssh_config": {"host": "w1", "user": 7}}]},
     "node 0 ('w1'): field 'ssh_config.user' must be a string or null, got 7"),
    ({"nodes": [{"ssh_config": {"host": "w1"}, "node_type": ["big"]}]},
     "node 0 ('w1'): field 'node_type' must be a string or null"),
    ({"nodes": [{"ssh_config": {"host": "w1", "identityfile": "/nonexistent/key"}}]},
     "node 0 ('w1'): field 'ssh_config.identityfile': cannot read key file '/nonexistent/key'"),
])
def test_bad_cluster_files_are_one_clear_error(tmp_path, doc, expected):
    path = write(tmp_path / "cluster.json", doc)
    with pytest.raises(UsageError) as info:
        JsonCluster(cluster_file=path)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.message.startswith(f"JSON cluster definition invalid: {path}: ")
    assert expected in err.message and err.hint


def test_missing_file_and_dict_constructor_errors(tmp_path):
    with pytest.raises(UsageError, match="cannot read the file"):
        JsonCluster(cluster_file=str(tmp_path / "nope.json"))
    with pytest.raises(ValueError, match="JSON cluster definition invalid: cluster definition: node 0"):
        JsonCluster({"nodes": [{"no_ssh": 1}]})


def test_account_kinds_and_checks_are_passed(tmp_path):
    checks = [print]
    cluster = JsonCluster({"nodes": [{"ssh_config": {"host": "windows1"}}, {"ssh_config": {"host": "linux1"}}]},
                          ssh_exception_checks=checks)
    accounts = {a.hostname: a for a in cluster._available_accounts}
    assert isinstance(accounts["linux1"], LinuxRemoteAccount) and isinstance(accounts["windows1"], WindowsRemoteAccount)
    assert accounts["linux1"]._custom_ssh_exception_checks == checks
    assert str(cluster.all()) == '[{"num_nodes": 1, "os": "linux"}, {"num_nodes": 1, "os": "windows"}]'
    assert isinstance(make_remote_account(RemoteAccountSSHConfig("my-windows-box")), WindowsRemoteAccount)
    assert make_remote_account(RemoteAccountSSHConfig("my-windows-box")).operating_system == "windows"


def test_dead_nodes_are_parked_and_live_ones_allocated(loopback_sshd):
    doc = loopback_sshd.cluster_json(["live1"])
    doc["nodes"].append({"ssh_config": {"host": "dead1", "hostname": "127.0.0.1", "port": free_port(),
                                        "connecttimeout": 2}})
    cluster = JsonCluster(doc)
    with pytest.raises(InsufficientHealthyNodesError) as info:
        cluster.alloc(ClusterSpec.simple_linux(2))
    assert [a.hostname for a in info.value.bad_nodes] == ["dead1"]
    assert len(cluster.bad()) == 1 and cluster.num_available_nodes() == 1
    node = cluster.alloc(ClusterSpec.simple_linux(1))[0]
    assert node.account.ssh_output("echo hi") == b"hi\n"
    restored = pickle.loads(pickle.dumps(cluster))  # subclusters and clusters cross processes
    assert restored.num_available_nodes() == 0
    cluster.free(node)
    assert not node.account._conn.connected()


def test_localhost_cluster_runs_locally():
    cluster = LocalhostCluster(num_nodes=3)
    assert len(cluster) == 3
    nodes = cluster.alloc(ClusterSpec.simple_linux(3))
    assert [n.name for n in nodes] == ["localhost0", "localhost1", "localhost2"]
    assert isinstance(nodes[0].account, LocalAccount) and nodes[0].account.ssh_hostname == "localhost"
    assert nodes[1].account.ssh_output("echo local") == b"local\n"
    cluster.free(nodes)
    assert cluster.max_used() == 3 and cluster.num_available_nodes() == 3
    assert len(LocalhostCluster()) == 1000


def _fake_vagrant(tmp_path, monkeypatch, text: str, exit_code: int = 0) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "vagrant"
    script.write_text(f"#!/bin/sh\ncat <<'EOF'\n{text}\nEOF\nexit {exit_code}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")


def _ssh_config_block(sshd, host: str) -> str:
    return (f"Host {host}\n  HostName {sshd.host}\n  User {sshd.user}\n  Port {sshd.port}\n"
            f"  UserKnownHostsFile /dev/null\n  IdentityFile {sshd.key_path}\n  IdentitiesOnly yes\n")


def test_vagrant_cluster_from_ssh_config_writes_cluster_file(tmp_path, monkeypatch, loopback_sshd):
    calls = install_standin(tmp_path / "bin", {h: ("running", _ssh_config_block(loopback_sshd, h))
                                               for h in ("worker2", "worker1")})
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    monkeypatch.setattr(LinuxRemoteAccount, "get_external_accessible_network_devices", lambda self: ["lo"])
    target = tmp_path / "cluster.json"
    cluster = VagrantCluster(cluster_file=str(target))
    nodes = cluster.alloc(ClusterSpec.simple_linux(2))
    assert sorted(n.name for n in nodes) == ["worker1", "worker2"]
    assert nodes[0].account.externally_routable_ip == "127.0.0.1"
    written = json.loads(target.read_text())
    assert sorted(n["ssh_config"]["host"] for n in written["nodes"]) == ["worker1", "worker2"]
    assert written["nodes"][0]["ssh_config"]["port"] == loopback_sshd.port
    again = VagrantCluster(cluster_file=str(target))  # readable file: vagrant is not called again
    assert len(again) == 2 and calls.read_text().count("ssh-config") == 1


def test_vagrant_failure_is_a_usage_error(tmp_path, monkeypatch):
    _fake_vagrant(tmp_path, monkeypatch, "A Vagrant environment is required", exit_code=1)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match="'vagrant status' in .* failed") as info:
        VagrantCluster()
    assert "--cluster-file" in info.value.hint


def test_make_cluster_default_falls_back_to_localhost(tmp_path, monkeypatch, caplog):
    monkeypatch.chdir(tmp_path)
    with caplog.at_level(logging.INFO, logger="ducktape.cluster"):
        cluster = make_cluster(cluster=None, cluster_file=None, ssh_checker_function=None)
    assert isinstance(cluster, LocalhostCluster)
    assert any("LocalhostCluster" in r.getMessage() for r in caplog.records)


def test_make_cluster_default_reads_cluster_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cluster = make_cluster(cluster=None, cluster_file=os.path.join(DATA, "ducker.json"),
                           ssh_checker_function=["tests.test_cluster_json.checker"])
    assert isinstance(cluster, VagrantCluster) and len(cluster) == 3
    account = next(iter(cluster._available_accounts))
    assert account._custom_ssh_exception_checks == [checker]


def checker(err, account):
    """An ssh checker loaded by dotted path in the test above."""


@pytest.mark.parametrize("args, expected", [
    ({"cluster": "NoDots"}, "--cluster: not a dotted class path: 'NoDots'"),
    ({"cluster": "no_such_pkg.Cluster"}, "cannot import module 'no_such_pkg'"),
    ({"cluster": "ducktape.cluster.json.Nope"}, "module 'ducktape.cluster.json' has no class 'Nope'"),
    ({"cluster": "ducktape.cluster.json.WINDOWS"}, "'WINDOWS' is not a class"),
    ({"cluster": "ducktape.cluster.localhost.LocalhostCluster", "ssh_checker_function": ["os.nope"]},
     "--ssh-checker-function os.nope: module 'os' has no function 'nope'"),
])
def test_make_cluster_bad_input(args, expected):
    with pytest.raises(UsageError) as info:
        make_cluster(**args)
    assert expected in info.value.message and info.value.hint
