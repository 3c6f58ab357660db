"""Reading and checking a JSON cluster definition (``--cluster-file``).

Every problem is one ClusterFileError naming the file (or "cluster definition" for a
dict), the node and the field, with a hint showing the accepted form. The error is
both a UsageError (for the command line) and a ValueError starting with
"JSON cluster definition invalid:" (what upstream's callers catch).
"""
from __future__ import annotations

import inspect
import json
import os
from typing import Any

from ducktape.defaults import ConsoleDefaults
from ducktape.errors import UsageError

DEFAULT_CLUSTER_FILE = ConsoleDefaults.CLUSTER_FILE
SCHEMA_HINT = (
    '{"nodes": [{"ssh_config": {"host": "worker1", "hostname": "10.0.0.5", "user": "ducker", "port": 22, '
    '"identityfile": "/path/to/key"}, "externally_routable_ip": "10.0.0.5", "node_type": "large"}]}'
)
_OPTIONAL_STR = (str, type(None))
SSH_FIELDS = {
    "host": (str,),
    "hostname": _OPTIONAL_STR,
    "user": _OPTIONAL_STR,
    "password": _OPTIONAL_STR,
    "identityfile": _OPTIONAL_STR,
    "port": (int, str, type(None)),
    "connecttimeout": (int, float, str, type(None)),
}
NODE_FIELDS = {"externally_routable_ip": _OPTIONAL_STR, "node_type": _OPTIONAL_STR}


class ClusterFileError(UsageError, ValueError):
    """A cluster definition that cannot be used as given."""

    PREFIX = "JSON cluster definition invalid"

    def __init__(self, source: str, problem: str, hint: str | None = SCHEMA_HINT):
        super().__init__(f"{self.PREFIX}: {source}: {problem}", hint)


class StaleClusterFileError(ClusterFileError):
    """A cluster file written by ``ducktape-cluster up`` for a cluster that is no longer up."""

    PREFIX = "stale cluster file"


def read_cluster_file(path: str) -> dict:
    """Load *path* as JSON; a missing, unreadable or malformed file is a ClusterFileError."""
    try:
        with open(os.path.abspath(path)) as handle:
            return json.load(handle)
    except OSError as err:
        raise ClusterFileError(path, f"cannot read the file: {err.strerror or err}",
                               "pass an existing JSON file with --cluster-file") from None
    except ValueError as err:
        raise ClusterFileError(path, f"not valid JSON: {err}") from None


def _type_names(types: tuple) -> str:
    names = {str: "a string", int: "an integer", float: "a number", type(None): "null"}
    return " or ".join(names[t] for t in types)


def _check_field(source: str, where: str, name: str, value: Any, types: tuple) -> None:
    if not isinstance(value, types) or isinstance(value, bool):
        raise ClusterFileError(source, f"{where}: field {name!r} must be {_type_names(types)}, got {value!r}")
    if name in ("ssh_config.port", "ssh_config.connecttimeout") and isinstance(value, str):
        try:
            int(value) if name.endswith("port") else float(value)
        except ValueError:
            raise ClusterFileError(source, f"{where}: field {name!r} must be a number, got {value!r}") from None


def _check_node(source: str, index: int, node: Any) -> dict:
    where = f"node {index}"
    if not isinstance(node, dict):
        raise ClusterFileError(source, f"{where}: must be an object, got {node!r}")
    ssh = node.get("ssh_config")
    if not isinstance(ssh, dict):
        problem = "missing field 'ssh_config'" if ssh is None else f"field 'ssh_config' must be an object, got {ssh!r}"
        raise ClusterFileError(source, f"{where}: {problem}")
    if "host" not in ssh:
        raise ClusterFileError(source, f"{where}: missing field 'ssh_config.host' (the node's name)")
    where = f"node {index} ({ssh['host']!r})"
    for name, types in SSH_FIELDS.items():
        if name in ssh:
            _check_field(source, where, f"ssh_config.{name}", ssh[name], types)
    for name, types in NODE_FIELDS.items():
        if name in node:
            _check_field(source, where, name, node[name], types)
    key = ssh.get("identityfile")
    if key and not os.path.exists(os.path.expanduser(key)) and _local_cluster_name(key):
        name = _local_cluster_name(key)
        raise StaleClusterFileError(
            source, f"the local cluster {name!r} that wrote it is not up (its key {key} is gone: "
                    "'ducktape-cluster down' removed it, or the machine restarted)",
            f"see the clusters that are up: ducktape-cluster status; make this one again: "
            f"ducktape-cluster up --nodes N --name {name} --cluster-file FILE")
    if key and not os.access(os.path.expanduser(key), os.R_OK):
        raise ClusterFileError(source, f"{where}: field 'ssh_config.identityfile': cannot read key file {key!r}",
                               "point identityfile at a readable private key, or drop the field")
    return node


def _local_cluster_name(key: str) -> str | None:
    """The cluster name when *key* is where ``ducktape-cluster up`` keeps a cluster's key."""
    from ducktape.cluster.local_cluster.names import STATE_ROOT

    path = os.path.abspath(os.path.expanduser(key))
    return os.path.basename(os.path.dirname(path)) if os.path.dirname(os.path.dirname(path)) == str(STATE_ROOT) \
        else None


SETTINGS_KEY = "settings"


def cluster_settings(cluster_file: str | None) -> dict:
    """The cluster file's ``"settings"`` object: the cluster class's own settings (region,
    tags, a Vagrant directory...). {} without a file (or a missing one) or without the key."""
    if not cluster_file or not os.path.exists(cluster_file):
        return {}
    definition = read_cluster_file(cluster_file)
    settings = definition.get(SETTINGS_KEY, {}) if isinstance(definition, dict) else {}
    if not isinstance(settings, dict):
        raise ClusterFileError(cluster_file, f"field {SETTINGS_KEY!r} must be an object, got {settings!r}",
                               '{"settings": {"region": "eu-west-1"}, "nodes": [...]}')
    return settings


def settings_kwargs(cluster_class: type, cluster_file: str | None) -> dict:
    """``{"settings": cluster_settings(cluster_file)}`` when *cluster_class*'s constructor has a
    parameter named ``settings``, else {} (classes that do not ask are built as before)."""
    try:
        parameters = inspect.signature(cluster_class).parameters
    except (TypeError, ValueError):
        return {}
    param = parameters.get(SETTINGS_KEY)
    if param is None or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
        return {}
    return {SETTINGS_KEY: cluster_settings(cluster_file)}


def validate_cluster_json(cluster_json: Any, source: str = "cluster definition") -> list[dict]:
    """Check the whole definition; return its node entries."""
    if not isinstance(cluster_json, dict) or not isinstance(cluster_json.get("nodes"), list):
        raise ClusterFileError(source, 'expected an object with a "nodes" list')
    # ssh_config.host may repeat (one alias for every node, told apart by hostname and
    # port): upstream accepts such files, and so do we.
    return [_check_node(source, i, node) for i, node in enumerate(cluster_json["nodes"])]
