"""NodeGroup on real nodes: namespace nodes over SSH, local runners, an unreachable node."""
from __future__ import annotations

import threading

import pytest

from ducktape.cluster import JsonCluster
from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.cluster.command import NodeConnectionError, RemoteCommandError
from ducktape.cluster.linux_remoteaccount import LinuxRemoteAccount
from ducktape.cluster.local_account import LocalAccount
from ducktape.cluster.localhost import LocalhostCluster
from ducktape.cluster.node_group import NodeGroup, NodeGroupError
from ducktape.cluster.ssh_config import RemoteAccountSSHConfig
from tests.support.sshd import free_port


def test_one_command_on_every_namespace_node_one_outcome_each(netns_cluster):
    cluster = JsonCluster(cluster_file=str(netns_cluster.cluster_file))
    nodes = cluster.alloc(ClusterSpec.simple_linux(len(netns_cluster.nodes)))
    dead = LinuxRemoteAccount(RemoteAccountSSHConfig("dead", hostname="127.0.0.1", port=free_port()))
    try:
        loser = nodes[1].account.hostname
        result = NodeGroup([*nodes, dead]).run(f'hostname; [ "$(hostname)" != {loser} ] || exit 3',
                                               timeout_sec=30)
        assert len(result) == len(nodes) + 1
        for node, outcome in zip(nodes, result):  # member order, each node its own output
            assert outcome.member is node and outcome.name == str(node.account)
            assert outcome.value.stdout.decode().strip() == node.account.hostname
        assert [o.member for o in result.failed] == [nodes[1], dead]
        assert result.failed[0].value.exit_status == 3 and result.failed[0].error is None
        assert isinstance(result.failed[1].error, NodeConnectionError)  # kept, not raised
        assert [o.member for o in result.succeeded] == [nodes[0], *nodes[2:]]
        with pytest.raises(NodeGroupError) as raised:
            result.raise_if_failed()
        text = str(raised.value)
        assert f"{nodes[1].account}: exit status 3" in text and "dead: NodeConnectionError" in text
        strict = NodeGroup(nodes).run(f'[ "$(hostname)" != {loser} ] || exit 4', allow_fail=False)
        assert isinstance(strict[1].error, RemoteCommandError) and strict[0].ok
    finally:
        dead.close()
        cluster.free(nodes)


def test_members_run_at_the_same_time(tmp_path):
    """Each command waits until every member has started: run one after another, the first
    would give up after 20 s and fail."""
    nodes = LocalhostCluster(num_nodes=3).alloc(ClusterSpec.simple_linux(3))
    cmd = (f"touch {tmp_path}/$$; for i in $(seq 200); do "
           f"[ $(ls {tmp_path} | wc -l) -ge 3 ] && exit 0; sleep 0.1; done; exit 1")
    result = NodeGroup(nodes).run(cmd)
    assert result.ok and len(result.succeeded) == 3, result.failed
    assert NodeGroup([]).run("true").ok


def test_call_keeps_each_members_exception():
    runners = [_local(f"agent{i}") for i in range(3)]

    def step(account):
        if account.hostname == "agent1":
            raise ValueError("agent1 refuses")
        return account.ssh_output("echo $((6 * 7))").decode().strip()

    result = NodeGroup(runners).call(step)
    assert [o.value for o in result] == ["42", None, "42"]
    assert isinstance(result[1].error, ValueError) and not result.ok


def _local(name: str) -> LocalAccount:
    """This machine as a node named *name*, reached without SSH."""
    return LocalAccount(RemoteAccountSSHConfig(name, hostname="localhost"))


def test_a_local_account_needs_no_ssh_and_honours_hooks(tmp_path):
    runner = _local("agent")
    assert runner.hostname == "agent"
    runner.add_command_hook(lambda account, cmd: f"export AGENT_DIR={tmp_path}; " + cmd)
    assert runner.run("echo $AGENT_DIR").stdout.decode().strip() == str(tmp_path)
    assert list(runner.ssh_capture("echo a; echo b >&2")) == ["a\n", "b\n"]
    with pytest.raises(RemoteCommandError) as raised:
        runner.ssh("exit 5")
    assert raised.value.exit_status == 5 and raised.value.cmd.endswith("exit 5")


def test_each_takes_members_one_after_the_other_and_keeps_their_errors():
    running, seen = [], []

    def step(name):
        running.append(name)
        assert running == [name], running  # nobody else is running meanwhile
        seen.append(name)
        running.remove(name)
        if name == "b":
            raise ValueError("b refuses")
        return name.upper()

    result = NodeGroup(["a", "b", "c"]).each(step)
    assert seen == ["a", "b", "c"] and [o.value for o in result] == ["A", None, "C"]
    assert isinstance(result[1].error, ValueError) and [o.member for o in result.failed] == ["b"]


def test_each_lets_ctrl_c_through_unless_asked_to_keep_it():
    def step(name):
        if name == "a":
            raise KeyboardInterrupt
        return name

    with pytest.raises(KeyboardInterrupt):
        NodeGroup(["a", "b"]).each(step)
    kept = NodeGroup(["a", "b"]).each(step, catch=BaseException)
    assert isinstance(kept[0].error, KeyboardInterrupt) and kept[1].value == "b"


def test_call_runs_the_watch_while_members_are_still_running():
    """The member waits for an event only the watch sets: it can finish only if the calling
    thread runs the watch while it waits."""
    released = threading.Event()
    result = NodeGroup(["a"]).call(lambda m: released.wait(60), watch=released.set, watch_every=0.05)
    assert result[0].value is True
