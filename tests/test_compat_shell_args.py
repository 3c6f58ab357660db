"""Account arguments reach the node's shell as upstream 0.17.0 hands them over: quotes,
globs, ``~`` and ``$VAR`` are the shell's. And a command killed by a signal exits -1 on
every transport, as upstream's does over SSH.

Each probe runs under upstream's Python and ours against the same namespace node; the
printed results must be equal, and equal to what the shell semantics say they are.
"""
from __future__ import annotations

import sys

import pytest

from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.cluster.localhost import LocalhostCluster
from tests.test_compat_probes import UPSTREAM_PYTHON, run_probes

# probe -> the result both sides must print
SHELL_PROBES = {
    # a quoted multi-word pattern is one grep argument once the shell strips the quotes
    ('(account.ssh("nohup sleep 4711 >/dev/null 2>&1 &"), account.kill_process(\'"sleep 4711"\'), '
     'account.ssh("sleep 0.3; pgrep -f \'sleep 4711\'", allow_fail=True))[2]'): "1",
    # the glob is the shell's: the files go, the directory stays
    ('(account.ssh("mkdir -p /tmp/dt-glob && touch /tmp/dt-glob/a /tmp/dt-glob/b"), '
     'account.remove("/tmp/dt-glob/*"), account.ssh_output("ls -A /tmp/dt-glob"), '
     'account.remove("/tmp/dt-glob"))[2]'): "b''",
    # ~ is the home directory, not a directory named "~"
    ('(account.mkdirs("~/dt-tilde/a"), account.isdir(account.ssh_output("echo ~").decode().strip() + "/dt-tilde/a"), '
     'account.exists("~"), account.remove("~/dt-tilde"))[1:3]'): "(True, False)",
    # $VAR expands
    ('(account.mkdirs("$HOME/dt-var"), account.ssh("test -d ~/dt-var", allow_fail=True), '
     'account.remove("${HOME}/dt-var"), account.ssh("test -e ~/dt-var", allow_fail=True))[1::2]'): "(0, 1)",
    # the monitored log's path is expanded too
    ('(account.ssh("echo one > ~/dt-mon.log"), '
     '(lambda m: (account.ssh("echo two >> ~/dt-mon.log"), m.wait_until("two", timeout_sec=5, backoff_sec=0.1), '
     'm.offset)[2])(account.monitor_log("~/dt-mon.log").__enter__()), account.remove("~/dt-mon.log"))[1]'): "4",
    'account.signal("$(echo 0)", 0)': "None",
}
KILLED_PROBES = {
    'account.ssh("true")': "0",  # the first command warms the node's shell
    'account.ssh("kill -9 $$", allow_fail=True)': "-1",  # the command's own shell dies
    'account.ssh("echo after")': "0",
    'account.ssh("sh -c \'kill -9 $$\'", allow_fail=True)': "-1",
    'account.ssh("sh -c \'kill -TERM $$\'", allow_fail=True)': "-1",
    'account.ssh("exit 3", allow_fail=True)': "3",
}


@pytest.fixture(scope="module")
def both_sides(netns_cluster) -> dict[str, dict[str, str]]:
    probes = list(SHELL_PROBES) + list(KILLED_PROBES)
    sides = {"upstream": UPSTREAM_PYTHON, "ours": sys.executable}
    results = {side: run_probes(python, netns_cluster.cluster_file, probes) for side, python in sides.items()}
    return {probe: {side: results[side][i] for side in sides} for i, probe in enumerate(probes)}


@pytest.mark.parametrize("probe", list(SHELL_PROBES))
def test_arguments_get_shell_semantics_as_upstream(both_sides, probe):
    assert both_sides[probe] == {"upstream": SHELL_PROBES[probe], "ours": SHELL_PROBES[probe]}


@pytest.mark.parametrize("probe", list(KILLED_PROBES))
def test_killed_command_exits_as_upstream_over_ssh(both_sides, probe):
    assert both_sides[probe] == {"upstream": KILLED_PROBES[probe], "ours": KILLED_PROBES[probe]}


@pytest.mark.parametrize("probe", list(KILLED_PROBES))
def test_killed_command_exits_the_same_on_localhost(probe):
    account = LocalhostCluster().alloc(ClusterSpec.simple_linux(1))[0].account  # noqa: F841 - used by eval
    assert repr(eval(probe)) == KILLED_PROBES[probe]
