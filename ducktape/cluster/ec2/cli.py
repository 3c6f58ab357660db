"""``ducktape-cluster ec2 up | down | status``: EC2 clusters from the command line.

Errors leave as Ec2Error/UsageError; ``ducktape-cluster``'s main prints them as one
line plus ``hint:`` and picks the exit status.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from ducktape.cluster.ec2.config import load_config
from ducktape.defaults import ConsoleDefaults
from ducktape.errors import UsageError
from ducktape.utils.plural import counted

DEFAULT_CLUSTER_FILE = Path(ConsoleDefaults.CLUSTER_FILE)


@click.group()
def ec2() -> None:
    """Clusters of EC2 instances, tagged so they can always be found and ended."""


@ec2.command()
@click.option("--config", "config_path", required=True, type=click.Path(), help="EC2 config file (YAML)")
@click.option("--nodes", "-n", "node_count", type=int, required=True, help="number of instances")
@click.option("--name", default=None, help="cluster name [default: ducktape-<owner>]")
@click.option("--cluster-file", type=click.Path(path_type=Path), default=DEFAULT_CLUSTER_FILE, show_default=True,
              help="where to write the cluster JSON for `ducktape --cluster-file`")
@click.option("--replace", is_flag=True, help="end the running instances of a cluster of the same name first")
def up(config_path: str, node_count: int, name: str | None, cluster_file: Path, replace: bool) -> None:
    """Start --nodes instances in one request, wait for SSH, write the cluster file."""
    from ducktape.cluster.ec2 import lifecycle
    from ducktape.cluster.ec2.signals import SigtermAsInterrupt

    config = load_config(config_path)
    name = name or lifecycle.default_name()
    lifecycle.check_cluster_file(cluster_file, name, config.region)
    if replace:
        ended = lifecycle.down(config.region, name)
        if ended:
            click.echo(f"cluster {name}: terminated {len(ended)} running instances first (--replace)")
    else:
        lifecycle.refuse_running(config.region, name)
    with SigtermAsInterrupt():
        info = lifecycle.up(config, node_count, name,
                            on_launched=lambda found: click.echo(
                                f"launched {', '.join(i.instance_id for i in found)}; waiting for them"),
                            on_progress=lambda answering, total, left: click.echo(
                                f"waiting for SSH: {answering}/{total} nodes answer, {left:.0f}s left"))
        try:
            path = lifecycle.write_cluster_file(cluster_file, lifecycle.cluster_json(info, config))
        except OSError as err:
            lifecycle.down(info.region, info.name)  # a cluster nobody can find the file of is not left running
            raise UsageError(f"cannot write --cluster-file {cluster_file}: {err.strerror or err}; "
                             f"cluster {info.name} was terminated", "pass a writable --cluster-file path") from None
    click.echo(f"cluster {info.name}: {counted(len(info.instances), 'instance')} in {info.region}")
    for index, instance in enumerate(info.instances, start=1):
        click.echo(f"  worker{index}  {instance.instance_id}  {instance.address}")
    click.echo(f"cluster file: {path}")
    click.echo(f"take it down: ducktape-cluster ec2 down --name {info.name} --config {config_path}")


@ec2.command()
@click.option("--name", default=None, help="cluster to end [default: ducktape-<owner>]")
@click.option("--config", "config_path", default=None, type=click.Path(),
              help="EC2 config file (for the region) [default: AWS_DEFAULT_REGION]")
@click.option("--expired", is_flag=True, help="end every ducktape instance past its expiry tag, of any cluster")
@click.option("--cluster-file", type=click.Path(path_type=Path), default=DEFAULT_CLUSTER_FILE, show_default=True,
              help="the file `ec2 up` wrote: names the cluster when --name is not given; removed with it")
def down(name: str | None, config_path: str | None, expired: bool, cluster_file: Path) -> None:
    """Terminate a cluster's instances by tag. Safe to repeat, from any machine."""
    from ducktape.cluster.ec2 import lifecycle

    region = load_config(config_path).region if config_path else None
    if expired:
        if name:
            raise UsageError("--expired and --name do not go together", "pass one of them")
        ended = lifecycle.down_expired(region)
        if not ended:
            click.echo("no expired instances")
        for instance in ended:
            click.echo(f"terminated {instance.instance_id} of cluster {instance.cluster} "
                       f"(owner {instance.owner}, expired {_ago(instance.expires)})")
        return
    owner = lifecycle.cluster_file_owner(cluster_file)
    name = name or owner or lifecycle.default_name()
    ids = lifecycle.down(region, name)
    if ids:
        click.echo(f"cluster {name}: terminating {counted(len(ids), 'instance')}: {', '.join(ids)}")
    else:
        click.echo(f"cluster {name}: no running instances, nothing to do")
    if owner == name:
        cluster_file.unlink()
        click.echo(f"removed its cluster file {cluster_file}")


@ec2.command()
@click.option("--config", "config_path", default=None, type=click.Path(),
              help="EC2 config file (for the region) [default: AWS_DEFAULT_REGION]")
@click.option("--owner", default=None, help="whose clusters [default: $DUCKTAPE_EC2_OWNER or the login name]")
def status(config_path: str | None, owner: str | None) -> None:
    """List this owner's clusters: instance ids, states, age and expiry."""
    from tabulate import tabulate

    from ducktape.cluster.ec2 import lifecycle

    region = load_config(config_path).region if config_path else None
    clusters = lifecycle.status(region, owner)
    if not clusters:
        click.echo("no clusters")
    for name, instances in clusters.items():
        expires = min((i.expires for i in instances if i.expires), default=None)
        click.echo(f"cluster {name}: {counted(len(instances), 'instance')}, owner {instances[0].owner}, "
                   f"expires {_when(expires)}")
        rows = [(i.instance_id, i.state, _age(i.launched), i.address or "-") for i in instances]
        table = tabulate(rows, headers=["instance", "state", "age", "address"], tablefmt="plain")
        click.echo("\n".join("  " + line for line in table.splitlines()))


def _span(seconds: float) -> str:
    seconds = int(abs(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


def _age(moment: datetime | None) -> str:
    from ducktape.cluster.ec2.instances import utc_now

    return _span((utc_now() - moment).total_seconds()) if moment else "?"


def _ago(moment: datetime | None) -> str:
    return f"{_age(moment)} ago" if moment else "at an unknown time"


def _when(moment: datetime | None) -> str:
    from ducktape.cluster.ec2.instances import format_time, utc_now

    if moment is None:
        return "never (no expiry tag)"
    left = (moment - utc_now()).total_seconds()
    return f"{format_time(moment)} ({'in ' + _span(left) if left > 0 else 'EXPIRED ' + _span(left) + ' ago'})"
