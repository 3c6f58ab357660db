"""JVM log collection for ``--enable-jvm-logs``.

Every service registered while the flag is on gets three log entries (GC log,
JVM log, heap dump), a start_node that creates the log directory on the node and
makes the node's commands carry ``JDK_JAVA_OPTIONS``, and a clean_node that
removes the directory and restores the account. Differences from upstream, on
purpose: the options are set with ``export …;`` rather than ``env … cmd`` so
commands starting with a shell builtin (``export``, ``cd``) still work; JVM
warnings stay on the console (no ``-Xlog:disable``); the service's ``logs`` is
copied before it is extended, so the class attribute shared by other services is
never changed.
"""
from __future__ import annotations

import os
import types


class JVMLogger:
    """Adds JVM logging to services; *log_dir* is the directory on each node."""

    def __init__(self, log_dir: str = "/mnt/jvm_logs"):
        self.log_dir = log_dir

    def jvm_log_entries(self) -> dict[str, dict]:
        """The ``logs`` entries a JVM-logging service gains."""
        return {
            "jvm_gc_log": {"path": os.path.join(self.log_dir, "gc.log"), "collect_default": True},
            "jvm_stdout_stderr": {"path": os.path.join(self.log_dir, "jvm.log"), "collect_default": True},
            "jvm_heap_dump": {"path": os.path.join(self.log_dir, "heap_dump.hprof"), "collect_default": False},
        }

    def enable_for_service(self, service) -> None:
        """Give *service* the JVM log entries, helpers and wrapped start_node/clean_node."""
        service.logs = {**(getattr(service, "logs", None) or {}), **self.jvm_log_entries()}
        service.JVM_LOG_DIR = self.log_dir
        service.jvm_options = lambda node: self._get_jvm_options()
        service.setup_jvm_logging = lambda node: self._setup_on_node(node)
        service.clean_jvm_logs = lambda node: self._cleanup_on_node(node)
        original_start_node = service.start_node
        original_clean_node = service.clean_node
        jvm_logger = self

        def start_node(self, node, *args, **kwargs):
            jvm_logger._setup_on_node(node)
            jvm_logger.wrap_account(node.account)
            return original_start_node(node, *args, **kwargs)

        def clean_node(self, node, *args, **kwargs):
            try:
                return original_clean_node(node, *args, **kwargs)
            finally:
                jvm_logger._cleanup_on_node(node)
                jvm_logger.unwrap_account(node.account)

        service.start_node = types.MethodType(start_node, service)
        service.clean_node = types.MethodType(clean_node, service)

    def command_prefix(self) -> str:
        """Shell text put before each command; works before builtins like export and cd."""
        return f'export JDK_JAVA_OPTIONS="${{JDK_JAVA_OPTIONS:-}} {self._get_jvm_options()}"; '

    def wrap_account(self, account) -> None:
        """Make the account's ssh, ssh_capture and ssh_output run commands with the JVM options."""
        if getattr(account, "_ducktape_restore_ssh", None) is not None:
            return
        prefix = self.command_prefix()
        names = ("ssh", "ssh_capture", "ssh_output")
        saved = {name: account.__dict__.get(name, _CLASS_METHOD) for name in names}
        for name in names:
            setattr(account, name, _prefixed(getattr(account, name), prefix))

        def restore():
            for name, value in saved.items():
                if value is _CLASS_METHOD:
                    account.__dict__.pop(name, None)
                else:
                    setattr(account, name, value)
            account.__dict__.pop("_ducktape_restore_ssh", None)

        account._ducktape_restore_ssh = restore

    @staticmethod
    def unwrap_account(account) -> None:
        """Undo wrap_account; harmless when the account is not wrapped."""
        restore = getattr(account, "_ducktape_restore_ssh", None)
        if restore is not None:
            restore()

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


_CLASS_METHOD = object()  # marks a method the account did not override on the instance


def _prefixed(original, prefix: str):
    """Wrap one account method so its command (first argument) gets *prefix*."""

    def run(cmd, *args, **kwargs):
        return original(prefix + cmd, *args, **kwargs)

    run.__name__ = getattr(original, "__name__", "run")
    return run
