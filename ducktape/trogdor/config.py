"""Trogdor's config file plus ours: nodes with host and ports, token file, bind address,
state directory and coordinator timings.

    {"nodes": {"node1": {"hostname": "10.0.0.1", "trogdor.agent.port": 8888},
               "node0": {"hostname": "10.0.0.0", "trogdor.coordinator.port": 8889}},
     "trogdor.token.file": "/mnt/trogdor/token",         # ours, from here down
     "trogdor.bind.address": "10.0.0.1",                 # also per node
     "trogdor.state.dir": "/var/lib/ducktape-trogdor",   # also per node
     "trogdor.coordinator.heartbeat.ms": 1000,
     "trogdor.coordinator.agent.timeout.ms": 10000}
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any

DEFAULT_AGENT_PORT = 8888
DEFAULT_COORDINATOR_PORT = 8889


class ConfigError(ValueError):
    """A bad config file or flag; the message names it and says how to fix it."""


@dataclass(frozen=True)
class NodeConfig:
    """One node's entry in the config file."""

    name: str
    hostname: str = "localhost"
    agent_port: int | None = None
    coordinator_port: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TrogdorConfig:
    """The parsed config file (an empty one when none was given)."""

    nodes: dict[str, NodeConfig] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def node(self, name: str) -> NodeConfig:
        if name not in self.nodes:
            if not self.nodes:
                return NodeConfig(name)
            raise ConfigError(f"node {name!r} is not in the config file; hint: use one of "
                              + ", ".join(sorted(self.nodes)))
        return self.nodes[name]

    def setting(self, node: str, key: str, default: Any = None) -> Any:
        """A key from the node's entry, else the top level, else ``default``."""
        entry = self.nodes.get(node)
        if entry is not None and key in entry.extra:
            return entry.extra[key]
        return self.extra.get(key, default)

    def agents(self) -> dict[str, tuple[str, int]]:
        """Every node that runs an agent: name -> (hostname, agent port)."""
        return {n.name: (n.hostname, n.agent_port) for n in self.nodes.values() if n.agent_port is not None}

    def state_dir(self, node: str) -> str:
        default = os.path.join(tempfile.gettempdir(), f"ducktape-trogdor-{os.getuid()}", node)
        return str(self.setting(node, "trogdor.state.dir", default))


def load_config(path: str | None) -> TrogdorConfig:
    """Parse a config file; ``ConfigError`` naming the file and the bad key."""
    if path is None:
        return TrogdorConfig()
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise ConfigError(f"cannot read config file {path}: {e.strerror}") from None
    except ValueError as e:
        raise ConfigError(f"config file {path} is not JSON: {e}") from None
    if not isinstance(data, dict) or not isinstance(data.get("nodes", {}), dict):
        raise ConfigError(f"config file {path}: hint: expected {{\"nodes\": {{NAME: {{\"hostname\": ...}}}}}}")
    nodes = {}
    for name, entry in data.get("nodes", {}).items():
        if not isinstance(entry, dict):
            raise ConfigError(f"config file {path}: nodes.{name} must be an object")
        nodes[name] = NodeConfig(
            name, str(entry.get("hostname", "localhost")),
            _port(path, name, entry, "trogdor.agent.port"), _port(path, name, entry, "trogdor.coordinator.port"),
            {k: v for k, v in entry.items() if k not in ("hostname", "trogdor.agent.port", "trogdor.coordinator.port")})
    return TrogdorConfig(nodes, {k: v for k, v in data.items() if k != "nodes"})


def _port(path: str, name: str, entry: dict, key: str) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    try:
        port = int(value)
    except (TypeError, ValueError):
        port = -1
    if not 0 <= port <= 65535:
        raise ConfigError(f"config file {path}: nodes.{name}.{key} must be a port number, got {value!r}")
    return port
