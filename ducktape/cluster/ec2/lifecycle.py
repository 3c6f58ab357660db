"""Bring an EC2 cluster up, describe it, and take it down by its tags.

``up`` never leaves instances behind when it fails or is interrupted: whatever it
launched is terminated before the error goes on.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ducktape.cluster.ec2.config import Ec2Config
from ducktape.cluster.ec2.errors import Ec2Error, UpInterrupted
from ducktape.cluster.ec2.instances import (
    Ec2Api,
    Instance,
    cluster_filter,
    expired,
    launch,
    owner_filter,
    owner_name,
    wait_running,
)
from ducktape.cluster.ec2.ssh_wait import wait_for_ssh

RUNNING_TIMEOUT_SECONDS = 600
SSH_PORT = 22


@dataclass
class Ec2ClusterInfo:
    """A cluster that is up: its name, region and instances (worker1 first)."""

    name: str
    region: str
    owner: str
    instances: list[Instance]


def default_name(owner: str | None = None) -> str:
    return f"ducktape-{owner or owner_name()}"


def up(config: Ec2Config, count: int, name: str | None = None,
       on_launched: Callable[[list[Instance]], None] | None = None,
       on_progress: Callable[[int, int, float], None] | None = None) -> Ec2ClusterInfo:
    """Launch *count* nodes, wait until running and answering SSH; terminate them on any failure
    (the error then says so). *on_progress(answering, total, seconds_left)* follows the SSH wait."""
    if count < 1:
        raise Ec2Error(f"--nodes must be at least 1, got {count}", "ducktape-cluster ec2 up --nodes 3 ...")
    owner = owner_name()
    name = name or default_name(owner)
    api = Ec2Api(config.region, config)
    launched: list[Instance] = []
    try:
        launched = launch(api, config, name, count, owner)
        if on_launched:
            on_launched(launched)
        running = wait_running(api, [i.instance_id for i in launched], RUNNING_TIMEOUT_SECONDS)
        if config.ssh_wait_seconds > 0:
            wait_for_ssh([(f"worker{n}", i.address or "", SSH_PORT) for n, i in enumerate(running, 1)],
                         config.ssh_wait_seconds, on_progress=on_progress)
        return Ec2ClusterInfo(name, config.region, owner, running)
    except BaseException as err:
        ended = api.terminate(api.find(cluster_filter(name)) or launched)
        what = f"the {len(ended)} instances launched were terminated ({', '.join(sorted(ended))})" if ended else ""
        if isinstance(err, KeyboardInterrupt) and ended:
            raise UpInterrupted(f"cluster {name}: {what}") from None
        if isinstance(err, Ec2Error) and ended:
            raise Ec2Error(f"{err.message}; {what}", err.hint, err.exit_status) from None
        raise


def refuse_running(region: str, name: str) -> None:
    """Refuse a new cluster under *name* while instances tagged with it run: they would be
    billed beside the new ones and ended with them by ``down``."""
    found = Ec2Api(region).find(cluster_filter(name))
    if found:
        ids = ", ".join(sorted(i.instance_id for i in found))
        raise Ec2Error(f"cluster {name} already has {len(found)} instances ({ids})",
                       f"end them: ducktape-cluster ec2 down --name {name} (or pass --replace, or another --name)")


def cluster_file_owner(path: str | os.PathLike) -> str | None:
    """The EC2 cluster name of a cluster file ``ec2 up`` wrote, else None (missing, other writer)."""
    try:
        section = json.loads(Path(path).read_text()).get("ec2")
    except (OSError, ValueError, AttributeError):
        return None
    name = section.get("name") if isinstance(section, dict) else None
    return name if isinstance(name, str) else None


def check_cluster_file(path: str | os.PathLike, name: str, region: str) -> None:
    """Refuse to replace *path* unless ``ec2 up`` wrote it for *name*, or for a cluster with
    no live instances left."""
    if not Path(path).exists():
        return
    owner = cluster_file_owner(path)
    if owner is None:
        raise Ec2Error(f"--cluster-file {str(path)!r} exists and was not written by ducktape-cluster ec2 up; "
                       "not replacing it", "pass another --cluster-file (or remove that file if it is not needed)")
    if owner != name and Ec2Api(region).find(cluster_filter(owner)):
        raise Ec2Error(f"--cluster-file {str(path)!r} is the file of EC2 cluster {owner}, which is up; not replacing it",
                       f"ducktape-cluster ec2 down --name {owner} first, or pass another --cluster-file")


def down(region: str | None, name: str) -> list[str]:
    """Terminate every live instance tagged with cluster *name*; return their ids (none is fine)."""
    api = Ec2Api(region)
    return api.terminate(api.find(cluster_filter(name)))


def down_expired(region: str | None) -> list[Instance]:
    """Terminate every ducktape instance past its expiry tag; return them."""
    api = Ec2Api(region)
    ended = expired(api)
    api.terminate(ended)
    return ended


def status(region: str | None, owner: str | None = None) -> dict[str, list[Instance]]:
    """This owner's live instances, grouped by cluster name."""
    api = Ec2Api(region)
    clusters: dict[str, list[Instance]] = {}
    for instance in api.find(owner_filter(owner or owner_name())):
        clusters.setdefault(instance.cluster, []).append(instance)
    return clusters


def cluster_json(info: Ec2ClusterInfo, config: Ec2Config) -> dict:
    """The standard cluster definition (what ``--cluster-file`` reads), plus an ``ec2`` section."""
    nodes = []
    for index, instance in enumerate(info.instances, start=1):
        ssh = {"host": f"worker{index}", "hostname": instance.address, "user": config.user, "port": SSH_PORT}
        if config.identity_file:
            ssh["identityfile"] = config.identity_file
        nodes.append({"ssh_config": ssh, "externally_routable_ip": instance.private_ip or instance.address})
    return {"nodes": nodes,
            "ec2": {"name": info.name, "region": info.region, "owner": info.owner,
                    "instance_ids": [i.instance_id for i in info.instances]}}


def write_cluster_file(path: str | os.PathLike, definition: dict) -> Path:
    """Write *definition* as JSON (sorted keys, indent 2) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(definition, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)
    return path
