"""What `up` made, on disk under /run/ducktape-cluster/<name>/state.json.

The file is rewritten atomically at each step of `up`, so after a crash it holds
either the previous step or the next one, never half of each. `down` treats it as
a hint: names come from `names.ClusterNames`, PIDs are checked before any kill.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ducktape.cluster.local_cluster.names import NAME_RULE, STATE_ROOT


@dataclass
class NodeState:
    """One node: where it lives on the network and which host PIDs hold it."""

    index: int
    hostname: str
    ip: str
    netns: str
    veth: str
    holder_pid: int | None = None
    init_pid: int | None = None


@dataclass
class ClusterState:
    """One cluster as recorded by `up`; `complete` turns True once every node answered."""

    name: str
    subnet: str
    bridge: str
    host_ip: str
    state_dir: str
    identity_file: str
    cluster_file: str | None = None
    complete: bool = False
    nodes: list[NodeState] = field(default_factory=list)
    shares: list[str] = field(default_factory=list)  # host dirs bind-mounted at the same path on every node

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, doc: dict) -> ClusterState:
        nodes = [NodeState(**n) for n in doc.get("nodes", [])]
        return cls(**{**doc, "nodes": nodes})


def write_state(path: Path, state: ClusterState) -> None:
    """Replace *path* atomically with *state*."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state.to_json(), indent=2) + "\n")
    os.replace(tmp, path)


def read_state(path: Path) -> ClusterState | None:
    """Return the state at *path*, or None when it is missing or unreadable."""
    try:
        return ClusterState.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def cluster_names_on_disk(root: Path = STATE_ROOT) -> list[str]:
    """Names of the clusters that have a state directory under *root*."""
    try:
        entries = sorted(p.name for p in root.iterdir() if p.is_dir())
    except FileNotFoundError:
        return []
    return [name for name in entries if NAME_RULE.match(name)]


@contextlib.contextmanager
def state_lock(root: Path = STATE_ROOT) -> Iterator[None]:
    """Serialise cluster creation and removal between concurrent commands."""
    root.mkdir(mode=0o755, parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
