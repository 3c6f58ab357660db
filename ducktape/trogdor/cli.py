"""``ducktape-trogdor``: run an agent or a coordinator, exec one task, or drive them.

    ducktape-trogdor agent --node-name N [--config FILE] (--token-file F | --allow-unauthenticated)
    ducktape-trogdor agent --node-name N --exec SPEC
    ducktape-trogdor coordinator --node-name N --config FILE (--token-file F | --allow-unauthenticated)
    ducktape-trogdor client --target HOST:PORT [--token-file F] {uptime,status,showTask,...}
    ducktape-trogdor agent-client --target HOST:PORT [--token-file F] {uptime,status,createWorker,...}
    ducktape-trogdor heal [--task ID] [--list]     (undo faults left on this node)

Standard library only: this is also the entry point of the agent's zip file.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import tempfile
import time
from typing import Any

from ducktape.trogdor import cli_client
from ducktape.trogdor.cli_common import UsageError, parse_spec_argument
from ducktape.trogdor.config import (
    DEFAULT_AGENT_PORT,
    DEFAULT_COORDINATOR_PORT,
    ConfigError,
    TrogdorConfig,
    load_config,
)
from ducktape.trogdor.faults import cli as faults_cli
from ducktape.trogdor.rest import read_token
from ducktape.trogdor.spec import SpecError, TaskSpec
from ducktape.trogdor.worker import Platform

SPEC_MODULES = ("ducktape.trogdor.workloads", "ducktape.trogdor.faults")


def load_spec_modules() -> None:
    """Import every module that registers spec kinds (the faults package is optional)."""
    import importlib
    for name in SPEC_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line with a hint (exit status 2), no usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message}; hint: {self.prog} --help\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ducktape-trogdor", description="Trogdor-style agents, coordinator and client.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    verbs = parser.add_subparsers(dest="verb", metavar="{agent,coordinator,client,agent-client,heal}")
    verbs.required = True
    for verb in ("agent", "coordinator"):
        p = verbs.add_parser(verb, help={"agent": "run an agent", "coordinator": "run a coordinator"}[verb])
        p.add_argument("--node-name", "-n", required=True, help="this node's name in the config file")
        p.add_argument("--config", "-c", f"--{verb}.config", dest="config", help="Trogdor config file (JSON)")
        p.add_argument("--token-file", help="file holding the bearer token (else trogdor.token.file)")
        p.add_argument("--allow-unauthenticated", action="store_true",
                       help="serve without a token, as Trogdor does, so its own clients work; "
                            "anyone who can reach the port can run tasks")
        p.add_argument("--bind", help="address to listen on (else trogdor.bind.address, else the node's hostname)")
        p.add_argument("--port", type=int, help="port to listen on (0 = any free port; else from the config)")
        if verb == "agent":
            p.add_argument("--state-dir", help="where the agent keeps its workers' state")
            p.add_argument("--exec", "-e", dest="exec_spec", metavar="SPEC",
                           help="run one task here (spec file or JSON), print its final state, exit 0/1")
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)
    cli_client.add_parsers(verbs)
    faults_cli.add_parser(verbs)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.INFO, stream=sys.stderr,
                        format="[%(asctime)s] %(levelname)s %(name)s: %(message)s")
    try:
        load_spec_modules()
        if args.verb in ("client", "agent-client"):
            return cli_client.run(args)
        if args.verb == "heal":
            return faults_cli.run(args)
        config = load_config(args.config)
        if args.verb == "agent" and args.exec_spec:
            return _exec(args, config)
        return _serve(args, config)
    except (UsageError, ConfigError, SpecError) as e:
        if args.debug:
            raise
        print(f"ducktape-trogdor: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _token(args: argparse.Namespace, config: TrogdorConfig) -> str | None:
    """The bearer token to require, or None when the daemon was asked to serve without one."""
    path = args.token_file or config.setting(args.node_name, "trogdor.token.file")
    if path and args.allow_unauthenticated:
        raise UsageError(f"both a token file ({path}, from --token-file or trogdor.token.file) and "
                         "--allow-unauthenticated were given; hint: keep only one of them")
    if not path:
        if args.allow_unauthenticated:
            return None
        raise UsageError("no token file; hint: pass --token-file FILE (a secret the clients also know) "
                         "or set trogdor.token.file in the config, or pass --allow-unauthenticated "
                         "to serve Trogdor's own clients without a token")
    try:
        return read_token(str(path))
    except OSError as e:
        raise UsageError(f"cannot read token file {path}: {e.strerror}") from None
    except ValueError as e:
        raise UsageError(str(e)) from None


def _serve(args: argparse.Namespace, config: TrogdorConfig) -> int:
    from ducktape.trogdor.agent import Agent
    from ducktape.trogdor.coordinator import Coordinator
    node = config.node(args.node_name)
    token = _token(args, config)
    bind = args.bind or config.setting(node.name, "trogdor.bind.address") or node.hostname
    log = logging.getLogger(f"trogdor.{args.verb}")
    log.info("Starting %s process.", args.verb)
    try:
        if args.verb == "agent":
            port = args.port if args.port is not None else (node.agent_port or DEFAULT_AGENT_PORT)
            state_dir = args.state_dir or config.state_dir(node.name)
            os.makedirs(state_dir, exist_ok=True)
            daemon: Any = Agent(Platform(node.name, state_dir, _hostnames(config)), token, bind, port)
        else:
            port = args.port if args.port is not None else (node.coordinator_port or DEFAULT_COORDINATOR_PORT)
            agents = config.agents()
            if not agents:
                raise UsageError(f"config file {args.config}: no node has \"trogdor.agent.port\"; "
                                 "hint: list the agents' nodes with their ports")
            daemon = Coordinator(agents, token, bind, port,
                                 heartbeat_s=float(config.setting(node.name, "trogdor.coordinator.heartbeat.ms", 1000)) / 1000,
                                 unreachable_s=float(config.setting(node.name, "trogdor.coordinator.agent.timeout.ms", 10000)) / 1000)
    except OSError as e:
        raise UsageError(f"cannot listen on port {port} of {bind}: {e.strerror}; "
                         "hint: pick another --port or --bind address") from None
    host, real_port = daemon.server.address
    if token is None:
        log.warning("no authentication: anyone who can reach http://%s:%d can create and stop tasks "
                    "(--allow-unauthenticated)", host, real_port)
    stop = daemon.shutdown if args.verb == "agent" else daemon.stopped.set
    signal.signal(signal.SIGTERM, lambda *_: stop())
    signal.signal(signal.SIGINT, lambda *_: stop())
    daemon.start()
    log.info("Trogdor %s on node %s listening on http://%s:%d", args.verb, node.name, host, real_port)
    print(f"Trogdor {args.verb} on node {node.name} listening on http://{host}:{real_port}", flush=True)
    daemon.wait()
    log.info("Trogdor %s on node %s stopped.", args.verb, node.name)
    return 0


def _hostnames(config: TrogdorConfig) -> dict[str, str]:
    """Node name -> hostname: how workers resolve the node names in specs, as Trogdor's do."""
    return {n.name: n.hostname for n in config.nodes.values()}


def _exec(args: argparse.Namespace, config: TrogdorConfig) -> int:
    """Run one task on this node, with no coordinator and no REST server."""
    from ducktape.trogdor.worker_manager import WorkerManager
    spec = TaskSpec.from_json(parse_spec_argument(args.exec_spec))
    state_dir = args.state_dir or tempfile.mkdtemp(prefix="ducktape-trogdor-exec-")
    manager = WorkerManager(Platform(args.node_name, state_dir, _hostnames(config)))
    log = logging.getLogger("trogdor.agent")
    log.info("Running task %s here on node %s.", spec.class_name, args.node_name)
    signal.signal(signal.SIGTERM, lambda *_: manager.stop(0))
    spec = spec.with_start_ms(max(spec.start_ms, int(time.time() * 1000)))  # as Trogdor's --exec
    manager.create(0, "exec", spec.to_json())
    try:
        while not manager.wait_done(0, 0.5):
            pass
    except KeyboardInterrupt:
        manager.stop(0)
        manager.wait_done(0)
    state = manager.states()["0"]
    print(json.dumps(state, indent=2, sort_keys=True), flush=True)
    return 0 if not state.get("error") else 1
