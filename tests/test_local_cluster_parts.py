"""The namespace cluster's pure parts: names, subnets, state files, preflight checks."""
from __future__ import annotations

import ipaddress
import json
import shlex

import pytest

from ducktape.cluster.local_cluster import network
from ducktape.cluster.local_cluster.lookup import name_for_cluster_file
from ducktape.cluster.local_cluster.names import (
    ClusterNames,
    check_name,
    check_node_count,
)
from ducktape.cluster.local_cluster.node_files import cluster_document, sshd_config
from ducktape.cluster.local_cluster.preflight import check_platform
from ducktape.cluster.local_cluster.state import (
    ClusterState,
    NodeState,
    read_state,
    write_state,
)
from ducktape.command_line.errors import UsageError
from tests.support.suites import REPO_ROOT


def test_names_fit_kernel_limits_and_are_told_apart():
    names = ClusterNames("a-very-long-cluster-name")
    assert len(names.bridge) <= 15 and len(names.veth(200)) <= 15
    assert names.owns_netns("dtc-a-very-long-cluster-name-12")
    assert not ClusterNames("a").owns_netns("dtc-a-b-1"), "cluster 'a' must not claim cluster 'a-b'"
    assert names.owns_link(names.veth(3)) and names.owns_link(names.bridge)
    assert not names.owns_link(ClusterNames("other").bridge)


@pytest.mark.parametrize("bad", ["", "Upper", "1abc", "has_underscore", "ends-", "x" * 25])
def test_bad_cluster_names_are_refused(bad):
    with pytest.raises(UsageError) as err:
        check_name(bad)
    assert repr(bad) in err.value.message and err.value.hint


def test_node_count_bounds():
    assert check_node_count(1) == 1
    with pytest.raises(UsageError):
        check_node_count(201)


def test_subnet_is_stable_per_name_and_avoids_taken_ranges():
    first = network.choose_subnet("ci-1", [])
    assert first == network.choose_subnet("ci-1", [])
    assert first.subnet_of(network.POOL) and first.prefixlen == 24
    moved = network.choose_subnet("ci-1", [first])
    assert moved != first and not moved.overlaps(first)
    with pytest.raises(Exception, match="no free /24"):
        network.choose_subnet("ci-1", [ipaddress.ip_network("10.0.0.0/8")])
    assert (network.host_ip(first), network.node_ip(first, 3)) == (str(first[1]), str(first[4]))


def test_state_round_trips_and_a_torn_file_reads_as_missing(tmp_path):
    state = ClusterState(name="c", subnet="10.213.1.0/24", bridge="dtcx", host_ip="10.213.1.1",
                         state_dir="/run/x", identity_file="/run/x/id", cluster_file="/tmp/c.json",
                         nodes=[NodeState(1, "c-node1", "10.213.1.2", "dtc-c-1", "dtcxv1", 10, 11)])
    path = tmp_path / "state.json"
    write_state(path, state)
    assert read_state(path) == state
    path.write_text('{"name": "c", "sub')
    assert read_state(path) is None
    assert read_state(tmp_path / "absent.json") is None


def test_cluster_document_and_sshd_config(tmp_path):
    names = ClusterNames("c", tmp_path)
    node = NodeState(1, "c-node1", "10.213.1.2", "dtc-c-1", "dtcxv1")
    doc = cluster_document(names, [node])
    assert doc == {"nodes": [{"ssh_config": {"host": "c-node1", "hostname": "10.213.1.2", "user": "root",
                                             "port": 22, "identityfile": str(tmp_path / "c" / "id_ed25519")},
                              "externally_routable_ip": "10.213.1.2"}]}
    config = sshd_config(names, node).splitlines()
    for line in ("UseDNS no", "UsePAM no", "PasswordAuthentication no", "Subsystem sftp internal-sftp"):
        assert line in config


def test_cluster_file_leads_back_to_its_cluster(tmp_path):
    root = tmp_path / "root"
    names = ClusterNames("c-7", root)
    names.state_dir.mkdir(parents=True)
    file = tmp_path / "cluster.json"
    file.write_text(json.dumps(cluster_document(names, [NodeState(1, "c-7-node1", "10.2.0.2", "n", "v")])))
    assert name_for_cluster_file(file, root) == "c-7"   # from the identity file's directory
    stranger = tmp_path / "other.json"
    stranger.write_text('{"nodes": []}')
    with pytest.raises(UsageError, match="no ducktape-cluster wrote"):
        name_for_cluster_file(stranger, root)
    assert name_for_cluster_file(tmp_path / "removed-by-an-earlier-down.json", root) is None


def test_preflight_refuses_non_root_other_systems_and_missing_tools(tmp_path):
    with pytest.raises(UsageError) as err:
        check_platform(["ducktape-cluster", "up", "--nodes", "2"], uid=1000, platform="linux", venv="")
    assert "uid 1000" in err.value.message and err.value.hint == "sudo ducktape-cluster up --nodes 2"
    with pytest.raises(UsageError, match="needs Linux"):
        check_platform(["ducktape-cluster", "up"], uid=0, platform="darwin")
    with pytest.raises(UsageError) as err:
        check_platform(["ducktape-cluster", "up"], uid=0, path=str(tmp_path), platform="linux")
    assert err.value.message.startswith("missing tools: ip, unshare, sshd, ssh-keygen, iptables")
    assert err.value.hint == "apt-get install -y iproute2 iptables openssh-client openssh-server util-linux"
    check_platform(["ducktape-cluster", "up"], uid=0, platform="linux")  # this machine has everything


def test_the_root_hint_from_a_virtualenv_says_what_the_quickstart_says(tmp_path):
    """Plain ``sudo ducktape-cluster`` finds no command in a virtualenv (sudo resets PATH): the
    hint, like docs/quickstart.md, says to open a root shell and activate the virtualenv again."""
    venv = tmp_path / "my venv"
    with pytest.raises(UsageError) as err:
        check_platform(["ducktape-cluster", "up", "--nodes", "2"], uid=1000, platform="linux", venv=str(venv))
    hint = err.value.hint
    assert hint.startswith("sudo -s, then . " + shlex.quote(f"{venv}/bin/activate") + " "), hint
    assert hint.endswith("then ducktape-cluster up --nodes 2"), hint
    quickstart = (REPO_ROOT / "docs" / "quickstart.md").read_text()
    assert "`sudo -s`, then `. .venv/bin/activate` again" in quickstart
