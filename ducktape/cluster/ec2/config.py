"""The EC2 config file (YAML): which image, type, key and network the nodes get.

Every key is checked on load; an unknown key or a value of the wrong type is one
UsageError naming the file and the key, with the accepted form as the hint.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from ducktape.errors import UsageError

EXAMPLE = ("region: us-east-1, ami: ami-0abc..., instance_type: m5.large, key_name: ducktape, "
           "identity_file: ~/.ssh/ducktape.pem, user: admin")
DEFAULT_TTL_MINUTES = 180
DEFAULT_SSH_WAIT_SECONDS = 300


@dataclass(frozen=True)
class Ec2Config:
    """One EC2 config file, checked. ``source`` is the path it came from."""

    region: str
    ami: str
    instance_type: str
    key_name: str | None = None
    identity_file: str | None = None
    user: str = "admin"
    subnet_id: str | None = None
    security_group_ids: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)
    spot: bool = False
    ttl_minutes: int = DEFAULT_TTL_MINUTES
    ssh_wait_seconds: int = DEFAULT_SSH_WAIT_SECONDS
    source: str = "ec2 config"


# key -> (accepted types, description for the hint)
KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "region": ((str,), "a region name such as us-east-1"),
    "ami": ((str,), "an AMI id such as ami-0abc1234"),
    "instance_type": ((str,), "an instance type such as m5.large"),
    "key_name": ((str, type(None)), "the name of an EC2 key pair"),
    "identity_file": ((str, type(None)), "the private key of that key pair"),
    "user": ((str,), "the login user of the AMI (admin for Debian, ubuntu, ec2-user)"),
    "subnet_id": ((str, type(None)), "a subnet id such as subnet-0abc1234"),
    "security_group_ids": ((list,), "a list of security group ids"),
    "tags": ((dict,), "a mapping of extra tag names to values"),
    "spot": ((bool,), "true or false"),
    "ttl_minutes": ((int,), "minutes before the instances count as expired"),
    "ssh_wait_seconds": ((int,), "seconds to wait for SSH; 0 skips the wait"),
}
REQUIRED = ("region", "ami", "instance_type")


def load_config(path: str) -> Ec2Config:
    """Read and check the YAML file at *path*."""
    import yaml

    try:
        with open(os.path.expanduser(path)) as handle:
            raw = yaml.safe_load(handle)
    except OSError as err:
        raise UsageError(f"cannot read EC2 config {path}: {err.strerror or err}",
                         "pass --config FILE with keys " + EXAMPLE) from None
    except yaml.YAMLError as err:
        raise UsageError(f"EC2 config {path} is not valid YAML: {str(err).splitlines()[0]}",
                         "write it as 'key: value' lines, e.g. " + EXAMPLE) from None
    return parse_config(raw or {}, path)


def parse_config(raw: Any, source: str = "ec2 config") -> Ec2Config:
    """Check the mapping *raw* (what the YAML file held) and build the config."""
    if not isinstance(raw, dict):
        raise UsageError(f"EC2 config {source} must be a mapping of keys to values, got {type(raw).__name__}",
                         "write it as 'key: value' lines, e.g. " + EXAMPLE)
    for key in raw:
        if key not in KEYS:
            raise UsageError(f"EC2 config {source}: unknown key {key!r}",
                             "the accepted keys are " + ", ".join(KEYS))
    for key in REQUIRED:
        if not raw.get(key):
            raise UsageError(f"EC2 config {source}: missing key {key!r}", f"{key}: {KEYS[key][1]}")
    for key, value in raw.items():
        types, what = KEYS[key]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise UsageError(f"EC2 config {source}: key {key!r} must be {what}, got {value!r}", f"{key}: {what}")
    for key in ("ttl_minutes", "ssh_wait_seconds"):
        if raw.get(key, 0) < 0 or (key == "ttl_minutes" and raw.get(key) == 0):
            raise UsageError(f"EC2 config {source}: key {key!r} must be positive, got {raw[key]!r}",
                             f"{key}: {KEYS[key][1]}")
    values = dict(raw)
    values["security_group_ids"] = tuple(str(g) for g in raw.get("security_group_ids", ()))
    values["tags"] = {str(k): str(v) for k, v in raw.get("tags", {}).items()}
    if values.get("identity_file"):
        values["identity_file"] = os.path.expanduser(values["identity_file"])
    return Ec2Config(**values, source=source)
