"""Find which cluster wrote a given cluster file, so `down --cluster-file F` needs no --name."""
from __future__ import annotations

import json
from pathlib import Path

from ducktape.cluster.local_cluster.names import STATE_ROOT, ClusterNames, check_name
from ducktape.cluster.local_cluster.state import cluster_names_on_disk, read_state
from ducktape.errors import UsageError


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
    try:
        identity = Path(json.loads(Path(path).read_text())["nodes"][0]["ssh_config"]["identityfile"])
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        identity = None
    if identity is not None and identity.parent.parent == root:
        return check_name(identity.parent.name)
    raise UsageError(f"no ducktape-cluster wrote the cluster file {str(path)!r}",
                     hint="name the cluster instead: ducktape-cluster down --name NAME (see ducktape-cluster status)")
