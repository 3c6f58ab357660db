"""LinuxRemoteAccount: a Linux node over SSH, plus network-device discovery."""
from __future__ import annotations

from typing import Any

from ducktape.cluster.consts import LINUX
from ducktape.cluster.remoteaccount import RemoteAccount, RemoteAccountError


class LinuxRemoteAccount(RemoteAccount):
    """A Linux node reached over SSH."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.os = LINUX

    @property
    def local(self) -> bool:
        """Whether this account is probably the driver host itself (upstream's heuristic)."""
        return self.hostname == "localhost" and self.user is None and self.ssh_config is None

    def get_network_devices(self) -> list[str]:
        """Names under /sys/class/net on the node."""
        return list(self.sftp_client.listdir("/sys/class/net"))

    def get_external_accessible_network_devices(self) -> list[str]:
        """Ethernet-like devices (``en*``, ``eth*``), loopback excluded."""
        return [d for d in self.get_network_devices() if d != "lo" and d.startswith(("en", "eth"))]

    def fetch_externally_routable_ip(self, is_aws: Any = None) -> str:
        """The IPv4 address of the first ethernet-like device."""
        if is_aws is not None:
            self.logger.warning("fetch_externally_routable_ip: is_aws is a deprecated flag, and does nothing")
        devices = self.get_external_accessible_network_devices()
        if not devices:
            raise RemoteAccountError(self, "Couldn't find any network devices")
        for device in devices:
            out = self.ssh_output(
                f"ip -4 -o addr show dev {device} 2>/dev/null || /sbin/ifconfig {device}", allow_fail=True
            ).decode(errors="replace")
            address = _first_ipv4(out)
            if address:
                return address
        raise RemoteAccountError(self, f"no IPv4 address on {', '.join(devices)}")


def _first_ipv4(text: str) -> str | None:
    """The first address after an ``inet`` keyword in ip/ifconfig output."""
    words = text.replace("addr:", "").split()
    for i, word in enumerate(words[:-1]):
        if word == "inet":
            return words[i + 1].split("/")[0]
    return None
