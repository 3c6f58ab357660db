"""`ducktape-cluster up | down | status`: the console face of `lifecycle`.

This module alone prints and chooses exit codes: 0 done, 1 the machine refused
(a command failed), 2 bad input or missing prerequisites (one line + `hint:`).
"""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

import click

from ducktape.cluster.ec2.cli import ec2
from ducktape.cluster.ec2.errors import UpInterrupted
from ducktape.cluster.local_cluster.errors import LocalClusterError
from ducktape.defaults import ConsoleDefaults
from ducktape.errors import USAGE_EXIT, UsageError
from ducktape.utils.plural import counted

DEFAULT_NAME = "ducktape"
DEFAULT_CLUSTER_FILE = Path(ConsoleDefaults.CLUSTER_FILE)
PROG = "ducktape-cluster"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Run a local multi-node cluster of Linux namespaces, each node with its own sshd
    (up, down, status), or a cluster of EC2 instances (ec2 up, ec2 down, ec2 status)."""


@cli.command()
@click.option("--nodes", "-n", "node_count", type=int, required=True, help="number of nodes")
@click.option("--name", default=DEFAULT_NAME, show_default=True, help="cluster name (several may coexist)")
@click.option("--cluster-file", type=click.Path(path_type=Path), default=DEFAULT_CLUSTER_FILE,
              show_default=True, help="where to write the cluster JSON for `ducktape --cluster-file`")
@click.option("--share", "shares", multiple=True, metavar="DIR",
              help="host directory to bind at the same path on every node (repeatable)")
def up(node_count: int, name: str, cluster_file: Path, shares: tuple[str, ...]) -> None:
    """Create NAME with --nodes nodes and write its cluster file."""
    from ducktape.cluster.local_cluster import lifecycle

    _preflight()
    began = time.monotonic()
    state = lifecycle.up(name, node_count, cluster_file, shares=shares)
    click.echo(f"cluster {state.name}: {counted(len(state.nodes), 'node')} on {state.subnet} "
               f"(host {state.host_ip}, bridge {state.bridge}), up in {time.monotonic() - began:.1f}s")
    for node in state.nodes:
        click.echo(f"  {node.hostname}  {node.ip}")
    asked = {os.path.abspath(s) for s in shares}
    for extra in (s for s in state.shares if s not in asked):
        click.echo(f"shared too: {extra} (an editable install in a shared virtualenv runs from there)")
    click.echo(f"cluster file: {state.cluster_file}")
    click.echo(f"ssh: ssh -F {state.state_dir}/ssh_config {state.nodes[0].hostname}")


@cli.command()
@click.option("--name", default=None,
              help=f"cluster to remove [default: the one of --cluster-file, else of {DEFAULT_CLUSTER_FILE} here]")
@click.option("--cluster-file", type=click.Path(path_type=Path), default=None,
              help="find the cluster by the file `up` wrote")
def down(name: str | None, cluster_file: Path | None) -> None:
    """Remove a cluster: processes, namespaces, links, firewall rules, files. Safe to repeat."""
    from ducktape.cluster.local_cluster import lifecycle
    from ducktape.cluster.local_cluster.lookup import name_for_cluster_file, writer_of

    _preflight()
    if name is None and cluster_file is not None:
        name = name_for_cluster_file(cluster_file)
        if name is None:
            click.echo(f"cluster file {cluster_file} is gone and no cluster claims it: nothing to remove")
            return
    if name is None:
        name = writer_of(DEFAULT_CLUSTER_FILE) or _only_cluster(lifecycle.status())
    report = lifecycle.down(name)
    if report.existed:
        click.echo(f"cluster {report.name}: removed ({counted(len(report.netns), 'namespace')}, {counted(len(report.killed), 'process', 'processes')})")
    else:
        click.echo(f"cluster {report.name}: nothing to remove")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="print machine-readable JSON")
def status(as_json: bool) -> None:
    """List clusters on this host and whether each node is alive."""
    from ducktape.cluster.local_cluster import lifecycle

    _preflight()
    clusters = lifecycle.status()
    if as_json:
        click.echo(json.dumps([asdict(c) for c in clusters], indent=2))
        return
    if not clusters:
        click.echo("no clusters")
    for c in clusters:
        click.echo(_describe(c))


cli.add_command(ec2)


def _describe(cluster) -> str:
    from tabulate import tabulate

    head = (f"cluster {cluster.name}: subnet {cluster.subnet or '?'}, bridge {cluster.bridge}, "
            f"file {cluster.cluster_file or '-'}{'' if cluster.complete else ' (incomplete: run down)'}")
    rows = [(n.hostname, n.ip, n.netns, n.init_pid or "-", "alive" if n.alive else "dead") for n in cluster.nodes]
    table = tabulate(rows, headers=["node", "ip", "netns", "pid", "state"], tablefmt="plain")
    return head + "\n" + "\n".join("  " + line for line in table.splitlines())


def _only_cluster(clusters: list) -> str:
    """The cluster `down` without a name means when no cluster file here names one: none to
    choose from is nothing to do; otherwise the user picks (``status`` lists them)."""
    if not clusters:
        click.echo(f"no cluster file {DEFAULT_CLUSTER_FILE} here and no clusters on this host: nothing to remove")
        raise click.exceptions.Exit(0)
    listed = ", ".join(c.name for c in clusters)
    raise UsageError(f"which cluster? no cluster file {DEFAULT_CLUSTER_FILE} here names one; clusters on this "
                     f"host: {listed}",
                     hint=f"ducktape-cluster down --name {clusters[0].name} (ducktape-cluster status shows them)")


def _preflight() -> None:
    from ducktape.cluster.local_cluster.preflight import check_platform

    check_platform([PROG, *sys.argv[1:]])


def main(argv: list[str] | None = None) -> int:
    """Console script entry point; returns the exit status (and exits with it when run as a script)."""
    try:
        cli.main(args=argv, prog_name=PROG, standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as err:
        err.show()
        return err.exit_code
    except UsageError as err:
        click.echo(f"{PROG}: {err}", err=True)
        return getattr(err, "exit_status", USAGE_EXIT)
    except LocalClusterError as err:
        click.echo(f"{PROG}: {err}", err=True)
        return 1
    except (KeyboardInterrupt, click.Abort) as err:
        cause = err.__cause__ if isinstance(err, click.Abort) else err  # click wraps Ctrl-C in Abort
        said = str(cause) if isinstance(cause, UpInterrupted) else ""  # what ec2 up terminated
        click.echo(f"{PROG}: interrupted{': ' + said if said else ''}", err=True)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
