"""Service lifecycle on real nodes: a loopback sshd, real processes started with node.account."""
from __future__ import annotations

import logging
import os
import uuid
from typing import ClassVar

import pytest

from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.errors import TimeoutError
from ducktape.services.service import (
    MultiRunServiceIdFactory,
    Service,
    ServiceNodeErrors,
)
from tests.support import service_nodes

ctx = service_nodes.ctx  # the fixture: a TestContext on three real nodes


class SleepService(Service):
    """Runs one `sleep` per node; pid and a state file per node in a scratch dir on the node."""

    logs: ClassVar[dict] = {"sleep_log": {"path": "/tmp/unused.log", "collect_default": True}}

    def __init__(self, context, num_nodes=2, **kwargs):
        super().__init__(context, num_nodes=num_nodes, **kwargs)
        self.state_dir = f"/tmp/ducktape-svc-{uuid.uuid4().hex}"
        self.pids: dict[int, int] = {}
        self.start_kwargs: list[dict] = []

    def state_file(self, node):
        return f"{self.state_dir}/node{self.idx(node)}"

    def start_node(self, node, **kwargs):
        self.start_kwargs.append(kwargs)
        node.account.ssh(f"mkdir -p {self.state_dir} && touch {self.state_file(node)}")
        out = node.account.ssh_output("nohup sleep 60 >/dev/null 2>&1 & echo $!")
        self.pids[self.idx(node)] = int(out)

    def alive(self, node):
        pid = self.pids.get(self.idx(node))
        return pid is not None and node.account.alive(pid)

    def stop_node(self, node, **kwargs):
        pid = self.pids.pop(self.idx(node), None)
        if pid is not None:
            node.account.signal(pid, 9)

    def clean_node(self, node, **kwargs):
        node.account.ssh(f"rm -rf {self.state_file(node)}")

    def wait_node(self, node, timeout_sec=None):
        return not self.alive(node)


def test_lifecycle_with_real_processes(ctx):
    svc = SleepService(ctx)
    assert svc in ctx.services and list(ctx.services) == [svc]
    assert ctx.cluster.num_available_nodes() == 1 and svc.num_nodes == 2 and svc.allocated
    assert all(node.account.logger is ctx.logger for node in svc.nodes)
    svc.start(clean=True, flavour="x")
    assert svc.start_kwargs == [{"clean": True, "flavour": "x"}] * 2
    pids = dict(svc.pids)
    assert len(pids) == 2 and all(svc.alive(node) for node in svc.nodes)
    assert all(os.path.exists(f"/proc/{pid}") for pid in pids.values())  # the nodes are this host
    svc.stop()
    assert not any(svc.alive(node) for node in svc.nodes) and svc.pids == {}
    svc.wait(timeout_sec=5)  # every node reports finished
    assert all(node.account.exists(svc.state_file(node)) for node in svc.nodes)
    svc.clean()
    assert not any(node.account.exists(svc.state_file(node)) for node in svc.nodes)
    lifecycle = svc.to_json()["lifecycle"]
    assert lifecycle["start_time"] > 0 and lifecycle["stop_time"] >= lifecycle["start_time"]
    assert lifecycle["clean_time"] >= lifecycle["stop_time"]
    svc.nodes[0].account.ssh(f"rmdir {svc.state_dir}")
    freed = list(svc.nodes)
    svc.free()
    assert svc.nodes == [] and ctx.cluster.num_available_nodes() == 3
    assert all(node.account._logger is None for node in freed)


def test_remote_commands_are_logged_to_the_test_log(ctx):
    svc = SleepService(ctx, num_nodes=1)
    svc.nodes[0].account.ssh("true")
    svc.free()
    assert any("true" in line for line in ctx.log_lines.messages)


def test_free_names_each_node_it_frees(ctx):
    svc = SleepService(ctx, num_nodes=2)
    who = [svc.who_am_i(node) for node in svc.nodes]
    svc.free()
    freeing = [m for m in ctx.log_lines.messages if m.endswith("freeing node")]
    assert freeing == [f"{who[1]}: freeing node", f"{who[0]}: freeing node"]
    assert not any("node -1" in m for m in freeing)


def test_identity(ctx):
    first, second = SleepService(ctx, num_nodes=1), SleepService(ctx, num_nodes=1)
    assert first.service_id == f"SleepService-0-{id(first)}"
    assert second.service_id == f"SleepService-1-{id(second)}"
    node = second.nodes[0]
    assert second.who_am_i(node) == f"{second.service_id} node 1 on {node.account.hostname}"
    assert second.idx(node) == 1 and second.get_node(1) is node and first.idx(node) == -1
    second.service_id_factory = MultiRunServiceIdFactory(3)
    assert second.service_id == f"3-SleepService-1-{id(second)}"
    d = first.to_json()
    assert (d["cls_name"], d["module_name"], d["service_id"]) == ("SleepService", __name__, first.service_id)
    assert d["nodes"] == [str(first.nodes[0].account)]
    assert set(d["lifecycle"]) == {"init_time", "start_time", "start_duration_seconds", "stop_time",
                                   "stop_duration_seconds", "clean_time"}
    assert d["lifecycle"]["start_time"] == -1


def test_spec_arguments_are_checked(ctx):
    with pytest.raises(RuntimeError, match="either num_nodes or cluster_spec"):
        Service(ctx)
    with pytest.raises(RuntimeError, match="only one of"):
        Service(ctx, num_nodes=1, cluster_spec=ClusterSpec.simple_linux(1))
    svc = Service(ctx, cluster_spec=ClusterSpec.simple_linux(2))
    assert svc.num_nodes == 2


def test_allocation_failure_raises_from_the_constructor(ctx):
    with pytest.raises(Exception, match="linux"):
        Service(ctx, num_nodes=4)
    assert list(ctx.services) == []


def test_skip_nodes_allocation(ctx):
    svc = Service(ctx, num_nodes=2, skip_nodes_allocation=True)
    assert svc.nodes == [] and svc in ctx.services and ctx.cluster.num_available_nodes() == 3
    svc.allocate_nodes()
    assert svc.num_nodes == 2 and svc.to_json()["nodes"] == [str(n.account) for n in svc.nodes]


def test_a_node_still_owned_by_another_service_is_refused(ctx):
    ctx.cluster.nodes[0].account.logger = logging.getLogger("someone-else")
    ctx.cluster.nodes[1].account.logger = logging.getLogger("someone-else")
    ctx.cluster.nodes[2].account.logger = logging.getLogger("someone-else")
    with pytest.raises(RuntimeError, match="another service still owns the node"):
        Service(ctx, num_nodes=1)


def test_extra_kwargs_reach_a_cooperative_mixin(ctx):
    class Flavoured:
        def __init__(self, *args, flavour=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.flavour = flavour

    class FlavouredService(Service, Flavoured):
        pass

    assert FlavouredService(ctx, num_nodes=1, flavour="vanilla").flavour == "vanilla"


def test_base_wait_times_out_naming_the_nodes(ctx):
    svc = Service(ctx, num_nodes=2)
    with pytest.raises(TimeoutError, match="still alive") as err:
        svc.wait(timeout_sec=0.01)
    assert svc.who_am_i(svc.nodes[0]) in str(err.value) and svc.who_am_i(svc.nodes[1]) in str(err.value)


def test_stop_tries_every_node_and_reports_every_failure(ctx):
    class Fragile(Service):
        def __init__(self, context, broken):
            super().__init__(context, num_nodes=3)
            self.broken, self.stopped = broken, []

        def stop_node(self, node, **kwargs):
            if self.idx(node) in self.broken:
                node.account.ssh(f"exit {10 + self.idx(node)}")
            self.stopped.append(self.idx(node))

    one = Fragile(ctx, broken={1})
    with pytest.raises(Exception, match="exit status 11") as err:
        one.stop()
    assert type(err.value).__name__ == "RemoteCommandError" and one.stopped == [2, 3]
    one.free()
    two = Fragile(ctx, broken={1, 3})
    with pytest.raises(ServiceNodeErrors) as err:
        two.stop()
    assert two.stopped == [2] and len(err.value.failures) == 2
    assert err.value.__cause__ is err.value.failures[0][1]  # every node tried, the first error the cause
    assert "exit status 11" in str(err.value) and "exit status 13" in str(err.value)


def test_run_parallel_starts_all_before_waiting(ctx):
    order = []

    class Recorder(Service):
        def start_node(self, node, **kwargs):
            self.running = True
            order.append(("start", self.service_id))

        def wait_node(self, node, timeout_sec=None):
            order.append(("wait", self.service_id))
            return True

        def stop_node(self, node, **kwargs):
            if getattr(self, "running", False):  # start() also stops each node before starting it
                self.running = False
                order.append(("stop", self.service_id))

    a, b = Recorder(ctx, num_nodes=1), Recorder(ctx, num_nodes=1)
    Service.run_parallel(a, b)
    assert [step for step, _ in order] == ["start", "start", "wait", "wait", "stop", "stop"]
    order.clear()
    a.run()
    assert order == [("start", a.service_id), ("wait", a.service_id), ("stop", a.service_id)]


def test_local_scratch_dir_is_removed_by_close(ctx):
    svc = Service(ctx, num_nodes=1)
    path = svc.local_scratch_dir
    assert os.path.isdir(path)
    svc.close()
    assert not os.path.exists(path)
