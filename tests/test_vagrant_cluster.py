"""VagrantCluster: the ssh-config parser on outputs rendered by Vagrant's own template
(virtualbox, libvirt, a path with spaces), and whole sessions on real namespace nodes
reached through a stand-in ``vagrant`` that prints their ssh-config."""
from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pytest

from ducktape.cluster.vagrant import VagrantCluster, parse_ssh_config
from ducktape.command_line.errors import UsageError
from tests.support.suites import run_ducktape, write_suite
from tests.support.vagrant_standin import install_standin, ssh_config_block

DATA = Path(__file__).parent / "data" / "vagrant"


def test_virtualbox_output():
    configs = parse_ssh_config((DATA / "virtualbox.txt").read_text())
    assert [(c.host, c.hostname, c.port, c.user) for c in configs] == [
        ("worker1", "127.0.0.1", 2222, "vagrant"), ("worker2", "127.0.0.1", 2223, "vagrant"),
        ("worker3", "127.0.0.1", 2224, "vagrant")]
    assert configs[1].identityfile == "/home/dev/kafka/.vagrant/machines/worker2/virtualbox/private_key"


def test_libvirt_output_out_of_order_with_extra_options():
    configs = parse_ssh_config((DATA / "libvirt.txt").read_text())
    assert [c.host for c in configs] == ["worker3", "worker1", "worker2"]  # as printed; VagrantCluster sorts
    assert {c.host: (c.hostname, c.port) for c in configs} == {
        "worker1": ("192.168.121.11", 22), "worker2": ("192.168.121.12", 22), "worker3": ("192.168.121.13", 22)}
    assert configs[2].identityfile.endswith("/worker2/libvirt/private_key")


def test_quoted_identity_file_with_spaces_and_crlf():
    text = (DATA / "path-with-spaces.txt").read_text().replace("\n", "\r\n")
    configs = parse_ssh_config(text)
    assert [c.identityfile for c in configs] == [
        f"/home/dev/My Projects/kafka tests/.vagrant/machines/worker{i}/virtualbox/private_key" for i in (1, 2)]
    assert [c.port for c in configs] == [2200, 2201]


def test_blocks_without_blank_lines_and_a_wildcard_block():
    text = "Host *\n  ServerAliveInterval 30\nHost a\n  HostName 10.0.0.1\nHost b\n  HostName 10.0.0.2\n  Port 2022\n"
    configs = parse_ssh_config(text)
    assert [(c.host, c.hostname, c.port) for c in configs] == [("a", "10.0.0.1", 22), ("b", "10.0.0.2", 2022)]


@pytest.fixture
def vagrant_dir(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    (work / "Vagrantfile").write_text("# the stand-in vagrant does not read this\n")
    # Vagrant's own record of a machine it created: the default cluster is VagrantCluster only then
    record = work / ".vagrant" / "machines" / "worker1" / "virtualbox"
    record.mkdir(parents=True)
    (record / "id").write_text("5c2c1a9e-0000-4000-8000-000000000001")
    monkeypatch.chdir(work)
    return work


def _machines(netns_cluster, key: str, stopped: tuple[str, ...] = ()) -> dict:
    machines = {}
    for index, node in enumerate(netns_cluster.nodes, start=1):
        machines[f"worker{index}"] = ("running", ssh_config_block(f"worker{index}", node.ip, node.port, node.user, key))
    for name in stopped:
        machines[name] = ("poweroff", "")
    items = list(machines.items())
    random.Random(7).shuffle(items)  # the stand-in prints blocks in this (any) order
    return dict(items)


def _key_with_spaces(netns_cluster, tmp_path) -> str:
    spaced = tmp_path / "my keys" / "vagrant key"
    spaced.parent.mkdir()
    shutil.copy(netns_cluster.nodes[0].identityfile, spaced)
    os.chmod(spaced, 0o600)
    return str(spaced)


SUITE = {
    "suite/test_nodes.py": """
        from ducktape.mark.resource import cluster
        from ducktape.tests.test import Test

        class NodesTest(Test):
            @cluster(num_nodes=3)
            def test_hostnames(self):
                nodes = self.test_context.cluster.alloc(self.test_context.expected_cluster_spec)
                names = [n.account.hostname for n in nodes]
                seen = [n.account.ssh_output("hostname").decode().strip() for n in nodes]
                self.test_context.cluster.free(nodes)
                assert sorted(names) == ["worker1", "worker2", "worker3"], names
                assert len(set(seen)) == 3, seen
                open("seen-hostnames.json", "w").write(__import__("json").dumps(seen))
    """,
}


def test_a_session_runs_on_the_nodes_vagrant_reports_and_caches_them(netns_cluster, vagrant_dir, tmp_path):
    key = _key_with_spaces(netns_cluster, tmp_path)
    calls = install_standin(tmp_path / "bin", _machines(netns_cluster, key, stopped=("worker4",)))
    write_suite(vagrant_dir, SUITE)
    env = {"PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"}
    result = run_ducktape(["--cluster-file", "build/cluster.json", "suite"], vagrant_dir, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Vagrant machines not running, skipped: worker4 (poweroff)" in result.stdout + result.stderr
    seen = json.loads((vagrant_dir / "seen-hostnames.json").read_text())
    assert sorted(seen) == sorted(n.hostname for n in netns_cluster.nodes)
    written = json.loads((vagrant_dir / "build" / "cluster.json").read_text())
    assert [n["ssh_config"]["host"] for n in written["nodes"]] == ["worker1", "worker2", "worker3"]
    assert [n["externally_routable_ip"] for n in written["nodes"]] == [n.ip for n in netns_cluster.nodes]
    assert {n["ssh_config"]["identityfile"] for n in written["nodes"]} == {key}
    assert calls.read_text().splitlines() == ["status --machine-readable", "ssh-config worker1 worker2 worker3"]

    again = run_ducktape(["--cluster-file", "build/cluster.json", "suite"], vagrant_dir, env=env, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(calls.read_text().splitlines()) == 2  # the cached file was used; vagrant was not asked again


def test_no_running_machine_says_vagrant_up(vagrant_dir, tmp_path, monkeypatch):
    install_standin(tmp_path / "bin", {"worker1": ("poweroff", ""), "worker2": ("not_created", "")})
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    with pytest.raises(UsageError) as err:
        VagrantCluster()
    assert "no Vagrant machine is running" in err.value.message
    assert "worker1: poweroff, worker2: not_created" in err.value.message
    assert "vagrant up" in err.value.hint


def test_a_machine_that_goes_down_between_status_and_ssh_config(vagrant_dir, tmp_path, monkeypatch, netns_cluster):
    machines = _machines(netns_cluster, netns_cluster.nodes[0].identityfile)
    install_standin(tmp_path / "bin", machines)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    # status says running, but ssh-config finds worker2 down: rewrite the answers after status
    data = tmp_path / "bin" / "machines.json"
    script = tmp_path / "bin" / "vagrant"
    down = {**machines, "worker2": ("running", "")}
    down_data = tmp_path / "bin" / "down.json"
    down_data.write_text(json.dumps({**down, "worker2": ("poweroff", "")}))
    script.write_text(script.read_text().replace(
        'if args[:1] == ["ssh-config"]:',
        f'if args[:1] == ["ssh-config"]:\n    machines = json.load(open({str(down_data)!r}))'))
    assert data.exists()
    with pytest.raises(UsageError) as err:
        VagrantCluster()
    assert "'vagrant ssh-config'" in err.value.message and "not yet ready for SSH" not in err.value.message
    assert "try again." in err.value.message
    assert "vagrant up worker1 worker2 worker3" in err.value.hint


def test_vagrant_missing_is_one_line_with_the_fix(vagrant_dir, monkeypatch, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(UsageError) as err:
        VagrantCluster()
    assert "cannot run vagrant" in err.value.message
    assert "install Vagrant" in err.value.hint and "--cluster-file" in err.value.hint
