"""One SSH connection per node for the whole session, shared by every test process.

The driver starts one multiplexer process per session (``SessionMux.start``), listening
on a Unix socket in a private directory. It logs in to each node once and keeps the
connection; test processes (forked by the driver after it started) open their command
and SFTP channels through it (``client.MuxConnection``) instead of logging in again,
as OpenSSH's ControlMaster does. The driver's health checks ride on the same connections
(``session_path``, a ``ping`` request): a session holds one login per node. Should the
multiplexer itself fail, the health checks go back to connections of their own, so it
fails the tests that used it, never the session.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from typing import Any

from ducktape.cluster.cluster_file import ClusterFileError, cluster_settings

DEFAULT_ON = True  # --no-mux, or "settings": {"mux": false} in the cluster file, turns it off
SETTING = "mux"

_endpoint: dict = {}  # "path", "owner": the socket of this session's mux and the driver's pid


def endpoint() -> str | None:
    """The mux socket a test process should use, or None (no mux, or this is the driver)."""
    if not _endpoint or _endpoint["owner"] == os.getpid():
        return None
    return _endpoint["path"]


def session_path() -> str | None:
    """The socket of this session's mux, for the driver's own requests (health pings), or None."""
    return _endpoint.get("path")


def running() -> bool:
    """True in the driver (and its test processes) while a session's mux runs."""
    return bool(_endpoint)


def wanted(mux: bool, no_mux: bool, cluster_file: str | None) -> bool:
    """``--no-mux`` wins, then ``--mux``, then the cluster file's ``settings.mux``, then the default."""
    if no_mux:
        return False
    if mux:
        return True
    try:
        setting = cluster_settings(cluster_file).get(SETTING) if cluster_file else None
    except ClusterFileError:
        setting = None  # not a JSON cluster file (EC2's YAML session file): its cluster read it already
    if setting is None:
        return DEFAULT_ON
    if not isinstance(setting, bool):
        raise ClusterFileError(cluster_file, f"field 'settings.{SETTING}' must be true or false, got {setting!r}",
                               '{"settings": {"mux": false}, "nodes": [...]}')
    return setting


class SessionMux:
    """The driver's handle on the multiplexer process; ``stop()`` is safe twice."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen | None = None
        self._dir: str | None = None

    def start(self, ssh_configs: Iterable[Any], log_path: str | None = None, include_self: bool = False) -> None:
        """Start the mux and have it connect to the nodes of *ssh_configs* right away.
        Only processes forked after this use it, unless *include_self* (tools, tests)."""
        self._dir = tempfile.mkdtemp(prefix="ducktape-mux-")  # 0700: only we may connect
        path = os.path.join(self._dir, "mux.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(path)
            listener.listen(1024)
            # The listening socket is ready before the process is: early clients wait in its backlog.
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "ducktape.cluster.mux.server", str(listener.fileno()), log_path or ""],
                pass_fds=[listener.fileno()], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True)  # Ctrl-C is the driver's to handle
        finally:
            listener.close()  # only the mux holds it now: if the mux dies, clients are refused at once
        self._proc.stdin.write(json.dumps([c.to_json() for c in ssh_configs]).encode() + b"\n")
        self._proc.stdin.flush()
        _endpoint.update(path=path, owner=None if include_self else os.getpid())

    def stop(self) -> None:
        _endpoint.clear()
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.stdin.close()  # the mux exits at EOF on its stdin
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None


def start_for(cluster: Any, enabled: bool, log_path: str | None = None) -> SessionMux:
    """A started mux for *cluster*'s SSH nodes when *enabled* and it has any; else an idle handle."""
    from ducktape.cluster.json import JsonCluster

    mux = SessionMux()
    if enabled and isinstance(cluster, JsonCluster):
        configs = [a.ssh_config for a in cluster.ssh_accounts()]
        if configs:
            mux.start(configs, log_path)
    return mux
