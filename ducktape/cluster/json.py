"""JsonCluster: a fixed list of SSH nodes from a JSON definition (``--cluster-file``)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ducktape.cluster import mux
from ducktape.cluster.cluster import Cluster
from ducktape.cluster.cluster_file import (
    DEFAULT_CLUSTER_FILE,
    read_cluster_file,
    validate_cluster_json,
)
from ducktape.cluster.cluster_node import ClusterNode
from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.cluster.consts import WINDOWS
from ducktape.cluster.health import NodeHealth
from ducktape.cluster.node_container import (
    InsufficientHealthyNodesError,
    NodeContainer,
    is_healthy,
)
from ducktape.cluster.remoteaccount import RemoteAccount
from ducktape.cluster.spares import SparePool
from ducktape.cluster.ssh_config import RemoteAccountSSHConfig


def make_remote_account(ssh_config: RemoteAccountSSHConfig, *args: Any, **kwargs: Any) -> Any:
    """A WindowsRemoteAccount when "windows" is in the host alias, else a LinuxRemoteAccount."""
    if ssh_config.host and WINDOWS in ssh_config.host:
        from ducktape.cluster.windows_remoteaccount import WindowsRemoteAccount

        return WindowsRemoteAccount(ssh_config, *args, **kwargs)
    from ducktape.cluster.linux_remoteaccount import LinuxRemoteAccount

    return LinuxRemoteAccount(ssh_config, *args, **kwargs)


class JsonCluster(Cluster):
    """Nodes listed in a dict or a JSON file (default ``.ducktape/cluster.json``).

    The definition is validated on load (ClusterFileError, a ValueError, naming the file,
    node and field). Accounts failing their health check at allocation are parked for
    the rest of the session. The check reads what ``cluster/health.py`` watches in the
    background over the driver's own connection, so allocating costs no SSH handshake;
    an account class that overrides ``available()`` is asked directly.
    """

    def __init__(self, cluster_json: dict | None = None, *args: Any,
                 make_remote_account_func: Callable[..., Any] = make_remote_account, **kwargs: Any):
        super().__init__()
        self._available_accounts = NodeContainer()
        self._bad_accounts = NodeContainer()
        self._in_use_nodes = NodeContainer()
        self._id_supplier = 0
        self._health = NodeHealth()
        self._spares = SparePool()
        self._parked: dict[str, str] = {}
        self._ahead = False
        source = "cluster definition"
        if cluster_json is None:
            source = kwargs.get("cluster_file") or DEFAULT_CLUSTER_FILE
            cluster_json = read_cluster_file(source)
        checks = kwargs.get("ssh_exception_checks")
        for node in validate_cluster_json(cluster_json, source):
            account = make_remote_account_func(
                RemoteAccountSSHConfig(**node["ssh_config"]), node.get("externally_routable_ip"),
                node_type=node.get("node_type"), ssh_exception_checks=checks,
            )
            if account.externally_routable_ip is None:
                account.externally_routable_ip = self._externally_routable_ip(account)
            self._available_accounts.add_node(account)

    def connect_ahead(self) -> None:
        """Open the health watch's connections and dial spare ones to every free node now, all
        at once and in the background (the session calls it before the first allocation).
        Once only: allocations call it too, and must not pass over every node each time."""
        if self._ahead:
            return
        self._ahead = True
        self._health.watch(a for a in self._available_accounts if _watched(a))
        if not mux.running():  # test processes use the mux's connections: spare sockets would go unused
            self._spares.fill(self.ssh_accounts())

    def ssh_accounts(self) -> list:
        """The free nodes' accounts that are reached over SSH."""
        return [a for a in self._available_accounts if isinstance(a, RemoteAccount)]

    def do_alloc(self, cluster_spec: ClusterSpec) -> list[ClusterNode]:
        self.connect_ahead()  # a no-op once done
        try:
            good, bad = self._available_accounts.remove_spec(cluster_spec, self._healthy)
        except InsufficientHealthyNodesError as err:
            self._park(err.bad_nodes)
            raise
        self._park(bad)
        allocated = []
        for account in good:
            allocated.append(ClusterNode(account, slot_id=self._id_supplier))
            self._id_supplier += 1
        self._in_use_nodes.add_nodes(allocated)
        return allocated

    def _healthy(self, account: Any) -> bool:
        if _watched(account):
            return self._health.healthy(account)
        return is_healthy(account)

    def _park(self, accounts: list) -> None:
        for account in accounts:
            cause = self._health.cause(account) or "its health check (available()) failed"
            self._parked[account.hostname] = cause
            self._health.forget(account)
            self._spares.forget(account)
            account.logger.warning(f"{account}: parked for the rest of the session: {cause}")
        self._bad_accounts.add_nodes(accounts)

    def parked(self) -> dict[str, str]:
        """Hostname -> why, for every node parked after failing a health check."""
        return dict(self._parked)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_health"] = None  # threads and the driver's connections stay in the driver
        state["_spares"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._health = NodeHealth()
        self._spares = SparePool()
        self._ahead = False

    def take_predialled(self, nodes: list[ClusterNode]) -> dict[str, Any]:
        """Hostname -> a TCP connection to its sshd dialled ahead, for the test process about
        to run on *nodes* (cluster/spares.py); give it back with ``give_back_predialled``."""
        if mux.running():
            return {}
        return self._spares.take(node.account for node in nodes if isinstance(node.account, RemoteAccount))

    def give_back_predialled(self, handed: dict[str, Any]) -> None:
        """The test process that held *handed* has exited: untouched sockets are used again."""
        self._spares.give_back(handed)

    def close(self) -> None:
        """Close the spare connections and stop the health watch (before the session's mux
        stops: a watch that outlived it would log in to every node on its own)."""
        self._spares.close()
        self._health.close()

    def free_single(self, node: ClusterNode) -> None:
        self._in_use_nodes.remove_node(node)
        self._available_accounts.add_node(node.account)
        node.account.close()

    def _externally_routable_ip(self, account: Any) -> str | None:
        return None

    def available(self) -> ClusterSpec:
        return ClusterSpec.from_nodes(self._available_accounts)

    def used(self) -> ClusterSpec:
        return ClusterSpec.from_nodes(self._in_use_nodes)

    def num_used_nodes(self) -> int:  # counted from the pool: the driver asks on every allocation
        return self._in_use_nodes.size()

    def available_pool(self) -> NodeContainer:
        return self._available_accounts

    def bad(self) -> ClusterSpec:
        """Nodes parked after failing a health check."""
        return ClusterSpec.from_nodes(self._bad_accounts)


def _watched(account: Any) -> bool:
    """Accounts whose health the driver watches itself: our SSH accounts, unless their
    class brings its own ``available()``."""
    return isinstance(account, RemoteAccount) and type(account).available is RemoteAccount.available
