"""What went wrong talking to EC2, as one line and the fix.

``explain(err, config)`` turns a botocore exception into an Ec2Error whose message
names the input (AMI, key pair, subnet, region) and whose hint says what to change.
"""
from __future__ import annotations

from typing import Any

from ducktape.errors import USAGE_EXIT, UsageError

CAPACITY_CODES = {
    "InstanceLimitExceeded", "VcpuLimitExceeded", "InsufficientInstanceCapacity", "InsufficientCapacity",
    "MaxSpotInstanceCountExceeded", "InsufficientFreeAddressesInSubnet", "SpotMaxPriceTooLow",
}
CREDENTIAL_CODES = {"AuthFailure", "UnauthorizedOperation", "InvalidClientTokenId", "UnrecognizedClientException",
                    "SignatureDoesNotMatch", "ExpiredToken", "RequestExpired"}
CREDENTIALS_HINT = ("set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                    "or run 'aws configure' for this user")


class Ec2Error(UsageError):
    """EC2 refused or could not be reached. ``exit_status`` is 2 for a setting to fix, 1 otherwise."""

    def __init__(self, message: str, hint: str | None = None, exit_status: int = USAGE_EXIT):
        super().__init__(message, hint)
        self.exit_status = exit_status


class UpInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) during ``ec2 up``; its text says what was terminated."""


def boto3_module() -> Any:
    """Import boto3, or say how to install it."""
    try:
        import boto3
        import botocore.exceptions  # noqa: F401 - explain() needs it; a half-installed boto3 is "not installed"
    except ImportError:
        raise Ec2Error("EC2 clusters need boto3, which is not installed: pip install 'ducktape[ec2]'") from None
    return boto3


def explain(err: BaseException, config: Any = None, region: str | None = None) -> Ec2Error:
    """An Ec2Error for *err* (a botocore exception) with the fix; *config* fills in names."""
    if isinstance(err, Ec2Error):  # already explained (boto3 missing, for one)
        return err
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )

    region = region or getattr(config, "region", None) or "the configured region"
    if isinstance(err, (NoCredentialsError, PartialCredentialsError)):
        return Ec2Error(f"no AWS credentials found ({err})", CREDENTIALS_HINT)
    if isinstance(err, NoRegionError):
        return Ec2Error("no AWS region given", "pass --config ec2.yml (its 'region' key) or set AWS_DEFAULT_REGION")
    if isinstance(err, EndpointConnectionError):
        return Ec2Error(f"cannot reach EC2 in {region}: {err}",
                        "check the network, the region name, and AWS_ENDPOINT_URL if set", exit_status=1)
    if not isinstance(err, ClientError):
        return Ec2Error(f"EC2 call failed: {type(err).__name__}: {err}", exit_status=1)
    code = err.response.get("Error", {}).get("Code", "")
    detail = err.response.get("Error", {}).get("Message", "")
    if code in CREDENTIAL_CODES:
        return Ec2Error(f"AWS rejected the credentials ({code}: {detail})", CREDENTIALS_HINT)
    if code.startswith("InvalidAMIID"):
        ami = getattr(config, "ami", "?")
        return Ec2Error(f"AMI {ami} does not exist in region {region} ({code})",
                        f"AMIs belong to one region: set 'ami' to an image of {region} "
                        f"(aws ec2 describe-images --region {region} --owners self amazon)")
    if code.startswith("InvalidKeyPair"):
        key = getattr(config, "key_name", "?")
        return Ec2Error(f"key pair {key!r} does not exist in region {region} ({code})",
                        f"import your public key: aws ec2 import-key-pair --region {region} --key-name {key} "
                        "--public-key-material fileb://~/.ssh/id_ed25519.pub, or fix 'key_name'")
    if code.startswith("InvalidSubnetID") or code == "InvalidSubnet":
        subnet = getattr(config, "subnet_id", "?")
        return Ec2Error(f"subnet {subnet} does not exist in region {region} ({code})",
                        f"a subnet belongs to one region: pick one from aws ec2 describe-subnets --region {region}, "
                        "or set 'region' to the subnet's region")
    if code.startswith("InvalidGroup"):
        return Ec2Error(f"security group not found in region {region} ({code}: {detail})",
                        f"set 'security_group_ids' to groups of {region} in the subnet's VPC")
    if code in CAPACITY_CODES:
        return Ec2Error(f"EC2 cannot start the instances now: {code}: {detail}",
                        "use fewer --nodes or a smaller instance_type, ask for a higher quota in Service Quotas "
                        "(Running On-Demand/Spot instances), or try another subnet or availability zone; "
                        "'ducktape-cluster ec2 status' shows what is still running", exit_status=1)
    operation = getattr(err, "operation_name", "call")
    return Ec2Error(f"EC2 {operation} failed: {code}: {detail}", exit_status=1)
