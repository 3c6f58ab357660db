"""Systests of the remote account: every operation a service uses, on real nodes over SSH.

Run them on real nodes, e.g. the local namespace cluster:
    ducktape-cluster up --nodes 3 && ducktape systests/account --cluster-file .ducktape/cluster.json
"""
from __future__ import annotations

import signal
from pathlib import Path

from ducktape.cluster.remoteaccount import RemoteCommandError
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test
from ducktape.utils.util import wait_until

ROOT = "/tmp/ducktape-account-systest"


class AccountSystest(Test):
    """RemoteAccount, end to end, against the sshd of real nodes."""

    def setUp(self):
        for node in self.test_context.cluster.nodes:
            node.account.remove(ROOT, allow_fail=True)
            node.account.mkdirs(ROOT)

    def tearDown(self):
        for node in self.test_context.cluster.nodes:
            node.account.remove(ROOT, allow_fail=True)

    @cluster(num_nodes=1)
    def test_commands(self):
        """ssh, ssh_output, ssh_capture: exit statuses, output, stderr, streaming."""
        account = self.test_context.cluster.nodes[0].account
        assert account.ssh_output("hostname").decode().strip() == account.hostname
        assert account.ssh("exit 3", allow_fail=True) == 3
        try:
            account.ssh("echo boom >&2; exit 4")
            raise AssertionError("a failing command must raise")
        except RemoteCommandError as err:
            assert err.exit_status == 4 and b"boom" in err.msg
        assert account.ssh_output("echo out; echo err >&2", combine_stderr=False) == b"out\n"
        assert sorted(account.ssh_output("echo out; echo err >&2").split()) == [b"err", b"out"]
        lines = list(account.ssh_capture("for i in 1 2 3; do echo line$i; done"))
        assert lines == ["line1\n", "line2\n", "line3\n"]
        doubled = list(account.ssh_capture("seq 3", callback=lambda line: 2 * int(line)))
        assert doubled == [2, 4, 6]
        return {"hostname": account.hostname}

    @cluster(num_nodes=2)
    def test_files(self):
        """create_file, open, mkdir(s), exists/isfile/isdir/islink, copy_to/from/between, remove."""
        src_node, dst_node = self.test_context.cluster.nodes
        src, dst = src_node.account, dst_node.account
        src.create_file(f"{ROOT}/a.txt", "alpha\n")
        with src.open(f"{ROOT}/a.txt") as handle:
            assert handle.read() == b"alpha\n"
        src.mkdir(f"{ROOT}/one")
        src.mkdirs(f"{ROOT}/two/three")
        src.ssh(f"ln -s {ROOT}/a.txt {ROOT}/link")
        assert src.isfile(f"{ROOT}/a.txt") and not src.isdir(f"{ROOT}/a.txt")
        assert src.isdir(f"{ROOT}/two/three") and src.islink(f"{ROOT}/link") and src.isfile(f"{ROOT}/link")
        assert not src.exists(f"{ROOT}/missing")

        local = Path(self.test_context.local_scratch_dir)
        (local / "tree" / "sub").mkdir(parents=True)
        (local / "tree" / "sub" / "b.txt").write_text("beta\n")
        src.copy_to(str(local / "tree"), f"{ROOT}/tree")
        assert src.ssh_output(f"cat {ROOT}/tree/sub/b.txt") == b"beta\n"
        src.copy_from(f"{ROOT}/a.txt", str(local / "a.txt"))
        assert (local / "a.txt").read_text() == "alpha\n"
        src.copy_between(f"{ROOT}/tree", f"{ROOT}/copied", dst_node)   # a node, not an account
        assert dst.ssh_output(f"cat {ROOT}/copied/sub/b.txt") == b"beta\n"
        assert not src.exists(f"{ROOT}/copied"), "/tmp is private to each node"

        src.remove(f"{ROOT}/tree")
        assert not src.exists(f"{ROOT}/tree")
        src.remove(f"{ROOT}/tree", allow_fail=True)   # already gone: fine with allow_fail

    @cluster(num_nodes=1)
    def test_processes_and_logs(self):
        """monitor_log, alive, signal (a number) and kill_process on real processes."""
        account = self.test_context.cluster.nodes[0].account
        log = f"{ROOT}/app.log"
        account.ssh(f"echo old line > {log}")
        with account.monitor_log(log) as monitor:
            assert not monitor.found("old line"), "the monitor starts at the end of the log"
            account.ssh(f"nohup sh -c 'sleep 0.3; echo ready; exec sleep 600' >> {log} 2>&1 & echo $! > {ROOT}/pid")
            monitor.wait_until("ready", timeout_sec=30, err_msg="the process never logged ready")
        pid = int(account.ssh_output(f"cat {ROOT}/pid"))
        assert account.alive(pid)
        account.signal(pid, signal.SIGSTOP)
        assert account.ssh_output(f"ps -o stat= -p {pid}").decode().startswith("T")
        account.signal(pid, signal.SIGKILL)
        wait_until(lambda: not account.alive(pid), timeout_sec=10, err_msg=f"{pid} survived SIGKILL")

        account.ssh("nohup sleep 601 > /dev/null 2>&1 &")
        account.kill_process("sleep 601", clean_shutdown=False)
        wait_until(lambda: account.ssh("pgrep -f 'slee[p] 601'", allow_fail=True) != 0, timeout_sec=10,
                   err_msg="kill_process left its process")
