"""LocalAccount: a "node" that is the driver host itself, reached without SSH.

Commands run as local subprocesses (bash when present, like the persistent remote
shells), each in its own session so a timed-out command is killed with everything it
started. Files are plain local file operations. Same verbs and semantics as
RemoteAccount, so LocalhostCluster works on a fresh machine with no sshd.
"""
from __future__ import annotations

import builtins
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
from typing import Any

from ducktape.cluster import transfer
from ducktape.cluster.account import DEFAULT_PERMISSIONS, Account
from ducktape.cluster.command import (
    LineStream,
    RemoteAccountError,
    RemoteCommandTimeoutError,
)
from ducktape.cluster.consts import LINUX
from ducktape.cluster.process_tag import SHOWN_CHARS, tag_pattern
from ducktape.utils import proc

KILL_GRACE_SEC = 2.0
SHELL = "/bin/bash" if os.path.exists("/bin/bash") else "/bin/sh"


def _stop_command_group(proc: subprocess.Popen) -> None:
    """SIGTERM the command's process group, then SIGKILL what is left."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(KILL_GRACE_SEC)
            if sig == signal.SIGTERM:
                os.killpg(proc.pid, signal.SIGKILL)  # children that outlived their shell
            return
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            return


class LocalAccount(Account):
    """The driver host as a node: subprocess for commands, the local filesystem for files."""

    def __init__(self, ssh_config: Any, externally_routable_ip: str | None = "127.0.0.1", **kwargs: Any):
        super().__init__(ssh_config, externally_routable_ip, **kwargs)
        self.os = LINUX

    @property
    def local(self) -> bool:
        return True

    @property
    def ssh_client(self) -> Any:
        raise RemoteAccountError(self, "a LocalAccount has no SSH connection (LocalhostCluster runs commands locally)")

    @property
    def sftp_client(self) -> Any:
        raise RemoteAccountError(self, "a LocalAccount has no SFTP connection (LocalhostCluster uses local files)")

    def available(self) -> bool:
        return True

    def close(self) -> None:
        """Nothing to close; present so clusters can treat every account alike."""

    def fetch_externally_routable_ip(self, is_aws: Any = None) -> str:
        return "127.0.0.1"

    # commands --------------------------------------------------------------------------
    def tagged_processes(self, tag: str) -> list[str]:
        """Read here: a shell started to search /proc costs more than the search. This
        process itself is not among them."""
        found = ((pid, proc.command_line(pid, SHOWN_CHARS)) for pid in proc.with_environ_entry(tag_pattern(tag)))
        return [f"{pid} {command}".rstrip() for pid, command in found if command is not None]

    def _popen(self, cmd: str, combine_stderr: bool, stderr_file: Any = None) -> subprocess.Popen:
        return subprocess.Popen(
            [SHELL, "-c", self._as_sent(cmd)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if combine_stderr else (stderr_file or subprocess.PIPE),
            start_new_session=True, cwd=os.path.expanduser("~"),
        )

    def _execute(self, cmd: str, combine_stderr: bool, timeout_sec: float | None) -> tuple:
        proc = self._popen(cmd, combine_stderr)
        try:
            out, err = proc.communicate(timeout=timeout_sec)
        except subprocess.TimeoutExpired:
            _stop_command_group(proc)
            proc.communicate()
            raise RemoteCommandTimeoutError(self, cmd, timeout_sec) from None
        return proc.returncode, out, err or b""

    def _stream(self, cmd: str, combine_stderr: bool, timeout_sec: float | None) -> Any:
        stderr_file = None if combine_stderr else tempfile.TemporaryFile()  # noqa: SIM115 - closed by the stream
        return _LocalStream(self._popen(cmd, combine_stderr, stderr_file), stderr_file, timeout_sec)

    # files -----------------------------------------------------------------------------
    def create_file(self, path: str, contents: str | bytes) -> None:
        """Write *contents* to *path* (overwritten; the parent directory must exist)."""
        data = contents.encode() if isinstance(contents, str) else contents
        with open(path, "wb") as handle:
            handle.write(data)

    def open(self, path: str, mode: str = "r") -> Any:
        """A local file object for *path*."""
        return builtins.open(path, mode)

    def mkdir(self, path: str, mode: int = DEFAULT_PERMISSIONS) -> None:
        os.mkdir(path, mode)

    def exists(self, path: str) -> bool:
        return os.path.lexists(path)

    def isfile(self, path: str) -> bool:
        return os.path.isfile(path)

    def isdir(self, path: str) -> bool:
        return os.path.isdir(path)

    def islink(self, path: str) -> bool:
        return os.path.islink(path)

    def copy_from(self, src: str, dest: str) -> None:
        """Copy a file or tree to *dest*; a missing *src* copies nothing."""
        self._copy(src, dest, missing_ok=True)

    def copy_to(self, src: str, dest: str) -> None:
        """Copy a file or tree to *dest*."""
        self._copy(src, dest, missing_ok=False)

    def _copy(self, src: str, dest: str, missing_ok: bool) -> None:
        if os.path.isdir(dest):
            dest = transfer.anchor(src, dest)
        if os.path.isdir(src):
            shutil.copytree(src, dest, symlinks=False)
        elif os.path.isfile(src):
            shutil.copyfile(src, dest)
        elif not missing_ok:
            raise FileNotFoundError(2, "no such file or directory", src)


class _Clock:
    """The read timeout of a local stream, shaped like a paramiko channel's."""

    def __init__(self, timeout: float | None):
        self.timeout = timeout

    def gettimeout(self) -> float | None:
        return self.timeout

    def settimeout(self, timeout: float | None) -> None:
        self.timeout = timeout


class _LocalStream(LineStream):
    """Lines of a running local command; a read that waits past the timeout raises socket.timeout."""

    def __init__(self, proc: subprocess.Popen, stderr_file: Any, timeout: float | None):
        super().__init__()
        self.proc = proc
        self.channel = _Clock(timeout)
        self._stderr_file = stderr_file

    def _fill(self) -> None:
        fd = self.proc.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], self.channel.timeout)
        if not ready:
            raise socket.timeout("timed out waiting for command output")  # noqa: UP041 - socket.timeout on 3.9
        chunk = os.read(fd, 1 << 16)
        if chunk:
            self._buffer += chunk
        else:
            self._eof = True

    def exit_status(self) -> int:
        return self.proc.wait()

    def read_stderr(self) -> bytes:
        if self._stderr_file is None:
            return b""
        self._stderr_file.seek(0)
        return self._stderr_file.read()

    def close(self) -> None:
        self.proc.stdout.close()
        if self._stderr_file is not None:
            self._stderr_file.close()
