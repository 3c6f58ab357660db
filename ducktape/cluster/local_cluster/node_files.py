"""Files each node needs before its sshd starts: keys, sshd config, a HOME, /etc/hosts.

Everything lives in the cluster's state directory; `node_init` lays the node's HOME over
root's real one (overlayfs) and bind-mounts the cluster's hosts file on /etc/hosts.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from ducktape.cluster.local_cluster.errors import LocalClusterError
from ducktape.cluster.local_cluster.names import ClusterNames
from ducktape.cluster.local_cluster.state import NodeState

SSH_PORT = 22
SSH_USER = "root"

# A remote command must pay nothing for shell start-up files: these lie over root's
# real ones on every node, so the host's ~/.bashrc (pyenv, conda, ...) never runs there.
BASHRC = "# ducktape-cluster node: kept empty so remote commands start fast\n"
PROFILE = "# ducktape-cluster node\n[ -f ~/.bashrc ] && . ~/.bashrc\n"


def sshd_config(names: ClusterNames, node: NodeState) -> str:
    """An sshd config that logs root in with the cluster key only, and quickly."""
    node_dir = names.node_dir(node.index)
    return f"""\
# ducktape-cluster {names.name}: {node.hostname} ({node.ip})
Port {SSH_PORT}
ListenAddress 0.0.0.0
HostKey {node_dir / 'ssh_host_ed25519_key'}
PidFile none
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile {names.state_dir / 'authorized_keys'}
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
# no post-quantum hybrid kex: on a private test bridge it only costs ~50 ms per connection
KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,diffie-hellman-group14-sha256
GSSAPIAuthentication no
PrintMotd no
PrintLastLog no
AllowTcpForwarding yes
X11Forwarding no
MaxStartups 200:30:400
MaxSessions 200
LogLevel INFO
Subsystem sftp internal-sftp
"""


def write_node_files(names: ClusterNames, node: NodeState) -> None:
    """Write *node*'s sshd config and HOME (its host key comes from `generate_keys`)."""
    node_dir = names.node_dir(node.index)
    home = node_dir / "home"
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    (home / ".bashrc").write_text(BASHRC)
    for login_file in (".profile", ".bash_profile"):  # .bash_profile shadows the host's, if any
        (home / login_file).write_text(PROFILE)
    (node_dir / "sshd_config").write_text(sshd_config(names, node))


def hosts_file(nodes: list[NodeState], host_ip: str) -> str:
    """/etc/hosts for every node: localhost plus every node of the cluster by name."""
    lines = ["127.0.0.1\tlocalhost", f"{host_ip}\tducktape-cluster-host"]
    lines += [f"{n.ip}\t{n.hostname}" for n in nodes]
    return "\n".join(lines) + "\n"


def generate_keys(names: ClusterNames, count: int) -> None:
    """Make the cluster's client key and one host key per node, in parallel."""
    targets = [names.identity_file] + [names.node_dir(i) / "ssh_host_ed25519_key" for i in range(1, count + 1)]
    for target in targets:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    procs = [
        subprocess.Popen(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"ducktape-cluster:{names.name}",
                          "-f", str(target)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
        for target in targets
    ]
    failed = [(t, p.communicate()[0].strip()) for t, p in zip(targets, procs) if p.wait() != 0]
    if failed:
        target, output = failed[0]
        raise LocalClusterError(f"ssh-keygen could not write {target}: {output}")
    public = Path(str(names.identity_file) + ".pub").read_text()
    (names.state_dir / "authorized_keys").write_text(public)


def ssh_config_file(names: ClusterNames, nodes: list[NodeState]) -> str:
    """An OpenSSH client config so people can `ssh -F <state>/ssh_config <hostname>`."""
    blocks = [
        f"Host {n.hostname}\n  HostName {n.ip}\n  User {SSH_USER}\n  Port {SSH_PORT}\n"
        f"  IdentityFile {names.identity_file}\n  IdentitiesOnly yes\n"
        "  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n"
        for n in nodes
    ]
    return "\n".join(blocks)


def cluster_document(names: ClusterNames, nodes: list[NodeState]) -> dict:
    """The cluster JSON `ducktape --cluster-file` reads (contract 3.3)."""
    return {"nodes": [
        {
            "ssh_config": {
                "host": n.hostname,
                "hostname": n.ip,
                "user": SSH_USER,
                "port": SSH_PORT,
                "identityfile": str(names.identity_file),
            },
            "externally_routable_ip": n.ip,
        }
        for n in nodes
    ]}
