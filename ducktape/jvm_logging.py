"""JVM log collection for ``--enable-jvm-logs``.

Every service registered while the flag is on gets three log entries (GC log,
JVM log, heap dump) and this logger as a node listener: before each start_node it
creates the log directory on the node and gives the node's account a command hook
that makes every command carry ``JDK_JAVA_OPTIONS`` (whichever verb runs it: run,
ssh, ssh_output, ssh_capture); after each clean_node, and when the node is freed,
the directory goes and the hook is removed. Differences from upstream, on purpose:
the options are set with ``export …;`` rather than ``env … cmd`` so commands
starting with a shell builtin (``export``, ``cd``) still work; JVM warnings stay on
the console (no ``-Xlog:disable``); the service's ``logs`` is copied before it is
extended, so the class attribute shared by other services is never changed.
"""
from __future__ import annotations

import os

from ducktape.cluster.account import PrefixHook
from ducktape.services.service import NodeListener


class JVMLogger(NodeListener):
    """Adds JVM logging to services; *log_dir* is the directory on each node."""

    def __init__(self, log_dir: str = "/mnt/jvm_logs"):
        self.log_dir = log_dir
        self.command_hook = PrefixHook(self.command_prefix())

    def jvm_log_entries(self) -> dict[str, dict]:
        """The ``logs`` entries a JVM-logging service gains."""
        return {
            "jvm_gc_log": {"path": os.path.join(self.log_dir, "gc.log"), "collect_default": True},
            "jvm_stdout_stderr": {"path": os.path.join(self.log_dir, "jvm.log"), "collect_default": True},
            "jvm_heap_dump": {"path": os.path.join(self.log_dir, "heap_dump.hprof"), "collect_default": False},
        }

    def enable_for_service(self, service) -> None:
        """Give *service* the JVM log entries and helpers, and listen to its node steps."""
        service.logs = {**(getattr(service, "logs", None) or {}), **self.jvm_log_entries()}
        service.JVM_LOG_DIR = self.log_dir
        service.jvm_options = lambda node: self._get_jvm_options()
        service.setup_jvm_logging = lambda node: self._setup_on_node(node)
        service.clean_jvm_logs = lambda node: self._cleanup_on_node(node)
        service.add_node_listener(self)

    def command_prefix(self) -> str:
        """Shell text put before each command; works before builtins like export and cd."""
        return f'export JDK_JAVA_OPTIONS="${{JDK_JAVA_OPTIONS:-}} {self._get_jvm_options()}"; '

    def wrap_account(self, account) -> None:
        """Make every command the account runs carry the JVM options."""
        account.add_command_hook(self.command_hook)

    def unwrap_account(self, account) -> None:
        """Undo wrap_account; harmless when the account is not wrapped."""
        account.remove_command_hook(self.command_hook)

    # node listener ---------------------------------------------------------------------
    def starting_node(self, service, node) -> None:
        self._setup_on_node(node)
        self.wrap_account(node.account)

    def cleaned_node(self, service, node) -> None:
        self._cleanup_on_node(node)
        self.unwrap_account(node.account)

    def freeing_node(self, service, node) -> None:
        self.unwrap_account(node.account)

    def _get_jvm_options(self) -> str:
        gc_log = os.path.join(self.log_dir, "gc.log")
        jvm_log = os.path.join(self.log_dir, "jvm.log")
        decorations = "time,uptime,level,tags"
        return " ".join([
            f"-Xlog:gc*:file={gc_log}:{decorations}",
            "-XX:+HeapDumpOnOutOfMemoryError",
            f"-XX:HeapDumpPath={os.path.join(self.log_dir, 'heap_dump.hprof')}",
            f"-Xlog:safepoint=info:file={jvm_log}:{decorations}",
            f"-Xlog:class+load=info:file={jvm_log}:{decorations}",
            f"-XX:ErrorFile={os.path.join(self.log_dir, 'hs_err_pid%p.log')}",
            "-XX:NativeMemoryTracking=summary",
            f"-Xlog:jit+compilation=info:file={jvm_log}:{decorations}",
        ])

    def _setup_on_node(self, node) -> None:
        node.account.ssh(f"mkdir -p {self.log_dir} && chmod 755 {self.log_dir}")

    def _cleanup_on_node(self, node) -> None:
        node.account.ssh(f"rm -rf {self.log_dir}", allow_fail=True)
