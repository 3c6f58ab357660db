"""The YAML configuration every node shares: ZooKeeper, timings, services.

Loaded into frozen dataclasses and checked once; a bad file fails with one message naming
the service and the rule, so every node refuses the same file for the same reason.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import yaml

KINDS = ("global", "shared", "multi")
DEFAULT_COMMAND = "exec -a sw:{unit} sleep 86400"


class ConfigError(ValueError):
    """The configuration breaks a rule; the message names where."""


@dataclass(frozen=True)
class Timings:
    """Seconds. ``loop_tick``: period of the monitor loop; ``failed_loop_tick``: its period
    while ZooKeeper is unreachable or a local unit has failed; ``partitioner_boundary``: how
    long the membership and failed set must stay unchanged before the node acts on them;
    ``partitioner_reaction``: how long a node cut off from ZooKeeper keeps its non-global
    instances before it stops them (others take them over once its session expires)."""

    loop_tick: float = 1.0
    failed_loop_tick: float = 2.0
    partitioner_boundary: float = 2.0
    partitioner_reaction: float = 10.0


@dataclass(frozen=True)
class Service:
    """One declared service. ``counts`` maps instance name to how many nodes run it:
    ``{name: count}`` for shared, ``{name@X: count}`` for multi, empty for global.
    ``force`` maps an instance to the one host it may run on."""

    name: str
    kind: str
    counts: dict = field(default_factory=dict)
    force: dict = field(default_factory=dict)
    enabled: bool = True
    command: str = DEFAULT_COMMAND
    prestart: str = ""


@dataclass(frozen=True)
class Config:
    zookeeper: str
    root: str
    session_timeout: float
    timings: Timings
    services: tuple
    units: str = "auto"
    state_dir: str = "/var/lib/servicewatcher"
    digest: str = ""

    def service_of(self, unit: str) -> Service | None:
        """The service a unit (``web`` or ``db@a``) belongs to."""
        name = unit.split("@", 1)[0]
        return next((s for s in self.services if s.name == name), None)

    def units_declared(self) -> list[str]:
        """Every unit any node may run under this config (enabled or not)."""
        out = []
        for service in self.services:
            out.extend([service.name] if service.kind == "global" else sorted(service.counts))
        return out


def load(path: str) -> Config:
    with open(path) as handle:
        text = handle.read()
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not YAML: {err}") from None
    return parse(raw)


def parse(raw: dict) -> Config:
    """Check *raw* (the YAML as Python data) and build the Config."""
    if not isinstance(raw, dict):
        raise ConfigError("the configuration must be a mapping")
    timings = raw.get("timings") or {}
    unknown = set(timings) - set(Timings.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"unknown timings {sorted(unknown)}; known: {sorted(Timings.__dataclass_fields__)}")
    services = tuple(_service(name, spec or {}) for name, spec in sorted((raw.get("services") or {}).items()))
    if not raw.get("zookeeper"):
        raise ConfigError("zookeeper: give the ensemble as host:port,host:port")
    units = raw.get("units", "auto")
    if units not in ("auto", "systemd", "supervisor"):
        raise ConfigError(f"units: {units!r}; use auto, systemd or supervisor")
    return Config(zookeeper=str(raw["zookeeper"]), root=str(raw.get("root", "/servicewatcher")).rstrip("/"),
                  session_timeout=float(raw.get("session_timeout", 10.0)),
                  timings=Timings(**{k: float(v) for k, v in timings.items()}), services=services, units=units,
                  state_dir=str(raw.get("state_dir", "/var/lib/servicewatcher")),
                  digest=hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()[:12])


def _service(name: str, spec: dict) -> Service:
    kind = spec.get("kind")
    if kind not in KINDS:
        raise ConfigError(f"service {name}: kind {kind!r}; use one of {', '.join(KINDS)}")
    if "@" in name or ":" in name or "/" in name:
        raise ConfigError(f"service {name}: names may not contain '@', ':' or '/'")
    counts: dict = {}
    force = spec.get("force") or {}
    if kind == "shared":
        counts = {name: _count(name, spec.get("count", 1))}
        force = {name: force} if isinstance(force, str) else force
    elif kind == "multi":
        instances = spec.get("instances")
        if not isinstance(instances, dict) or not instances:
            raise ConfigError(f"service {name}: multi needs instances: {{X: count, ...}}")
        counts = {f"{name}@{x}": _count(f"{name}@{x}", n) for x, n in instances.items()}
        force = {f"{name}@{x}": host for x, host in force.items()}
    elif force:
        raise ConfigError(f"service {name}: force applies to shared and multi services only")
    for instance, host in force.items():
        if instance not in counts:
            raise ConfigError(f"service {name}: force names {instance}, which is not one of its instances")
        if counts[instance] != 1:
            raise ConfigError(f"service {name}: force {instance} needs a count of 1, not {counts[instance]}")
        if not isinstance(host, str) or not host:
            raise ConfigError(f"service {name}: force {instance} must name one host")
    return Service(name=name, kind=kind, counts=counts, force=dict(force), enabled=bool(spec.get("enabled", True)),
                   command=str(spec.get("command", DEFAULT_COMMAND)), prestart=str(spec.get("prestart", "")))


def _count(instance: str, value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"{instance}: count must be a whole number >= 0, got {value!r}")
    return value
