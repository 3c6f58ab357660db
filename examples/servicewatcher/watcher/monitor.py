"""The monitor: one per node. Joins the cluster, computes the placement, runs its share.

Each tick (``loop_tick``, or ``failed_loop_tick`` while something is wrong) it reads the
members and the failed units from ZooKeeper, reports its own failed units, and once that
view has held for ``partitioner_boundary`` it computes the placement and starts or stops
its units to match. Cut off from ZooKeeper for longer than ``partitioner_reaction`` it
keeps only its global units (others take over the rest when its session expires). Until
it has seen ZooKeeper once it touches nothing: after a crash, running units stay up until
the monitor is back and has repartitioned.
"""
from __future__ import annotations

import json
import logging
import signal
import socket
import subprocess
import sys
import time

from kazoo.client import KazooClient, KazooState
from kazoo.exceptions import KazooException, NodeExistsError, NoNodeError
from kazoo.handlers.threading import KazooTimeoutError

from . import config as config_mod
from .partitioner import place, render, units_of
from .units import ACTIVE, FAILED, INACTIVE, backend

log = logging.getLogger("servicewatcher")
ZK_ERRORS = (KazooException, KazooTimeoutError)


def zk_client(cfg: config_mod.Config) -> KazooClient:
    return KazooClient(hosts=cfg.zookeeper, timeout=cfg.session_timeout,
                       connection_retry={"max_tries": -1, "max_delay": 0.5})


def read_failed(zk: KazooClient, root: str) -> set[tuple[str, str]]:
    """(host, unit) pairs recorded under ``<root>/failed`` as ``host:unit`` znodes."""
    try:
        children = zk.get_children(f"{root}/failed")
    except NoNodeError:
        return set()
    return {tuple(child.split(":", 1)) for child in children if ":" in child}


class Monitor:
    def __init__(self, config_path: str, host: str) -> None:
        self.config_path = config_path
        self.config = config_mod.load(config_path)
        self.loaded_at = time.time()
        self.host = host
        self.units = backend(self.config.units, self.config.state_dir)
        self.zk = zk_client(self.config)
        self.zk.add_listener(self._on_state)
        self.connected = False
        self.ever_connected = False
        self.contact_lost_at = time.time()
        self.reconnected = False
        self.view = None
        self.view_since = 0.0
        self.placement = None
        self.partitions = 0
        self.reload_seen = None
        self.reload_requested = False
        self.stopping = False
        self.published = None

    # -- ZooKeeper session -------------------------------------------------------------------

    def _on_state(self, state: str) -> None:
        """Runs in kazoo's thread: only note what happened; the loop acts on it."""
        if state == KazooState.CONNECTED:
            self.connected, self.ever_connected, self.reconnected = True, True, True
            self.contact_lost_at = None
        else:
            self.connected = False
            self.contact_lost_at = self.contact_lost_at or time.time()

    def server(self) -> str:
        """The ZooKeeper server this node talks to now (``ip:port``), or '' when none."""
        try:
            address = self.zk._connection._socket.getpeername()
            return f"{address[0]}:{address[1]}"
        except (AttributeError, OSError):
            return ""

    def _register(self, data: bytes) -> None:
        """Make sure our ephemeral member znode exists and belongs to this session."""
        path = f"{self.config.root}/members/{self.host}"
        stat = self.zk.exists(path)
        if stat is not None and stat.owner_session_id != self.zk.client_id[0]:
            self.zk.delete(path)       # left by our previous life, whose session has not expired yet
            stat = None
        if stat is None:
            try:
                self.zk.create(path, data, ephemeral=True, makepath=True)
            except NodeExistsError:
                pass
            self.published = None

    # -- the loop ----------------------------------------------------------------------------

    def run(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: setattr(self, "stopping", True))
        signal.signal(signal.SIGHUP, lambda *_: setattr(self, "reload_requested", True))
        log.info("monitor %s starting: zookeeper %s, units by %s", self.host, self.config.zookeeper, self.units.name)
        self.zk.start_async()
        try:
            while not self.stopping:
                troubled = self.tick()
                t = self.config.timings
                time.sleep(t.failed_loop_tick if troubled else t.loop_tick)
        finally:
            log.info("monitor %s stopping; units keep running", self.host)
            self.zk.stop()
            self.zk.close()

    def local_states(self) -> dict[str, str]:
        units = set(self.units.known()) | set(self.config.units_declared())
        return {unit: self.units.state(unit) for unit in sorted(units)}

    def tick(self) -> bool:
        """One pass; returns True when something is wrong (slower ticks)."""
        now = time.time()
        states = self.local_states()
        failed_here = {unit for unit, state in states.items() if state == FAILED}
        if self.reload_requested:
            self.reload(states)
            states = self.local_states()
            failed_here = set()
        if self.connected:
            try:
                self.sync_with_zookeeper(now, states, failed_here)
            except ZK_ERRORS as err:
                log.warning("zookeeper: %s", type(err).__name__)
                return True
        elif self.ever_connected and now - self.contact_lost_at > self.config.timings.partitioner_reaction:
            if self.placement is not None:
                log.warning("no zookeeper for %.1fs: keeping only global units", now - self.contact_lost_at)
                self.placement, self.view = None, None
            self.apply({s.name for s in self.config.services if s.kind == "global" and s.enabled}, states, {})
        return bool(failed_here) or not self.connected

    def sync_with_zookeeper(self, now: float, states: dict[str, str], failed_here: set[str]) -> None:
        root = self.config.root
        self._register(self._member_data(states, failed_here))
        if self.reconnected:
            self.reconnected = False
            log.info("connected to zookeeper %s; repartitioning", self.server())
            self.placement = None
        recorded = read_failed(self.zk, root)
        for unit in sorted(failed_here - {u for h, u in recorded if h == self.host}):
            try:
                self.zk.create(f"{root}/failed/{self.host}:{unit}", b"", makepath=True)
                log.warning("unit %s failed here: this node is excluded for it until reset", unit)
            except NodeExistsError:
                pass
        self.check_reload_request()
        members = frozenset(self.zk.get_children(f"{root}/members"))
        failed = frozenset(recorded | {(self.host, u) for u in failed_here})
        view = (members, failed)
        if view != self.view:
            self.view, self.view_since = view, now
        if now - self.view_since >= self.config.timings.partitioner_boundary:
            placement = place(members, self.config, failed)
            if placement != self.placement:
                self.partitions += 1
                log.info("placement #%d over %s: %s", self.partitions, sorted(members),
                         {u: list(h) for u, h in placement.items()})
                self.placement = placement
            self.apply(units_of(placement, self.host), states, placement)
        data = self._member_data(self.local_states(), failed_here)
        if data != self.published:
            self.zk.set(f"{root}/members/{self.host}", data)
            self.published = data

    def check_reload_request(self) -> None:
        """A reload asked after this monitor loaded its config (``reload`` writes the time)."""
        try:
            data, stat = self.zk.get(f"{self.config.root}/reload")
        except NoNodeError:
            data, stat = b"", None
        token = stat.mzxid if stat else 0
        if self.reload_seen is None:
            try:
                self.reload_requested |= float(data or 0) > self.loaded_at
            except ValueError:
                pass
        elif token != self.reload_seen:
            self.reload_requested = True
        self.reload_seen = token

    def apply(self, desired: set[str], states: dict[str, str], placement: dict) -> None:
        """Start desired units that are not running; stop running units that are not desired."""
        for unit in sorted(desired):
            if states.get(unit, INACTIVE) != INACTIVE:
                continue
            service = self.config.service_of(unit)
            values = {"unit": unit, "host": self.host, "python": sys.executable}
            if service.prestart:
                script = render(service.prestart, placement, **values)
                done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30, check=False)
                if done.returncode != 0:
                    log.warning("prestart of %s failed (%d): %s", unit, done.returncode, done.stderr.strip()[-300:])
                    continue
            log.info("start %s", unit)
            self.units.start(unit, render(service.command, placement, **values))
        for unit, state in states.items():
            if state == ACTIVE and unit not in desired:
                log.info("stop %s", unit)
                self.units.stop(unit)

    def reload(self, states: dict[str, str]) -> None:
        """Re-read the config, reset this node's failed units, repartition."""
        self.reload_requested = False
        try:
            self.config = config_mod.load(self.config_path)
            self.loaded_at = time.time()
        except (OSError, config_mod.ConfigError) as err:
            log.error("reload: keeping the old configuration: %s", err)
        for unit, state in states.items():
            if state == FAILED:
                self.units.reset_failed(unit)
                if self.connected:
                    try:
                        self.zk.delete(f"{self.config.root}/failed/{self.host}:{unit}")
                    except NoNodeError:
                        pass
                    except ZK_ERRORS as err:   # the next reload clears it; the unit itself is reset
                        log.warning("reload: could not clear failed %s: %s", unit, type(err).__name__)
        self.view, self.placement = None, None
        log.info("reloaded: config %s, failed units reset", self.config.digest)

    def _member_data(self, states: dict[str, str], failed_here: set[str]) -> bytes:
        return json.dumps({"server": self.server(), "partitions": self.partitions, "config": self.config.digest,
                           "running": sorted(u for u, s in states.items() if s == ACTIVE),
                           "failed": sorted(failed_here)}, sort_keys=True).encode()


def default_host() -> str:
    return socket.gethostname()
