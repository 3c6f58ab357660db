"""ZkClientService: writes znodes to a ZookeeperService from its own node, in the background.

Its node runs ``scripts/zk_writer.py`` (kazoo, from PyPI) for as long as the test wants;
each line the script prints is one write-and-read attempt, kept in ``attempts``.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
from typing import ClassVar

from ducktape.services.background_thread import BackgroundThreadService
from ducktape.utils.util import wait_until

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts", "zk_writer.py")


class ZkClientService(BackgroundThreadService):
    """One writer on one node; ``attempts`` grows while it runs."""

    ROOT = "/mnt/zk-client"
    SCRIPT_FILE = f"{ROOT}/zk_writer.py"
    PID_FILE = f"{ROOT}/zk_writer.pid"
    OUTPUT_FILE = f"{ROOT}/attempts.jsonl"
    STDERR_FILE = f"{ROOT}/zk_writer.stderr"
    logs: ClassVar[dict] = {"zk_client_attempts": {"path": OUTPUT_FILE, "collect_default": True},
            "zk_client_stderr": {"path": STDERR_FILE, "collect_default": True}}

    def __init__(self, context, zookeeper, znode: str = "/ducktape", python: str = sys.executable):
        super().__init__(context, num_nodes=1)
        self.zookeeper = zookeeper
        self.znode = znode
        # The local namespace cluster shares the driver's virtualenv (where kazoo is installed)
        # with every node; on other clusters pass the nodes' own Python that has kazoo.
        self.python = python
        self.attempts: list[dict] = []
        self._attempts_lock = threading.Lock()

    def start_node(self, node, **kwargs):
        """Check the node's Python has kazoo (say which package to install), then start the writer."""
        check = node.account.ssh_output(f"{self.python} -c 'import kazoo' 2>&1 || echo MISSING", allow_fail=True)
        if b"MISSING" in check:
            raise RuntimeError(f"the ZooKeeper example's client needs kazoo in {self.python} on "
                               f"{node.account.hostname}: pip install kazoo (or pip install '.[test]' in the "
                               f"ducktape checkout)")
        super().start_node(node, **kwargs)

    def _worker(self, idx, node):
        """Runs in a thread: start the writer and record each line it prints until it exits."""
        node.account.mkdirs(self.ROOT)
        node.account.copy_to(SCRIPT, self.SCRIPT_FILE)
        cmd = (f"{self.python} -u {self.SCRIPT_FILE} {self.zookeeper.connect_string()} {self.znode} "
               f"{self.PID_FILE} {self.OUTPUT_FILE} 2>>{self.STDERR_FILE}")
        # stdout only: kazoo logs its reconnects on stderr, which ssh_capture would mix in
        for line in node.account.ssh_capture(cmd, combine_stderr=False):
            with self._attempts_lock:
                self.attempts.append(json.loads(line))

    def stop_node(self, node, **kwargs):
        """Ask the writer to finish its current attempt and exit; wait for the thread."""
        pid = node.account.ssh_output(f"cat {self.PID_FILE} 2>/dev/null", allow_fail=True).decode().strip()
        if pid:
            node.account.signal(int(pid), signal.SIGTERM, allow_fail=True)
        assert self.wait_node(node, timeout_sec=30), "the writer did not stop"

    def clean_node(self, node, **kwargs):
        node.account.remove(self.ROOT, allow_fail=True)

    # -- what the test reads -----------------------------------------------------------------

    def acked(self, after: float = 0.0) -> list[dict]:
        """Attempts ZooKeeper acknowledged, started at or after time *after*."""
        with self._attempts_lock:
            return [a for a in self.attempts if a["ok"] and a["start"] >= after]

    def failed(self) -> list[dict]:
        with self._attempts_lock:
            return [a for a in self.attempts if not a["ok"]]

    def wait_for_acks(self, count: int, after: float = 0.0, timeout_sec: float = 60) -> dict:
        """Wait until *count* writes started after *after* were acknowledged; return the first.
        A writer that exited ends the wait at once, with the end of its stderr."""
        wait_until(lambda: len(self.acked(after)) >= count or not self._writing(), timeout_sec=timeout_sec,
                   backoff_sec=0.05, err_msg=lambda: f"fewer than {count} acknowledged writes after {after}; "
                                                     f"last attempts: {self.attempts[-3:]}")
        if len(self.acked(after)) < count:
            tail = self.nodes[0].account.ssh_output(f"tail -n 15 {self.STDERR_FILE}", allow_fail=True)
            raise RuntimeError(f"the ZooKeeper writer on {self.nodes[0].account.hostname} exited after "
                               f"{len(self.acked(after))} of {count} acknowledged writes; its stderr ends:\n"
                               f"{tail.decode(errors='replace').rstrip()}")
        return self.acked(after)[0]

    def _writing(self) -> bool:
        return any(thread.is_alive() for thread in self.worker_threads.values())

    def stored(self) -> set[int]:
        """The write numbers ZooKeeper holds now, read from the client's node."""
        node = self.nodes[0]
        out = node.account.ssh_output(f"{self.python} {self.SCRIPT_FILE} {self.zookeeper.connect_string()} "
                                      f"{self.znode} --list", combine_stderr=False)
        return set(json.loads(out.decode().strip().splitlines()[-1]))
