"""VagrantCluster, the default ``--cluster``: a readable ``--cluster-file`` is used as is
(how Kafka's ducker-ak runs); otherwise the nodes are the running machines of the
Vagrant environment in the current directory, read from ``vagrant ssh-config``."""
from __future__ import annotations

import json
import logging
import os
import re
import subprocess
from collections.abc import Callable
from typing import Any

from ducktape.cluster.cluster_file import ClusterFileError, read_cluster_file
from ducktape.cluster.json import JsonCluster, make_remote_account
from ducktape.cluster.ssh_config import RemoteAccountSSHConfig
from ducktape.errors import UsageError

logger = logging.getLogger("ducktape.cluster")
_HOST_LINE = re.compile(r"^\s*Host(?:\s+|\s*=\s*)(\S.*)$", re.IGNORECASE)
OTHER_CLUSTERS = "or pass --cluster-file FILE, or --cluster ducktape.cluster.localhost.LocalhostCluster"


def parse_ssh_config(text: str) -> list[RemoteAccountSSHConfig]:
    """One RemoteAccountSSHConfig per ``Host`` block of ssh-config text.

    A block runs from its ``Host`` line to the next one, so blocks may come in any
    order, with or without blank lines between them, with CRLF line ends, quoted
    paths with spaces, and options ducktape does not use (ignored).
    """
    blocks: list[list[str]] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if _HOST_LINE.match(line):
            blocks.append([line.strip()])
        elif blocks and line.strip() and not line.lstrip().startswith("#"):
            blocks[-1].append(line.strip())
    return [RemoteAccountSSHConfig.from_string("\n".join(block)) for block in blocks
            if _HOST_LINE.match(block[0]).group(1).strip() != "*"]


def _natural_key(name: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name or "")]


def _run_vagrant(*args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["vagrant", *args], capture_output=True, text=True, check=False)
    except OSError as err:
        raise UsageError(f"cannot run vagrant in {os.getcwd()}: {err.strerror or err}",
                         "install Vagrant (e.g. apt-get install vagrant) and put it on PATH, " + OTHER_CLUSTERS) from None


def _last_line(proc: subprocess.CompletedProcess) -> str:
    lines = [line.strip() for line in (proc.stderr or proc.stdout or "").splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def machine_readable_error(stdout: str) -> str | None:
    """The message of an ``error-exit`` record of ``vagrant --machine-readable`` output, as
    plain text on one line (Vagrant escapes its newlines as ``\\n`` and commas as
    ``%!(VAGRANT_COMMA)``); None when there is no such record."""
    for line in stdout.splitlines():
        fields = line.split(",", 4)
        if len(fields) == 5 and fields[2] == "error-exit":
            text = fields[4].replace("%!(VAGRANT_COMMA)", ",").replace("\\n", "\n")
            return " ".join(text.split())
    return None


def created_machines(directory: str = ".") -> list[str]:
    """Machines Vagrant has created for the Vagrantfile in *directory*, from its own record:
    ``.vagrant/machines/<name>/<provider>/id`` (VAGRANT_DOTFILE_PATH moves ``.vagrant``).
    Vagrant removes the id when it destroys a machine, so a Vagrantfile alone lists none."""
    dotfile = os.path.join(directory, os.environ.get("VAGRANT_DOTFILE_PATH") or ".vagrant")
    machines_dir = os.path.join(dotfile, "machines")
    try:
        names = os.listdir(machines_dir)
    except OSError:
        return []
    created = []
    for name in names:
        try:
            providers = os.listdir(os.path.join(machines_dir, name))
        except OSError:
            continue
        if any(os.path.isfile(os.path.join(machines_dir, name, p, "id")) for p in providers):
            created.append(name)
    return sorted(created, key=_natural_key)


def vagrant_machine_states() -> dict[str, str]:
    """``{machine: state}`` from ``vagrant status --machine-readable`` in the current directory."""
    proc = _run_vagrant("status", "--machine-readable")
    if proc.returncode != 0:
        reason = machine_readable_error(proc.stdout) or _last_line(proc)
        raise UsageError(f"'vagrant status' in {os.getcwd()} failed (exit {proc.returncode}): {reason}",
                         "fix the Vagrantfile (vagrant validate), " + OTHER_CLUSTERS)
    states = {}
    for line in proc.stdout.splitlines():
        fields = line.split(",")
        if len(fields) >= 4 and fields[2] == "state" and fields[1]:
            states[fields[1]] = fields[3]
    return states


def vagrant_ssh_config(machines: list[str] | None = None) -> str:
    """stdout of ``vagrant ssh-config [machines]`` run in the current directory."""
    proc = _run_vagrant("ssh-config", *(machines or []))
    if proc.returncode != 0 or not proc.stdout.strip():
        down = " ".join(machines or [])
        raise UsageError(f"'vagrant ssh-config' in {os.getcwd()} failed (exit {proc.returncode}): {_last_line(proc)}",
                         f"a machine may have gone down: run 'vagrant up {down}'".rstrip() + ", " + OTHER_CLUSTERS)
    return proc.stdout


def running_machines_ssh_config() -> list[RemoteAccountSSHConfig]:
    """ssh configs of the running machines, in natural name order (worker2 before worker10).

    Machines that are not running are skipped with a notice; none running is an error.
    """
    states = vagrant_machine_states()
    running = sorted((m for m, s in states.items() if s == "running"), key=_natural_key)
    stopped = {m: s for m, s in states.items() if s != "running"}
    if not running:
        listed = ", ".join(f"{m}: {s}" for m, s in sorted(stopped.items())) or "no machines defined"
        raise UsageError(f"no Vagrant machine is running in {os.getcwd()} ({listed})",
                         "run 'vagrant up' there first, " + OTHER_CLUSTERS)
    if stopped:
        logger.warning("Vagrant machines not running, skipped: %s",
                       ", ".join(f"{m} ({s})" for m, s in sorted(stopped.items(), key=lambda i: _natural_key(i[0]))))
    configs = [c for c in parse_ssh_config(vagrant_ssh_config(running)) if c.host in running]
    return sorted(configs, key=lambda c: _natural_key(c.host))


class VagrantCluster(JsonCluster):
    """Nodes of the Vagrant environment in the current directory.

    With ``cluster_file`` readable, it is loaded like JsonCluster and vagrant is not run.
    Otherwise the running machines' ``vagrant ssh-config`` is parsed, each node is asked
    for its routable IP, and, when ``cluster_file`` was named, the result is written
    there for next time.
    """

    def __init__(self, *args: Any, make_remote_account_func: Callable[..., Any] = make_remote_account,
                 **kwargs: Any):
        self.ssh_exception_checks = kwargs.get("ssh_exception_checks")
        cluster_file = kwargs.get("cluster_file")
        cluster_json = None
        if cluster_file is not None and os.path.exists(cluster_file):
            cluster_json = read_cluster_file(cluster_file)
        from_vagrant = cluster_json is None
        if from_vagrant:
            cluster_json = {"nodes": self._nodes_from_vagrant(make_remote_account_func)}
        try:
            super().__init__(cluster_json, *args, make_remote_account_func=make_remote_account_func, **kwargs)
        except ClusterFileError as err:
            if from_vagrant or cluster_file is None:
                raise
            raise type(err)(cluster_file, err.message.split(": ", 2)[-1], err.hint) from None
        if from_vagrant and cluster_file is not None:
            self._write(cluster_file)
        for account in self._available_accounts:
            account.close()

    def _nodes_from_vagrant(self, make_remote_account_func: Callable[..., Any]) -> list[dict]:
        nodes = []
        for ssh_config in running_machines_ssh_config():
            account = make_remote_account_func(ssh_config, ssh_exception_checks=self.ssh_exception_checks)
            try:
                ip = account.fetch_externally_routable_ip()
            finally:
                account.close()
            nodes.append({"ssh_config": ssh_config.to_json(), "externally_routable_ip": ip})
        return nodes

    def _write(self, cluster_file: str) -> None:
        nodes = [
            {"ssh_config": account.ssh_config.to_json(), "externally_routable_ip": account.externally_routable_ip}
            for account in self._available_accounts
        ]
        os.makedirs(os.path.dirname(os.path.abspath(cluster_file)), exist_ok=True)
        with open(cluster_file, "w") as handle:
            json.dump({"nodes": nodes}, handle, indent=2, separators=(",", ": "), sort_keys=True)
