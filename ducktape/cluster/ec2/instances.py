"""EC2 instances of ducktape clusters, found and ended by their tags.

Every instance (and its volumes) carries ``ducktape:cluster``, ``ducktape:owner`` and
``ducktape:expires`` from the moment it is launched, so any process with credentials
can find and terminate a cluster: after the driver was killed, from another machine,
any number of times.
"""
from __future__ import annotations

import getpass
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from ducktape.cluster.ec2.config import Ec2Config
from ducktape.cluster.ec2.errors import Ec2Error, boto3_module, explain

TAG_CLUSTER = "ducktape:cluster"
TAG_OWNER = "ducktape:owner"
TAG_EXPIRES = "ducktape:expires"
LIVE_STATES = ("pending", "running", "stopping", "stopped")
UTC = timezone.utc  # noqa: UP017 - Python 3.9 has no datetime.UTC


def owner_name() -> str:
    """Who the instances belong to: $DUCKTAPE_EC2_OWNER, else the login name."""
    return os.environ.get("DUCKTAPE_EC2_OWNER") or getpass.getuser()


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Instance:
    """What ducktape needs to know about one instance."""

    instance_id: str
    state: str
    launch_index: int
    private_ip: str | None
    public_ip: str | None
    launched: datetime | None
    tags: dict[str, str]

    @property
    def cluster(self) -> str:
        return self.tags.get(TAG_CLUSTER, "?")

    @property
    def owner(self) -> str:
        return self.tags.get(TAG_OWNER, "?")

    @property
    def expires(self) -> datetime | None:
        return parse_time(self.tags.get(TAG_EXPIRES, ""))

    @property
    def address(self) -> str | None:
        """What the driver dials: the public address when there is one."""
        return self.public_ip or self.private_ip

    @staticmethod
    def from_api(data: dict) -> Instance:
        return Instance(
            instance_id=data["InstanceId"], state=data["State"]["Name"], launch_index=data.get("AmiLaunchIndex", 0),
            private_ip=data.get("PrivateIpAddress"), public_ip=data.get("PublicIpAddress"),
            launched=data.get("LaunchTime"), tags={t["Key"]: t["Value"] for t in data.get("Tags", [])},
        )


class Ec2Api:
    """A boto3 EC2 client for one region; every botocore error leaves as an Ec2Error."""

    def __init__(self, region: str | None, config: Ec2Config | None = None):
        self.config = config
        self.region = region
        try:
            self.client = boto3_module().client("ec2", region_name=region)
        except Exception as err:  # noqa: BLE001 - NoRegionError and friends, explained
            raise explain(err, config, region) from None

    def call(self, operation: str, **params: Any) -> Any:
        try:
            return getattr(self.client, operation)(**params)
        except Ec2Error:
            raise
        except Exception as err:  # noqa: BLE001 - every botocore error becomes one explained line
            raise explain(err, self.config, self.region) from None

    def find(self, filters: list[dict], states: tuple[str, ...] = LIVE_STATES) -> list[Instance]:
        """Instances matching *filters* in one of *states*."""
        filters = [*filters, {"Name": "instance-state-name", "Values": list(states)}]
        found = []
        for page in self._pages("describe_instances", Filters=filters):
            for reservation in page.get("Reservations", []):
                found.extend(Instance.from_api(i) for i in reservation.get("Instances", []))
        return sorted(found, key=lambda i: (i.cluster, i.launch_index, i.instance_id))

    def _pages(self, operation: str, **params: Any) -> Iterator[dict]:
        try:
            yield from self.client.get_paginator(operation).paginate(**params)
        except Exception as err:  # noqa: BLE001 - every botocore error becomes one explained line
            raise explain(err, self.config, self.region) from None

    def terminate(self, instances: list[Instance]) -> list[str]:
        """Terminate *instances* (already-ending ones are fine); return their ids."""
        ids = [i.instance_id for i in instances]
        if ids:
            self.call("terminate_instances", InstanceIds=ids)
        return ids


def cluster_filter(name: str) -> list[dict]:
    return [{"Name": f"tag:{TAG_CLUSTER}", "Values": [name]}]


def owner_filter(owner: str) -> list[dict]:
    return [{"Name": f"tag:{TAG_OWNER}", "Values": [owner]}]


def launch(api: Ec2Api, config: Ec2Config, name: str, count: int, owner: str) -> list[Instance]:
    """Start *count* instances in one request, tagged from the start; return them by launch index."""
    expires = utc_now() + timedelta(minutes=config.ttl_minutes)
    tags = {**config.tags, TAG_CLUSTER: name, TAG_OWNER: owner, TAG_EXPIRES: format_time(expires)}
    tag_list = [{"Key": k, "Value": v} for k, v in tags.items()]
    params: dict[str, Any] = {
        "ImageId": config.ami, "InstanceType": config.instance_type, "MinCount": count, "MaxCount": count,
        "TagSpecifications": [{"ResourceType": "instance", "Tags": tag_list},
                              {"ResourceType": "volume", "Tags": tag_list}],
        "InstanceInitiatedShutdownBehavior": "terminate",
    }
    if config.key_name:
        params["KeyName"] = config.key_name
    if config.subnet_id:
        params["SubnetId"] = config.subnet_id
    if config.security_group_ids:
        params["SecurityGroupIds"] = list(config.security_group_ids)
    if config.spot:
        params["InstanceMarketOptions"] = {"MarketType": "spot", "SpotOptions": {
            "SpotInstanceType": "one-time", "InstanceInterruptionBehavior": "terminate"}}
    reply = api.call("run_instances", **params)
    instances = sorted((Instance.from_api(i) for i in reply["Instances"]), key=lambda i: i.launch_index)
    for index, instance in enumerate(instances, start=1):
        api.call("create_tags", Resources=[instance.instance_id],
                 Tags=[{"Key": "Name", "Value": f"{name}-worker{index}"}])
    return instances


def wait_running(api: Ec2Api, ids: list[str], timeout: float, poll: float = 2.0) -> list[Instance]:
    """Wait until every instance in *ids* is running; return them in launch order."""
    deadline = time.monotonic() + timeout
    while True:
        reply = api.call("describe_instances", InstanceIds=ids)
        found = [Instance.from_api(i) for r in reply["Reservations"] for i in r["Instances"]]
        ended = [i for i in found if i.state in ("shutting-down", "terminated")]
        if ended:
            raise Ec2Error(f"instance {ended[0].instance_id} ended while starting (state {ended[0].state})",
                           "with spot: true EC2 may take capacity back; retry, or use spot: false", exit_status=1)
        if len(found) == len(ids) and all(i.state == "running" for i in found):
            return sorted(found, key=lambda i: i.launch_index)
        if time.monotonic() > deadline:
            waiting = [i.instance_id for i in found if i.state != "running"]
            raise Ec2Error(f"instances {', '.join(waiting)} were not running after {timeout:g}s",
                           "see the EC2 console for their state reason", exit_status=1)
        time.sleep(poll)


def expired(api: Ec2Api, now: datetime | None = None) -> list[Instance]:
    """Every live ducktape instance, of any owner, whose expiry tag lies before *now*."""
    now = now or utc_now()
    tagged = api.find([{"Name": "tag-key", "Values": [TAG_EXPIRES]}])
    return [i for i in tagged if i.expires is not None and i.expires <= now]
