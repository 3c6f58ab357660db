"""VagrantCluster, the default ``--cluster``: a readable ``--cluster-file`` is used as is
(how Kafka's ducker-ak runs); otherwise the nodes come from ``vagrant ssh-config``."""
from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from typing import Any

from ducktape.cluster.cluster_file import ClusterFileError, read_cluster_file
from ducktape.cluster.json import JsonCluster, make_remote_account
from ducktape.cluster.ssh_config import RemoteAccountSSHConfig
from ducktape.command_line.errors import UsageError


def parse_ssh_config(text: str) -> list[RemoteAccountSSHConfig]:
    """One RemoteAccountSSHConfig per blank-line separated block of ssh-config text."""
    blocks = [block.strip() for block in text.split("\n\n") if block.strip()]
    return [RemoteAccountSSHConfig.from_string(block) for block in blocks]


def vagrant_ssh_config() -> str:
    """stdout of ``vagrant ssh-config`` run in the current directory."""
    try:
        proc = subprocess.run("vagrant ssh-config", shell=True, capture_output=True, text=True, check=False)
    except OSError as err:
        raise UsageError(f"cannot run 'vagrant ssh-config': {err}",
                         "pass --cluster-file FILE, or --cluster ducktape.cluster.localhost.LocalhostCluster") from err
    if proc.returncode != 0 or not proc.stdout.strip():
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise UsageError(f"'vagrant ssh-config' in {os.getcwd()} failed (exit {proc.returncode}): {detail[0]}",
                         "start the Vagrant cluster first, or pass --cluster-file FILE")
    return proc.stdout


class VagrantCluster(JsonCluster):
    """Nodes of the Vagrant environment in the current directory.

    With ``cluster_file`` readable, it is loaded like JsonCluster and vagrant is not run.
    Otherwise ``vagrant ssh-config`` is parsed, each node is asked for its routable IP,
    and, when ``cluster_file`` was named, the result is written there for next time.
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
            raise ClusterFileError(cluster_file, err.message.split(": ", 2)[-1], err.hint) from None
        if from_vagrant and cluster_file is not None:
            self._write(cluster_file)
        for account in self._available_accounts:
            account.close()

    def _nodes_from_vagrant(self, make_remote_account_func: Callable[..., Any]) -> list[dict]:
        nodes = []
        for ssh_config in parse_ssh_config(vagrant_ssh_config()):
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
        with open(cluster_file, "w") as handle:
            json.dump({"nodes": nodes}, handle, indent=2, separators=(",", ": "), sort_keys=True)
