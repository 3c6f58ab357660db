"""PID 1 of one node: set the hostname, make the private dirs, run sshd, reap orphans.

Started by `nodes.start_node` as
`ip netns exec NS unshare --pid --fork --uts --mount --mount-proc python -I -S node_init.py ...`,
so it already sits in the node's network, UTS, PID and (private) mount namespaces.
It uses the standard library only and never imports ducktape: it runs as a plain
script under `python -I -S`, which starts fast and ignores the caller's environment.

As PID 1 it must reap every orphan (daemons started over ssh re-parent to it), or
`ps` on the node would show their zombies as live processes. When sshd exits the
node is useless, so init exits too and the kernel kills what is left in the node.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import pwd
import signal
import socket
import sys

MS_NOSUID = 2
MS_NODEV = 4
MS_BIND = 4096
MS_REC = 16384
PRIVATE_DIRS = (("/tmp", "1777"), ("/mnt", "755"), ("/var/log", "755"))


def mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    """mount(2), raising OSError with the target named."""
    libc = ctypes.CDLL(None, use_errno=True)
    encode = (lambda s: s.encode() if s is not None else None)
    if libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} on {target}: {os.strerror(err)}")


def prepare(hostname: str, home: str, hosts: str, shares: list[str]) -> None:
    """Give the node its name, private dirs, its own HOME layer, the shared host dirs
    and the cluster's /etc/hosts."""
    socket.sethostname(hostname)
    # Hold each shared dir by an O_PATH descriptor before the tmpfs mounts can hide it.
    held = [(share, os.open(share, os.O_PATH | os.O_DIRECTORY)) for share in shares]
    for target, mode in PRIVATE_DIRS:
        os.makedirs(target, exist_ok=True)
        mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"mode={mode}")
    for share, fd in held:
        os.makedirs(share, exist_ok=True)
        mount(f"/proc/self/fd/{fd}", share, None, MS_BIND | MS_REC)
        os.close(fd)
    overlay_home(home)
    mount(hosts, "/etc/hosts", None, MS_BIND)
    for knob in ("all", "default"):
        try:
            with open(f"/proc/sys/net/ipv6/conf/{knob}/disable_ipv6", "w") as f:
                f.write("1")
        except OSError:
            pass  # no IPv6 in this kernel: nothing to switch off


def overlay_home(upper: str) -> None:
    """Lay the node's HOME (its own rc files, and whatever it writes) over root's real one.

    Root's real HOME stays readable below, so the driver's interpreter and tools kept
    there (pyenv, venvs) still work on the node; the node's start-up files win. Without
    overlayfs the node HOME is bind-mounted instead and hides the real one.
    """
    target = pwd.getpwnam("root").pw_dir
    work = upper.rstrip("/") + ".work"
    os.makedirs(work, exist_ok=True)
    try:
        mount("overlay", target, "overlay", 0, f"lowerdir={target},upperdir={upper},workdir={work}")
    except OSError as err:
        print(f"node_init: {err}; bind-mounting {upper} instead", file=sys.stderr, flush=True)
        mount(upper, target, None, MS_BIND)


def supervise(command: list[str]) -> int:
    """Run *command* (sshd), reap every child, return sshd's exit status."""
    child = os.fork()
    if child == 0:
        os.setsid()
        try:
            os.execv(command[0], command)
        except OSError as err:
            print(f"node_init: cannot run {command[0]}: {err.strerror}", file=sys.stderr, flush=True)
            os._exit(127)

    def stop(signum: int, _frame: object) -> None:
        os.kill(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 1
        if pid == child:
            return os.waitstatus_to_exitcode(status)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="node_init")
    parser.add_argument("--hostname", required=True)
    parser.add_argument("--home", required=True)
    parser.add_argument("--hosts", required=True)
    parser.add_argument("--state-dir", required=True, help="marks this process as the cluster's")
    parser.add_argument("--share", action="append", default=[], help="host dir to bind at the same path")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    try:
        prepare(args.hostname, args.home, args.hosts, args.share)
    except OSError as err:
        print(f"node_init: {err}", file=sys.stderr, flush=True)
        return 1
    return supervise(command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
