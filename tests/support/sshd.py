"""A real OpenSSH server on 127.0.0.1 for tests of remote accounts.

``start_sshd(workdir)`` launches ``/usr/sbin/sshd`` as the current user on a free
loopback port with its own host key, config and one authorized client key; the
fixture ``loopback_sshd`` shares one per test session. Each server is stopped by
its PID, never by name.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SSHD = "/usr/sbin/sshd"
SSH_KEYGEN = "/usr/bin/ssh-keygen"
PRIVSEP_DIR = "/run/sshd"

CONFIG = """\
ListenAddress 127.0.0.1
Port {port}
HostKey {host_key}
PidFile {pid_file}
AuthorizedKeysFile {authorized_keys}
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin yes
StrictModes no
UsePAM no
MaxSessions 64
MaxStartups 64:30:128
LogLevel {log_level}
Subsystem sftp internal-sftp
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def keygen(path: Path) -> Path:
    """Create an ed25519 key pair at *path* (and *path*.pub) without a passphrase."""
    subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path


@dataclass
class LoopbackSshd:
    """A running sshd and how to log into it."""

    workdir: Path
    port: int
    key_path: Path
    process: subprocess.Popen | None = None
    host: str = "127.0.0.1"
    user: str = field(default_factory=lambda: os.environ.get("USER") or "root")

    @property
    def pid(self) -> int:
        return self.process.pid

    def ssh_config(self, alias: str = "loopback") -> dict:
        """A dict for RemoteAccountSSHConfig(**d) / a cluster file's "ssh_config"."""
        return {
            "host": alias,
            "hostname": self.host,
            "port": self.port,
            "user": self.user,
            "identityfile": str(self.key_path),
            "password": None,
            "connecttimeout": 5,
        }

    def cluster_json(self, aliases: list[str]) -> dict:
        """A JSON cluster definition with one node per alias, all on this sshd."""
        return {"nodes": [{"ssh_config": self.ssh_config(a), "externally_routable_ip": self.host} for a in aliases]}

    def start(self) -> None:
        """Start (or restart) the server on the same port and wait until it answers."""
        cfg = self.workdir / "sshd_config"
        self.process = subprocess.Popen([SSHD, "-D", "-E", str(self.workdir / "sshd.log"), "-f", str(cfg)], stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sshd exited with status {self.process.returncode}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    if sock.recv(4).startswith(b"SSH-"):
                        return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"sshd on port {self.port} did not answer")

    def stop(self) -> None:
        """Stop the listener (by PID) and every session it forked (by their PIDs)."""
        if self.process is None or self.process.poll() is not None:
            return
        children = _children(self.process.pid)
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=10)
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass


def _children(pid: int) -> list[int]:
    """PIDs of the direct children of *pid* (the per-connection sshd processes)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def start_sshd(workdir: Path, extra_config: str = "", log_level: str = "ERROR") -> LoopbackSshd:
    """Write keys and config under *workdir* and start sshd there; *extra_config* lines
    are appended to sshd_config (e.g. ``SetEnv SHLVL=5`` stops bash reading ~/.bashrc);
    ``log_level="INFO"`` logs each accepted login to ``sshd.log``."""
    os.makedirs(PRIVSEP_DIR, exist_ok=True)
    workdir.mkdir(parents=True, exist_ok=True)
    host_key = keygen(workdir / "host_key")
    client_key = keygen(workdir / "client_key")
    authorized = workdir / "authorized_keys"
    authorized.write_text(Path(f"{client_key}.pub").read_text())
    server = LoopbackSshd(workdir=workdir, port=free_port(), key_path=client_key)
    (workdir / "sshd_config").write_text(
        CONFIG.format(
            port=server.port, host_key=host_key, pid_file=workdir / "sshd.pid", authorized_keys=authorized,
            log_level=log_level,
        )
        + extra_config
    )
    server.start()
    return server


@pytest.fixture(scope="session")
def loopback_sshd():
    """One sshd on 127.0.0.1 shared by the whole test session."""
    with tempfile.TemporaryDirectory(prefix="ducktape-sshd-") as tmp:
        server = start_sshd(Path(tmp))
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def private_sshd(tmp_path):
    """An sshd of this test's own, for tests that stop or break it."""
    server = start_sshd(tmp_path / "sshd")
    try:
        yield server
    finally:
        server.stop()
