"""Client for broker_server.py: send messages (or one PING, or watch the count) and print replies.

Output lines are ``acked <i> offset <n>`` per message, the greeting for ``--ping``, or
``count <n>`` whenever the broker's message count changes for ``--watch`` (which runs until
killed). A refused connection exits with status 2 so callers see a RemoteCommandError.
"""
from __future__ import annotations

import argparse
import socket
import sys
import time


def watch(stream) -> None:
    """Print the broker's message count each time it changes, forever."""
    last = None
    while True:
        stream.write("COUNT\n")
        stream.flush()
        count = stream.readline().strip()
        if count != last:
            print(f"count {count}", flush=True)
            last = count
        time.sleep(0.1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--prefix", default="msg")
    parser.add_argument("--ping", action="store_true")
    parser.add_argument("--watch", action="store_true")
    args = parser.parse_args()
    try:
        conn = socket.create_connection((args.host, args.port), timeout=10)
    except OSError as err:
        print(f"cannot reach broker {args.host}:{args.port}: {err}", file=sys.stderr)
        return 2
    with conn, conn.makefile("rw") as stream:
        if args.ping:
            stream.write("PING\n")
            stream.flush()
            print(stream.readline().strip(), flush=True)
            return 0
        if args.watch:
            watch(stream)
        for i in range(args.count):
            stream.write(f"{args.prefix}-{i}\n")
            stream.flush()
            reply = stream.readline().split()
            print(f"acked {i} offset {reply[1]}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
