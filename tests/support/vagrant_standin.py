"""A stand-in ``vagrant`` executable for VagrantCluster tests.

``install_standin(bindir, machines)`` writes ``bindir/vagrant``, a Python script that
answers ``vagrant status --machine-readable`` and ``vagrant ssh-config [NAME...]`` the
way Vagrant does, from *machines*: ``{name: (state, ssh_config_block)}``. Every call
is appended to ``bindir/calls``. Put *bindir* first on PATH.
"""
from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

SCRIPT = '''#!{python}
import json, sys, time
machines = json.load(open({machines!r}))
with open({calls!r}, "a") as log:
    log.write(" ".join(sys.argv[1:]) + "\\n")
args = sys.argv[1:]
if args[:1] == ["status"]:
    now = int(time.time())
    for name, (state, _) in machines.items():
        print(f"{{now}},{{name}},metadata,provider,virtualbox")
        print(f"{{now}},{{name}},provider-name,virtualbox")
        print(f"{{now}},{{name}},state,{{state}}")
    sys.exit(0)
if args[:1] == ["ssh-config"]:
    names = args[1:] or list(machines)
    for name in names:
        if name not in machines:
            print(f"The machine with the name '{{name}}' was not found configured for\\nthis Vagrant environment.",
                  file=sys.stderr)
            sys.exit(1)
        state, block = machines[name]
        if state != "running":
            print("The provider for this Vagrant-managed machine is reporting that it\\nis not yet ready for SSH. "
                  "Depending on your provider this can carry\\ndifferent meanings. Make sure your machine is "
                  "created and running and\\ntry again.", file=sys.stderr)
            sys.exit(1)
        print(block)
    sys.exit(0)
print(f"stand-in vagrant: unsupported arguments {{args}}", file=sys.stderr)
sys.exit(1)
'''


def ssh_config_block(host: str, hostname: str, port: int, user: str, identityfile: str) -> str:
    """A block as ``vagrant ssh-config`` prints it (quoted key path when it has spaces)."""
    key = f'"{identityfile}"' if " " in identityfile else identityfile
    return (f"Host {host}\n  HostName {hostname}\n  User {user}\n  Port {port}\n  UserKnownHostsFile /dev/null\n"
            f"  StrictHostKeyChecking no\n  PasswordAuthentication no\n  IdentityFile {key}\n"
            "  IdentitiesOnly yes\n  LogLevel FATAL\n  ForwardAgent yes\n")


def install_standin(bindir: Path, machines: dict[str, tuple[str, str]]) -> Path:
    """Write the stand-in into *bindir*; return the path of its call log."""
    bindir.mkdir(parents=True, exist_ok=True)
    data = bindir / "machines.json"
    data.write_text(json.dumps(machines))
    calls = bindir / "calls"
    script = bindir / "vagrant"
    script.write_text(SCRIPT.format(python=sys.executable, machines=str(data), calls=str(calls)))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return calls
