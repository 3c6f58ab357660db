"""Every name a cluster uses, derived from the cluster name alone.

Deriving (not storing) the names is what lets `down` find a cluster's namespaces,
links and firewall rules even when its state file was never written.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ducktape.errors import UsageError

STATE_ROOT = Path("/run/ducktape-cluster")
NAME_RULE = re.compile(r"^[a-z][a-z0-9-]{0,23}$")
NETNS_PREFIX = "dtc-"
MAX_NODES = 200


def check_name(name: str) -> str:
    """Return *name* if it can name a cluster (it becomes part of hostnames)."""
    if not NAME_RULE.match(name or "") or name.endswith("-"):
        raise UsageError(
            f"invalid cluster name: {name!r}",
            hint="1-24 characters: a lower-case letter, then letters, digits or '-', e.g. --name ci-7",
        )
    return name


def check_node_count(nodes: int) -> int:
    """Return *nodes* if a cluster can have that many (one /24 per cluster)."""
    if not 1 <= nodes <= MAX_NODES:
        raise UsageError(f"invalid node count: {nodes}", hint=f"--nodes takes 1 to {MAX_NODES}")
    return nodes


@dataclass(frozen=True)
class ClusterNames:
    """Names of everything cluster *name* makes on the host."""

    name: str
    root: Path = STATE_ROOT

    @property
    def tag(self) -> str:
        """Short hash used where the kernel limits names to 15 characters."""
        return hashlib.sha1(self.name.encode()).hexdigest()[:7]

    @property
    def bridge(self) -> str:
        return f"dtc{self.tag}"

    @property
    def firewall_comment(self) -> str:
        return f"ducktape-cluster:{self.name}"

    @property
    def state_dir(self) -> Path:
        return self.root / self.name

    @property
    def state_file(self) -> Path:
        return self.state_dir / "state.json"

    @property
    def identity_file(self) -> Path:
        return self.state_dir / "id_ed25519"

    @property
    def netns_prefix(self) -> str:
        return f"{NETNS_PREFIX}{self.name}-"

    def netns(self, index: int) -> str:
        return f"{self.netns_prefix}{index}"

    def veth(self, index: int) -> str:
        return f"{self.bridge}v{index}"

    def hostname(self, index: int) -> str:
        return f"{self.name}-node{index}"

    def node_dir(self, index: int) -> Path:
        return self.state_dir / "nodes" / str(index)

    def owns_netns(self, netns: str) -> bool:
        """True when *netns* is one of this cluster's node namespaces."""
        rest = netns[len(self.netns_prefix):] if netns.startswith(self.netns_prefix) else ""
        return rest.isdigit()

    def owns_link(self, link: str) -> bool:
        """True for this cluster's bridge and host-side veths."""
        return link == self.bridge or (link.startswith(self.bridge + "v") and link[len(self.bridge) + 1:].isdigit())
