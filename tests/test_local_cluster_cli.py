"""`ducktape-cluster` as a command: up/status/down, clusters side by side, crashes, refusals."""
from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from ducktape.cluster.local_cluster import lifecycle, network
from ducktape.cluster.local_cluster.names import ClusterNames
from ducktape.cluster.local_cluster.preflight import REQUIRED_TOOLS
from tests.support.netns import NetnsNode, ssh_argv

CLI = [sys.executable, "-m", "ducktape.cluster.local_cluster.cli"]


def cli(*args: str, env: dict | None = None, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, *CLI, *args], capture_output=True, text=True, timeout=120, env=env,
                          cwd=Path(__file__).resolve().parent.parent, check=False)


def leftovers(name: str) -> dict:
    """Everything cluster *name* could have left on the host."""
    names = ClusterNames(name)
    rules = subprocess.run(["iptables", "-S", "FORWARD"], capture_output=True, text=True, check=False).stdout
    return {
        "netns": network.cluster_netns(names),
        "links": network.cluster_links(names),
        "rules": [line for line in rules.splitlines() if names.firewall_comment in line],
        "state": names.state_dir.exists(),
        "mounts": [line for line in Path("/proc/self/mountinfo").read_text().splitlines()
                   if f"/{names.netns_prefix}" in line or str(names.state_dir) in line],
    }


NOTHING = {"netns": [], "links": [], "rules": [], "state": False, "mounts": []}


def hostname_over_ssh(entry: dict) -> str:
    ssh = entry["ssh_config"]
    node = NetnsNode(ssh["host"], ssh["hostname"], ssh["user"], ssh["port"], ssh["identityfile"])
    done = subprocess.run(ssh_argv(node, "hostname"), capture_output=True, text=True, timeout=30, check=False)
    return done.stdout.strip()


def test_up_status_down_beside_another_cluster(netns_cluster, tmp_path):
    name = f"pytest-{os.getpid()}-90"
    cluster_file = tmp_path / "cluster.json"
    try:
        done = cli("up", "--nodes", "2", "--name", name, "--cluster-file", str(cluster_file))
        assert done.returncode == 0, done.stderr
        doc = json.loads(cluster_file.read_text())
        assert [hostname_over_ssh(e) for e in doc["nodes"]] == [f"{name}-node1", f"{name}-node2"]

        listed = {c["name"]: c for c in json.loads(cli("status", "--json").stdout)}
        assert [n["alive"] for n in listed[name]["nodes"]] == [True, True]
        assert [n["alive"] for n in listed[netns_cluster.name]["nodes"]] == [True, True, True]
        assert listed[name]["subnet"] != listed[netns_cluster.name]["subnet"]
        assert listed[name]["bridge"] != listed[netns_cluster.name]["bridge"]
        assert f"{name}-node2" in cli("status").stdout

        removed = cli("down", "--cluster-file", str(cluster_file))
        assert removed.returncode == 0, removed.stderr
        assert leftovers(name) == NOTHING
        assert not cluster_file.exists()
        for again in (cli("down", "--name", name), cli("down", "--cluster-file", str(cluster_file))):
            assert again.returncode == 0 and "nothing to remove" in again.stdout, again.stderr
        # the neighbour is untouched
        first = netns_cluster.nodes[0]
        assert netns_cluster.ssh(first, "hostname").stdout.strip() == first.hostname
    finally:
        lifecycle.down(name)


def test_down_after_sigkill_and_a_torn_state_file_leaves_nothing(netns_cluster_factory):
    cluster = netns_cluster_factory(nodes=2)
    daemon = cluster.ssh(cluster.nodes[0], "nohup sleep 600 >/dev/null 2>&1 & echo started")
    assert daemon.stdout.strip() == "started"
    pids = [p for n in cluster.state.nodes for p in (n.holder_pid, n.init_pid)]
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    listed = [c for c in lifecycle.status() if c.name == cluster.name]
    assert [n.alive for n in listed[0].nodes] == [False, False], "status must show SIGKILLed nodes as dead"
    names = ClusterNames(cluster.name)
    names.state_file.write_text('{"name": "' + cluster.name[:4])  # as if written half-way

    report = lifecycle.down(cluster.name)
    assert report.existed
    assert leftovers(cluster.name) == NOTHING
    assert not [p for p in pids if Path(f"/proc/{p}/cmdline").exists() and Path(f"/proc/{p}/cmdline").read_bytes()]
    assert lifecycle.down(cluster.name).existed is False


def test_not_root_is_refused_with_the_command_to_run(tmp_path):
    """Run as an unprivileged user: in a user namespace of its own (no uid mapped) the process is
    uid "nobody" with no privilege on the host, yet still reads the checkout and its venv as their
    owner, so the test works wherever the checkout lives (a mode-0700 ``mktemp -d`` included),
    which switching to another uid (setpriv) does not."""
    nobody = Path("/proc/sys/kernel/overflowuid").read_text().strip()
    done = cli("up", "--nodes", "1", "--name", "never", "--cluster-file", str(tmp_path / "c.json"),
               prefix=("unshare", "--user"))
    assert done.returncode == 2, done.stderr
    message, hint = done.stderr.splitlines()
    assert message.startswith("ducktape-cluster: needs root") and f"uid {nobody}" in message
    command = "ducktape-cluster up --nodes 1 --name never --cluster-file " + str(tmp_path / "c.json")
    if sys.prefix == sys.base_prefix:
        assert hint == "hint: sudo " + command
    else:  # run from a virtualenv, as docs/quickstart.md does: plain sudo would not find the command
        assert hint == (f"hint: sudo -s, then . {shlex.quote(sys.prefix + '/bin/activate')} (plain sudo would not "
                        f"find the virtualenv's commands), then {command}"), hint
    assert leftovers("never") == NOTHING


def test_a_missing_tool_is_named_with_the_package_to_install(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in REQUIRED_TOOLS:
        if tool != "sshd":
            found = subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True, text=True, check=False).stdout.strip()
            (bin_dir / tool).symlink_to(found)
    done = cli("up", "--nodes", "1", "--name", "never", env={**os.environ, "PATH": str(bin_dir)})
    assert done.returncode == 2
    message, hint = done.stderr.splitlines()
    assert message.startswith("ducktape-cluster: missing tools: sshd ")
    assert hint == "hint: apt-get install -y openssh-server"
    assert leftovers("never") == NOTHING


def test_bad_input_quotes_what_was_typed():
    bad_name = cli("up", "--nodes", "1", "--name", "Bad_Name")
    assert bad_name.returncode == 2
    assert "invalid cluster name: 'Bad_Name'" in bad_name.stderr and "hint:" in bad_name.stderr
    too_many = cli("up", "--nodes", "0", "--name", "never")
    assert too_many.returncode == 2 and "invalid node count: 0" in too_many.stderr
    assert leftovers("never") == NOTHING


def test_up_refuses_a_name_in_use(netns_cluster, tmp_path):
    done = cli("up", "--nodes", "1", "--name", netns_cluster.name, "--cluster-file", str(tmp_path / "c.json"))
    assert done.returncode == 2
    assert f"a cluster named '{netns_cluster.name}' already exists" in done.stderr
    assert f"hint: ducktape-cluster down --name {netns_cluster.name}" in done.stderr
    assert not (tmp_path / "c.json").exists()
    assert netns_cluster.ssh(netns_cluster.nodes[0], "true").returncode == 0


def test_a_node_that_fails_to_start_rolls_the_whole_cluster_back(tmp_path):
    # not under /tmp: a node has its own /tmp and would not see the fake
    fake_bin = Path(tempfile.mkdtemp(prefix="ducktape-cluster-test-", dir="/var/tmp"))
    sshd = fake_bin / "sshd"
    sshd.write_text("#!/bin/sh\necho 'fake sshd: refusing to start' >&2\nexit 1\n")
    sshd.chmod(0o755)
    name = f"pytest-{os.getpid()}-91"
    cluster_file = tmp_path / "cluster.json"
    try:
        done = cli("up", "--nodes", "2", "--name", name, "--cluster-file", str(cluster_file),
                   env={**os.environ, "PATH": f"{fake_bin}:{os.environ['PATH']}"})
        assert done.returncode == 1
        assert done.stderr.startswith(f"ducktape-cluster: node {name}-node")
        assert "fake sshd: refusing to start" in done.stderr
        assert leftovers(name) == NOTHING
        assert not cluster_file.exists()
    finally:
        lifecycle.down(name)
        shutil.rmtree(fake_bin)


def test_share_binds_a_host_dir_under_the_private_tmp(tmp_path):
    # tmp_path lives under /tmp, which every node otherwise replaces with its own tmpfs
    shared = tmp_path / "code"
    shared.mkdir()
    (shared / "marker.txt").write_text("from the host\n")
    (tmp_path / "private.txt").write_text("host only\n")
    name = f"pytest-{os.getpid()}-91"
    cluster_file = tmp_path / "cluster.json"
    try:
        done = cli("up", "--nodes", "1", "--name", name, "--cluster-file", str(cluster_file), "--share", str(shared))
        assert done.returncode == 0, done.stderr
        ssh = json.loads(cluster_file.read_text())["nodes"][0]["ssh_config"]
        node = NetnsNode(ssh["host"], ssh["hostname"], ssh["user"], ssh["port"], ssh["identityfile"])
        seen = subprocess.run(ssh_argv(node, f"cat {shared}/marker.txt; ls {tmp_path}"), capture_output=True,
                              text=True, timeout=30, check=False)
        assert seen.stdout.splitlines() == ["from the host", "code"], seen.stderr
    finally:
        lifecycle.down(name)
    assert leftovers(name) == NOTHING


def test_share_must_be_an_existing_directory(tmp_path):
    done = cli("up", "--nodes", "1", "--name", "never", "--share", str(tmp_path / "missing"))
    assert done.returncode == 2
    assert "--share is not a directory" in done.stderr and "hint:" in done.stderr
    assert leftovers("never") == NOTHING
