"""RemoteAccountSSHConfig: the few ssh_config(5) settings ducktape uses to reach a node."""
from __future__ import annotations

from typing import Any


class RemoteAccountSSHConfig:
    """``host`` is the alias users see; ``hostname`` what is dialled. Unknown keys are ignored."""

    def __init__(self, host: str | None = None, hostname: str | None = None, user: str | None = None,
                 port: int | str | None = None, password: str | None = None, identityfile: str | None = None,
                 connecttimeout: float | str | None = None, **kwargs: Any):
        self.host = host
        self.hostname = hostname or "localhost"
        self.user = user
        self.port = int(port or 22)
        self.password = password
        self.identityfile = identityfile
        self.connecttimeout = int(float(connecttimeout)) if connecttimeout is not None else None

    @staticmethod
    def from_string(config_str: str) -> RemoteAccountSSHConfig:
        """Parse one ssh-config block (as printed by ``vagrant ssh-config``)."""
        from paramiko import SSHConfig

        config = SSHConfig()
        config.parse(config_str.split("\n"))
        hosts = config.get_hostnames() - {"*"}
        if len(hosts) != 1:
            raise ValueError(f"expected exactly one Host in ssh config block, found {sorted(hosts)}: {config_str!r}")
        host = hosts.pop()
        values = config.lookup(host)
        if values.get("identityfile") is not None:
            values["identityfile"] = values["identityfile"][0]
        values.pop("host", None)
        return RemoteAccountSSHConfig(host, **values)

    def to_json(self) -> dict:
        return self.__dict__

    def __repr__(self) -> str:
        return str(self.to_json())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RemoteAccountSSHConfig) and other.__dict__ == self.__dict__

    def __hash__(self) -> int:
        return hash(tuple(sorted((k, str(v)) for k, v in self.__dict__.items())))
