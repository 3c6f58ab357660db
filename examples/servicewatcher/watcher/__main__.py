"""Command line: ``python -m watcher {monitor,status,reload,stop-units} --config FILE``."""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time

from kazoo.exceptions import NoNodeError

from . import config as config_mod
from .monitor import ZK_ERRORS, Monitor, default_host, read_failed, zk_client
from .partitioner import place
from .units import ACTIVE, backend


def status(cfg: config_mod.Config) -> dict:
    """The cluster as ZooKeeper sees it: members (and what each reports), placement, failed units."""
    zk = zk_client(cfg)
    zk.start(timeout=cfg.session_timeout * 2)
    try:
        members = {}
        try:
            hosts = sorted(zk.get_children(f"{cfg.root}/members"))
        except NoNodeError:    # no monitor has joined yet
            hosts = []
        for host in hosts:
            try:
                data, _ = zk.get(f"{cfg.root}/members/{host}")
            except NoNodeError:  # left between the two reads
                continue
            members[host] = json.loads(data or b"{}")
        failed = read_failed(zk, cfg.root)
    finally:
        zk.stop()
        zk.close()
    return {"members": members, "failed": sorted([h, u] for h, u in failed),
            "placement": {unit: list(hosts) for unit, hosts in place(members, cfg, failed).items()},
            "config": cfg.digest}


def reload(cfg: config_mod.Config) -> None:
    """Ask every monitor to re-read its config, reset its failed units and repartition."""
    zk = zk_client(cfg)
    zk.start(timeout=cfg.session_timeout * 2)
    try:
        zk.ensure_path(f"{cfg.root}/reload")
        zk.set(f"{cfg.root}/reload", str(time.time()).encode())
    finally:
        zk.stop()
        zk.close()


def stop_units(cfg: config_mod.Config) -> list[str]:
    """Stop every unit this node runs (for tearing a node down; the monitor should be stopped)."""
    units = backend(cfg.units, cfg.state_dir)
    stopped = [u for u in sorted(set(units.known()) | set(cfg.units_declared())) if units.state(u) == ACTIVE]
    for unit in stopped:
        units.stop(unit)
    return stopped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="servicewatcher")
    parser.add_argument("command", choices=["monitor", "status", "reload", "stop-units"])
    parser.add_argument("--config", required=True, help="the YAML file every node shares")
    parser.add_argument("--host", default=default_host(), help="this node's member name (default: hostname)")
    parser.add_argument("--json", action="store_true", help="status: print JSON")
    args = parser.parse_args(argv)
    try:
        cfg = config_mod.load(args.config)
    except (OSError, config_mod.ConfigError) as err:
        print(f"servicewatcher: {args.config}: {err}\nhint: see docs/servicewatcher.md for the format", file=sys.stderr)
        return 2
    # the monitor logs to stdout (its log file); the other commands keep stdout for their answer
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s",
                        stream=sys.stdout if args.command == "monitor" else sys.stderr)
    logging.getLogger("kazoo").setLevel(logging.WARNING)
    try:
        if args.command == "monitor":
            Monitor(args.config, args.host).run()
        elif args.command == "status":
            view = status(cfg)
            if args.json:
                print(json.dumps(view, sort_keys=True))
            else:
                print("members: " + ", ".join(f"{h} (zk {d.get('server', '?')})" for h, d in view["members"].items()))
                for unit, hosts in view["placement"].items():
                    print(f"  {unit}: {', '.join(hosts) or '-'}")
                print("failed: " + (", ".join(f"{u} on {h}" for h, u in view["failed"]) or "none"))
        elif args.command == "reload":
            reload(cfg)
        else:
            print(" ".join(stop_units(cfg)))
    except ZK_ERRORS as err:
        print(f"servicewatcher: zookeeper {cfg.zookeeper}: {type(err).__name__}\n"
              "hint: check that the ensemble is up and reachable from this node", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
