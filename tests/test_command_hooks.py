"""Command hooks on accounts, node listeners on services, listeners on the registry.

Every test runs on real nodes twice (service_nodes.ctx): LocalhostCluster nodes
(subprocesses) and aliases of the loopback sshd (real SSH).
"""
from __future__ import annotations

import pytest

from ducktape.cluster.account import PrefixHook, export_prefix
from ducktape.cluster.command import RemoteCommandError
from ducktape.jvm_logging import JVMLogger
from ducktape.services.service import NodeListener, Service
from ducktape.services.service_registry import ServiceRegistry
from tests.support import service_nodes

ctx = service_nodes.ctx

SHOW = "echo x${JDK_JAVA_OPTIONS:-}x"


def _every_verb(account, cmd: str) -> dict[str, str]:
    """What *cmd* prints through each way an account runs a command (ssh through its exit status)."""
    return {
        "run": account.run(cmd).stdout.decode(),
        "ssh_output": account.ssh_output(cmd).decode(),
        "ssh_capture": "".join(account.ssh_capture(cmd)),
        "ssh": str(account.ssh(f"test -n \"$({cmd} | tr -d x)\"", allow_fail=True)),
    }


def test_jvm_logging_reaches_every_verb_and_is_removed_after_clean(ctx, tmp_path):
    log_dir = str(tmp_path / "jvm")
    svc = Service(ctx, num_nodes=1)
    JVMLogger(log_dir).enable_for_service(svc)
    account = svc.nodes[0].account
    svc.start()
    seen = _every_verb(account, SHOW)
    for verb in ("run", "ssh_output", "ssh_capture"):
        assert f"-Xlog:gc*:file={log_dir}/gc.log" in seen[verb], verb
    assert seen["ssh"] == "0"  # the options were there for ssh() too
    svc.clean()
    assert _every_verb(account, SHOW) == {"run": "xx\n", "ssh_output": "xx\n", "ssh_capture": "xx\n", "ssh": "1"}


def test_a_direct_start_node_call_is_seen_once_and_free_removes_the_hook(ctx, tmp_path):
    class Recorder(NodeListener):
        def __init__(self):
            self.events = []

        def starting_node(self, service, node):
            self.events.append("start")

        def cleaned_node(self, service, node):
            self.events.append("clean")

        def freeing_node(self, service, node):
            self.events.append("free")

    class Child(Service):
        def start_node(self, node, **kwargs):
            super().start_node(node, **kwargs)  # the base step: no second notification

    svc = Child(ctx, num_nodes=1)
    recorder = Recorder()
    svc.add_node_listener(recorder)
    logger = JVMLogger(str(tmp_path / "jvm"))
    logger.enable_for_service(svc)
    node = svc.nodes[0]
    svc.start_node(node)  # called by a test, not through start()
    assert "-Xlog:gc" in node.account.run(SHOW).stdout.decode()
    svc.free()
    assert recorder.events == ["start", "free"]
    assert node.account.run(SHOW).stdout.decode() == "xx\n"


class _Events(NodeListener):
    def __init__(self):
        self.events = []

    def starting_node(self, service, node):
        self.events.append(("start", node.account.hostname))

    def cleaned_node(self, service, node):
        self.events.append(("clean", node.account.hostname))

    def freeing_node(self, service, node):
        self.events.append(("free", node.account.hostname))


def test_direct_node_steps_of_a_grandchild_service_tell_listeners_once_each(ctx):
    class Base(Service):
        def start_node(self, node, **kwargs):
            node.account.ssh("true")

        def clean_node(self, node, **kwargs):
            raise RuntimeError("clean failed")

    class Middle(Base):
        def start_node(self, node, **kwargs):
            super().start_node(node, **kwargs)  # Base's step runs inside this one: told once
            Base.start_node(self, node)  # so does an explicit base call

    class Leaf(Middle):  # defines neither step: Middle's and Base's are the ones called
        pass

    svc = Leaf(ctx, num_nodes=1)
    listener = _Events()
    svc.add_node_listener(listener)
    assert "__getattribute__" not in vars(Service)  # no attribute read is intercepted
    node = svc.nodes[0]
    host = node.account.hostname
    svc.start_node(node)
    with pytest.raises(RuntimeError, match="clean failed"):
        svc.clean_node(node)
    assert listener.events == [("start", host), ("clean", host)]  # told even when the clean failed
    svc.start_node(node)  # a second direct call is a second step
    svc.free()
    assert listener.events == [("start", host), ("clean", host), ("start", host), ("free", host)]


def test_shown_hooks_appear_in_errors_hidden_ones_only_reach_the_shell(ctx):
    svc = Service(ctx, num_nodes=1)
    account = svc.nodes[0].account
    shown = PrefixHook("SHOWN=1; ")
    hidden = PrefixHook(export_prefix({"HIDDEN": "a b'c"}))
    account.add_command_hook(shown)
    account.add_command_hook(hidden, shown=False)
    account.add_command_hook(shown)  # twice is once
    try:
        assert account.ssh_output("echo \"$SHOWN:$HIDDEN\"").decode() == "1:a b'c\n"
        with pytest.raises(RemoteCommandError) as raised:
            account.ssh("exit 3")
        assert raised.value.cmd == "SHOWN=1; exit 3"
        assert "HIDDEN" not in str(raised.value)
    finally:
        account.remove_command_hook(shown)
        account.remove_command_hook(hidden)
        account.remove_command_hook(hidden)  # harmless when absent
    assert account.ssh_output("echo \"${SHOWN:-}:${HIDDEN:-}\"").decode() == ":\n"
    svc.free()


def test_registry_listeners_see_each_service_in_order():
    seen = []
    registry = ServiceRegistry()
    registry.add_listener(lambda s: seen.append(("first", s, s in registry)))
    registry.add_listener(lambda s: seen.append(("second", s, s in registry)))
    service = object.__new__(Service)
    service.nodes = []
    registry.append(service)
    assert seen == [("first", service, False), ("second", service, False)]
    assert list(registry) == [service]
