"""Find which cluster wrote a given cluster file, so `down --cluster-file F` needs no --name."""
from __future__ import annotations

import json
from pathlib import Path

from ducktape.cluster.local_cluster.names import (
    NAME_RULE,
    STATE_ROOT,
    ClusterNames,
    check_name,
)
from ducktape.cluster.local_cluster.state import cluster_names_on_disk, read_state
from ducktape.errors import UsageError


def writer_of(path: Path, root: Path = STATE_ROOT) -> str | None:
    """The name of the local cluster whose `up` wrote *path* (its key lives under *root*), or
    None when *path* is missing or was written by something else (by hand, `ec2 up`)."""
    try:
        identity = Path(json.loads(Path(path).read_text())["nodes"][0]["ssh_config"]["identityfile"])
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None
    return identity.parent.name if identity.parent.parent == root and NAME_RULE.match(identity.parent.name) else None


def check_overwrite(path: Path, name: str, root: Path = STATE_ROOT) -> None:
    """Refuse to replace *path* unless `ducktape-cluster up` wrote it for a cluster that is no
    longer up (or for *name*, whose own `up` then refuses the name)."""
    path = Path(path)
    if not path.exists():
        return
    writer = writer_of(path, root)
    if writer is None:
        raise UsageError(f"--cluster-file {str(path)!r} exists and was not written by ducktape-cluster up; "
                         "not replacing it",
                         hint="pass another --cluster-file (or remove that file if it is not needed)")
    if writer != name and read_state(ClusterNames(writer, root).state_file) is not None:
        raise UsageError(f"--cluster-file {str(path)!r} is the file of cluster {writer!r}, which is up; "
                         "not replacing it",
                         hint=f"ducktape-cluster down --name {writer} first, or pass another --cluster-file")


def name_for_cluster_file(path: Path, root: Path = STATE_ROOT) -> str | None:
    """The name of the cluster whose `up` wrote *path*; None when *path* is gone and no
    cluster claims it (a second `down --cluster-file` has nothing left to do)."""
    wanted = str(Path(path).absolute())
    for name in cluster_names_on_disk(root):
        state = read_state(ClusterNames(name, root).state_file)
        if state is not None and state.cluster_file == wanted:
            return name
    if not Path(path).exists():
        return None
    writer = writer_of(path, root)
    if writer is not None:
        return check_name(writer)
    raise UsageError(f"no ducktape-cluster wrote the cluster file {str(path)!r}",
                     hint="name the cluster instead: ducktape-cluster down --name NAME (see ducktape-cluster status)")
