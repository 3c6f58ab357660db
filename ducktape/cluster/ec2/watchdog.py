"""A small process that ends a session's EC2 cluster when the session dies.

Ec2Cluster starts it with a pipe on its stdin before launching anything. A session
that closes normally writes ``released`` first; if the pipe closes without it (the
driver was SIGKILLed or crashed hard), the watchdog terminates the cluster by tag.

    python -m ducktape.cluster.ec2.watchdog CLUSTER_NAME REGION
"""
from __future__ import annotations

import subprocess
import sys
import time

RELEASED = "released"


def start(name: str, region: str) -> subprocess.Popen:
    """Start a watchdog for cluster *name*; it lives in its own session so Ctrl-C does not reach it."""
    return subprocess.Popen([sys.executable, "-m", "ducktape.cluster.ec2.watchdog", name, region],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, text=True)


def release(process: subprocess.Popen) -> None:
    """Tell the watchdog the session ended its cluster itself, and let it exit."""
    try:
        process.stdin.write(RELEASED + "\n")
        process.stdin.close()
    except (OSError, ValueError):
        pass
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def main(argv: list[str]) -> int:
    name, region = argv
    lines = sys.stdin.read().split()
    if RELEASED in lines:
        return 0
    from ducktape.cluster.ec2.errors import Ec2Error
    from ducktape.cluster.ec2.lifecycle import down

    for attempt in range(5):
        try:
            down(region, name)
            return 0
        except Ec2Error:
            time.sleep(2 ** attempt)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
