"""WindowsRemoteAccount: a Windows node on EC2 (SSH for files, WinRM for commands).

The WinRM password is the instance's EC2 password data, decrypted with the node's
identity file; the instance id comes from Vagrant's ``.vagrant/machines/<host>/aws/id``.
boto3 and pywinrm are imported only when a WinRM command is first run.
"""
from __future__ import annotations

import base64
import logging
import os
from typing import Any

from ducktape.cluster.consts import WINDOWS
from ducktape.cluster.remoteaccount import (
    RemoteAccount,
    RemoteAccountError,
    RemoteCommandError,
)


class WindowsRemoteAccount(RemoteAccount):
    """A Windows node; commands through ``run_winrm_command``."""

    WINRM_USERNAME = "Administrator"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.os = WINDOWS
        self._winrm_client = None

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["_winrm_client"] = None
        return state

    def _instance_id(self) -> str:
        path = os.path.join(os.getcwd(), ".vagrant", "machines", self.ssh_config.host, "aws", "id")
        try:
            with open(path) as handle:
                instance_id = handle.read().strip()
        except OSError as err:
            raise RemoteAccountError(self, f"Could not read EC2 instance ID from {path}: {err}") from err
        if not instance_id:
            raise RemoteAccountError(self, f"Could not extract EC2 instance ID from local file: {path}")
        return instance_id

    def _winrm_password(self, instance_id: str) -> str:
        try:
            import boto3
        except ImportError as err:
            raise RemoteAccountError(self, "Windows nodes need boto3: pip install 'ducktape[ec2]'") from err
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import padding

        data = boto3.client("ec2").get_password_data(InstanceId=instance_id)["PasswordData"]
        with open(self.ssh_config.identityfile, "rb") as handle:
            key = serialization.load_pem_private_key(handle.read(), password=None)
        return key.decrypt(base64.b64decode(data), padding.PKCS1v15()).decode()

    @property
    def winrm_client(self) -> Any:
        """A pywinrm Session to the node, made on first use."""
        if self._winrm_client is None:
            try:
                import winrm
            except ImportError as err:
                raise RemoteAccountError(self, "Windows nodes need pywinrm: pip install pywinrm") from err
            instance_id = self._instance_id()
            self._log(logging.INFO, f"Found EC2 instance id: {instance_id}")
            password = self._winrm_password(instance_id)
            self._winrm_client = winrm.Session(self.ssh_config.hostname, auth=(self.WINRM_USERNAME, password))
        return self._winrm_client

    def fetch_externally_routable_ip(self, is_aws: Any = None) -> str:
        """EC2 Windows nodes have no separate routable IP: the SSH hostname is used."""
        return self.ssh_config.hostname

    def run_winrm_command(self, cmd: str, allow_fail: bool = False) -> int:
        """Run *cmd* over WinRM; RemoteCommandError on non-zero status unless allow_fail."""
        self._log(logging.DEBUG, f"Running winrm command: {cmd}")
        result = self.winrm_client.run_cmd(cmd)
        if not allow_fail and result.status_code != 0:
            raise RemoteCommandError(self, cmd, result.status_code, result.std_err)
        return result.status_code
