"""What every account offers, whatever carries the commands (SSH or a local subprocess).

The base owns the run contract once: allow_fail, timeouts, logging, errors and the
three views ``ssh`` (exit status), ``ssh_output`` (bytes) and ``ssh_capture``
(streaming lines) over one ``run()`` that returns a CommandResult. Command hooks
(``add_command_hook``) rewrite every command on its way in, whichever verb ran it:
that is how JVM logging adds its options and RemoteAccount exports the process tag,
without anyone replacing the account's methods. It also builds
the shell commands of the process and file helpers (arguments unquoted, as upstream:
the node's shell expands them). Subclasses
supply the primitives: ``_execute``, ``_stream`` and the file operations.
"""
from __future__ import annotations

import logging
import os
import shlex
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ducktape.cluster import processes
from ducktape.cluster.command import CommandResult, RemoteCommandError, SSHOutputIter
from ducktape.cluster.log_monitor import LogMonitor
from ducktape.cluster.process_tag import current_tag, parse_listing, tagged_command
from ducktape.utils.http_utils import HttpMixin

DEFAULT_PERMISSIONS = 0o755
KILLED = -1  # exit status of a command that ended by a signal, as upstream reports it over SSH
module_logger = logging.getLogger("ducktape.cluster.remoteaccount")

CommandHook = Callable[["Account", str], str]
"""A command hook: ``hook(account, cmd)`` returns the command to run instead of *cmd*."""


TAGGED_SEARCH_TIMEOUT_SEC = 30.0


class PrefixHook:
    """A command hook that puts fixed shell text (e.g. ``export VAR=value; ``) before each command.

    A class rather than a closure so an account carrying one can still be pickled.
    """

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, account: Account, cmd: str) -> str:
        return self.prefix + cmd

    def __repr__(self) -> str:
        return f"PrefixHook({self.prefix!r})"


def export_prefix(variables: dict[str, str]) -> str:
    """Shell text that exports *variables* (values quoted) before a command."""
    return "".join(f"export {name}={shlex.quote(value)}; " for name, value in variables.items())


def exit_status_of(status: int) -> int:
    """*status* as the caller sees it: a command that ended by a signal reports ``KILLED``.

    Over SSH upstream gets no exit status for such a command and reports -1; a local
    subprocess says -N and a shell says 128+N. One value on every transport.
    """
    if status < 0 or 128 < status <= 128 + 64:
        return KILLED
    return status


class Account(HttpMixin):
    """Identity, logging and the command/process/file verbs shared by all accounts."""

    os: str | None = None
    # (hook, shown) pairs, replaced, never mutated (no sharing). A "shown" hook's change is in the
    # command as logged and reported in errors; a hidden one's only in what the shell is sent.
    _command_hooks: tuple[tuple[CommandHook, bool], ...] = ()

    def __init__(self, ssh_config: Any, externally_routable_ip: str | None = None, node_type: str | None = None,
                 logger: logging.Logger | None = None, ssh_exception_checks: list[Callable] | None = None):
        self.ssh_config = ssh_config
        self.hostname = ssh_config.host
        self.ssh_hostname = ssh_config.hostname
        self.user = ssh_config.user
        self.externally_routable_ip = externally_routable_ip
        self.node_type = node_type
        self._logger = logger
        self._custom_ssh_exception_checks = list(ssh_exception_checks or [])

    # command hooks -------------------------------------------------------------------
    def add_command_hook(self, hook: CommandHook, shown: bool = True) -> None:
        """Rewrite every command this account runs (run, ssh, ssh_output, ssh_capture and
        the helpers built on them) with *hook*; hooks apply in the order they were added.

        A shown hook changes the command as it is logged and reported in errors; a hidden
        one (``shown=False``) only the text handed to the shell. Adding a hook twice is a no-op.
        """
        if all(existing is not hook for existing, _ in self._command_hooks):
            self._command_hooks = (*self._command_hooks, (hook, shown))

    def remove_command_hook(self, hook: CommandHook) -> None:
        """Stop applying *hook*; harmless when it is not installed."""
        self._command_hooks = tuple((h, shown) for h, shown in self._command_hooks if h is not hook)

    def _hooked(self, cmd: str, shown: bool) -> str:
        for hook, is_shown in self._command_hooks:
            if is_shown == shown:
                cmd = hook(self, cmd)
        return cmd

    def _as_sent(self, cmd: str) -> str:
        """*cmd* as sent to the shell: after the hidden hooks too. Transports call this."""
        return self._hooked(cmd, shown=False)

    # identity and logging -------------------------------------------------------------
    @property
    def operating_system(self) -> str | None:
        return self.os

    @property
    def logger(self) -> logging.Logger:
        return self._logger or module_logger

    @logger.setter
    def logger(self, logger: logging.Logger | None) -> None:
        self._logger = logger

    def _log(self, level: int, msg: str, *args: Any, **kwargs: Any) -> None:
        self.logger.log(level, f"{self}: {msg}", *args, **kwargs)

    def __str__(self) -> str:
        return f"{self.user}@{self.hostname}" if self.user else f"{self.hostname}"

    def __repr__(self) -> str:
        user = f" user={self.user}" if self.user else ""
        return f"<{type(self).__name__} {self.hostname}{user}>"

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_logger"] = None  # loggers hold handlers and locks; the receiver sets its own
        return state

    # the run contract -----------------------------------------------------------------
    def _execute(self, cmd: str, combine_stderr: bool, timeout_sec: float | None) -> tuple:
        """Run ``self._as_sent(cmd)`` to completion: (exit_status, stdout, stderr). Subclasses implement."""
        raise NotImplementedError

    def _stream(self, cmd: str, combine_stderr: bool, timeout_sec: float | None) -> Any:
        """Start ``self._as_sent(cmd)``; return a stream with readline/read_stderr/exit_status/channel/close."""
        raise NotImplementedError

    def run(self, cmd: str, allow_fail: bool = False, combine_stderr: bool = False,
            timeout_sec: float | None = None) -> CommandResult:
        """Run *cmd* and return its CommandResult; RemoteCommandError on failure unless allow_fail."""
        cmd = self._hooked(cmd, shown=True)
        self._log(logging.DEBUG, f"Running ssh command: {cmd}")
        start = time.monotonic()
        status, out, err = self._execute(cmd, combine_stderr, timeout_sec)
        status = exit_status_of(status)
        result = CommandResult(str(self), cmd, status, out, err, time.monotonic() - start)
        self._check(result, allow_fail)
        return result

    def _check(self, result: CommandResult, allow_fail: bool) -> None:
        if result.exit_status == 0:
            return
        if not allow_fail:
            raise RemoteCommandError(self, result.command, result.exit_status, result.stderr, result)
        self._log(logging.DEBUG, f"Running ssh command '{result.command}' exited with status "
                                 f"{result.exit_status} and message: {result.stderr!r}")

    def ssh(self, cmd: str, allow_fail: bool = False, timeout_sec: float | None = None) -> int:
        """Run *cmd*, wait for it, return its exit status; stderr becomes the error message."""
        return self.run(cmd, allow_fail=allow_fail, timeout_sec=timeout_sec).exit_status

    def ssh_output(self, cmd: str, allow_fail: bool = False, combine_stderr: bool = True,
                   timeout_sec: float | None = None) -> bytes:
        """Run *cmd* and return its output as bytes (stderr merged unless combine_stderr=False)."""
        out = self.run(cmd, allow_fail=allow_fail, combine_stderr=combine_stderr, timeout_sec=timeout_sec).stdout
        self._log(logging.DEBUG, f"Returning ssh command output:\n{out!r}")
        return out

    def ssh_capture(self, cmd: str, allow_fail: bool = False, callback: Callable | None = None,
                    combine_stderr: bool = True, timeout_sec: float | None = None) -> SSHOutputIter:
        """Start *cmd* and iterate its output lines (str, newline kept) as they come.

        The exit status is checked when the iteration reaches the end. *timeout_sec*
        bounds each read (socket.timeout), as upstream does.
        """
        cmd = self._hooked(cmd, shown=True)
        self._log(logging.DEBUG, f"Running ssh command: {cmd}")
        stream = self._stream(cmd, combine_stderr, timeout_sec)
        start = time.monotonic()

        def lines() -> Iterator[Any]:
            try:
                for line in iter(stream.readline, ""):
                    yield line if callback is None else callback(line)
            except GeneratorExit:  # abandoned (closed or collected) before the end
                stream.close()
                raise
            try:
                status = exit_status_of(stream.exit_status())
                result = CommandResult(str(self), cmd, status, b"", stream.read_stderr(), time.monotonic() - start)
                self._check(result, allow_fail)
            finally:
                stream.close()

        return SSHOutputIter(lines, stream)

    # processes ------------------------------------------------------------------------
    def alive(self, pid: int | str) -> bool:
        """True iff ``kill -0 pid`` succeeds on the node."""
        return processes.alive(self, pid)

    def signal(self, pid: int | str, sig: int, allow_fail: bool = False) -> None:
        """Send signal *sig* to *pid*."""
        processes.send_signal(self, pid, sig, allow_fail)

    def kill_process(self, process_grep_str: str, clean_shutdown: bool = True, allow_fail: bool = False) -> None:
        """SIGTERM (or SIGKILL) every process whose ``ps ax`` line matches the pattern (grep -i)."""
        processes.kill_process(self, process_grep_str, clean_shutdown, allow_fail)

    def java_pids(self, match: str) -> list[int]:
        """PIDs of Java processes whose ``jcmd`` line matches the awk regex *match*."""
        return processes.java_pids(self, match)

    def kill_java_processes(self, match: str, clean_shutdown: bool = True, allow_fail: bool = False) -> None:
        """Signal every Java process matching *match*."""
        processes.kill_java_processes(self, match, clean_shutdown, allow_fail)

    # files built from commands ---------------------------------------------------------
    def mkdirs(self, path: str, mode: int = DEFAULT_PERMISSIONS) -> None:
        """``mkdir -p`` then ``chmod`` the leaf; the shell expands *path* (``~``, ``$VAR``)."""
        self.ssh(f"mkdir -p {path} && chmod {mode:o} {path}")

    def remove(self, path: str, allow_fail: bool = False) -> None:
        """Remove files or directory trees (``rm -r``; ``rm -rf`` when allow_fail); the shell
        expands *path*, so ``/tmp/x/*`` removes what the glob matches."""
        flags = "-rf" if allow_fail else "-r"
        self.ssh(f"rm {flags} {path}", allow_fail=allow_fail)

    @contextmanager
    def monitor_log(self, log: str) -> Iterator[LogMonitor]:
        """Yield a LogMonitor positioned at the current end of *log* (0 if unreadable)."""
        try:
            offset = int(self.ssh_output(f"wc -c < {log}", combine_stderr=False).split()[0])
        except Exception:  # noqa: BLE001 - contract: unreadable log means offset 0
            offset = 0
        yield LogMonitor(self, log, offset, started_before=self._tagged_pids())

    def _tagged_pids(self) -> set[int] | None:
        """Pids of this test's processes on the node now (None outside a test, or when the
        node cannot say): a LogMonitor tells the ones started later from them."""
        tag = current_tag()
        if tag is None:
            return None
        try:
            return {int(line.split()[0]) for line in self.tagged_processes(tag)}
        except Exception:  # noqa: BLE001 - the wait then just runs to its timeout, as upstream's
            return None

    def tagged_processes(self, tag: str) -> list[str]:
        """``<pid> <command line>`` of each live process on this node that carries process tag
        *tag* (cluster/process_tag.py); the search itself is not among them."""
        return parse_listing(self.ssh_output(tagged_command(tag, listing=True), combine_stderr=False,
                                             timeout_sec=TAGGED_SEARCH_TIMEOUT_SEC))

    def copy_between(self, src: str, dest: str, dest_node: Any) -> None:
        """Copy *src* from this node to *dest* on *dest_node*, through a local temp dir."""
        temp_dir = tempfile.mkdtemp(prefix="ducktape-copy-")
        try:
            local = os.path.join(temp_dir, os.path.basename(src.rstrip("/")))
            self.copy_from(src, local)
            dest_node.account.copy_to(local, dest)
        finally:
            shutil.rmtree(temp_dir, ignore_errors=True)

    def scp_from(self, src: str, dest: str, recursive: bool = False) -> None:
        """Deprecated: use copy_from."""
        warnings.warn("scp_from is now deprecated. Please use copy_from", stacklevel=2)
        self.copy_from(src, dest)

    def scp_to(self, src: str, dest: str, recursive: bool = False) -> None:
        """Deprecated: use copy_to."""
        warnings.warn("scp_to is now deprecated. Please use copy_to", stacklevel=2)
        self.copy_to(src, dest)

    def copy_from(self, src: str, dest: str) -> None:
        raise NotImplementedError

    def copy_to(self, src: str, dest: str) -> None:
        raise NotImplementedError

    # http ------------------------------------------------------------------------------
    def wait_for_http_service(self, port: int, headers: dict, timeout: float = 20, path: str = "/") -> None:
        """Poll ``http://<externally_routable_ip>:<port><path>`` until a GET succeeds."""
        from ducktape.utils.util import wait_until

        url = f"http://{self.externally_routable_ip}:{port}{path}"

        def answers() -> bool:
            try:
                self.http_request(url, "GET", None, headers, timeout=0.75).close()
                return True
            except Exception:  # noqa: BLE001 - not up yet
                return False

        wait_until(answers, timeout_sec=timeout, backoff_sec=0.25,
                   err_msg=f"Timed out trying to contact service on {url}. "
                           "Either the service failed to start, or there is a problem with the url.")
