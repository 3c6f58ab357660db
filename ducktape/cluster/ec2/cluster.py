"""Ec2Cluster: EC2 instances for one ``ducktape`` session, started with it and ended with it.

    ducktape --cluster ducktape.cluster.ec2.Ec2Cluster --cluster-file ec2-session.yml tests/

The session file names the EC2 config (``config: ec2.yml``, relative to the file) or
holds it inline (``ec2: {region: ..., ...}``), the node count (``nodes: 3``) and,
optionally, a cluster ``name``. The instances are terminated by ``close()`` at
session end, after Ctrl-C, SIGTERM or an exception; a watchdog process ends them if
the driver dies without closing, and their expiry tag lets ``ec2 down --expired``
end them if even the watchdog is gone.
"""
from __future__ import annotations

import os
import time
from typing import Any

from ducktape.cluster.ec2 import watchdog
from ducktape.cluster.ec2.config import Ec2Config, load_config, parse_config
from ducktape.cluster.ec2.instances import owner_name
from ducktape.cluster.ec2.lifecycle import cluster_json, down, up
from ducktape.cluster.ec2.signals import SigtermAsInterrupt
from ducktape.cluster.json import JsonCluster
from ducktape.errors import UsageError

SESSION_KEYS = ("config", "ec2", "nodes", "name")
SESSION_HINT = "a YAML file such as: {config: ec2.yml, nodes: 3, name: nightly}"


def load_session_file(path: str | None) -> tuple[Ec2Config, int, str | None]:
    """(config, node count, name) from Ec2Cluster's ``--cluster-file``."""
    import yaml

    if not path:
        raise UsageError("Ec2Cluster needs --cluster-file naming its session file", SESSION_HINT)
    try:
        with open(path) as handle:
            raw = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError) as err:
        raise UsageError(f"cannot read EC2 session file {path}: {str(err).splitlines()[0]}", SESSION_HINT) from None
    if not isinstance(raw, dict):
        raise UsageError(f"EC2 session file {path} must be a mapping", SESSION_HINT)
    unknown = [k for k in raw if k not in SESSION_KEYS]
    if unknown:
        raise UsageError(f"EC2 session file {path}: unknown key {unknown[0]!r}",
                         "the accepted keys are " + ", ".join(SESSION_KEYS))
    nodes = raw.get("nodes")
    if not isinstance(nodes, int) or isinstance(nodes, bool) or nodes < 1:
        raise UsageError(f"EC2 session file {path}: 'nodes' must be a positive integer, got {nodes!r}", SESSION_HINT)
    if ("config" in raw) == ("ec2" in raw):
        raise UsageError(f"EC2 session file {path}: give exactly one of 'config' (a path) and 'ec2' (inline keys)",
                         SESSION_HINT)
    if "config" in raw:
        config = load_config(os.path.join(os.path.dirname(os.path.abspath(path)), str(raw["config"])))
    else:
        config = parse_config(raw["ec2"], f"{path} (ec2)")
    name = raw.get("name")
    return config, nodes, str(name) if name is not None else None


class Ec2Cluster(JsonCluster):
    """Provisions its nodes when built and terminates them in ``close()``."""

    def __init__(self, *args: Any, **kwargs: Any):
        config, count, name = load_session_file(kwargs.get("cluster_file"))
        self.ec2_name = name or f"ducktape-{owner_name()}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
        self.ec2_region = config.region
        self._closed = False
        self._sigterm = SigtermAsInterrupt()
        self._sigterm.install()
        self._watchdog = watchdog.start(self.ec2_name, self.ec2_region)
        try:
            info = up(config, count, self.ec2_name)
            kwargs = {k: v for k, v in kwargs.items() if k != "cluster_file"}
            super().__init__(cluster_json(info, config), *args, **kwargs)
            self.instance_ids = [i.instance_id for i in info.instances]
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Terminate every instance of this cluster (by tag); safe to call twice."""
        if self._closed:
            return
        if hasattr(self, "_spares"):  # absent when provisioning failed before the nodes were known
            super().close()
        try:
            down(self.ec2_region, self.ec2_name)
        finally:
            self._sigterm.restore()
        self._closed = True
        watchdog.release(self._watchdog)  # on failure it stays, and retries when this process exits

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_watchdog", None)
        state.pop("_sigterm", None)
        state["_closed"] = True  # a copy in another process never ends the cluster
        return state
