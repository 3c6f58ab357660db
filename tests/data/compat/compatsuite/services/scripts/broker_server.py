"""A toy "broker" run on a node by BrokerService: one TCP port, one append-only message log.

Protocol, one line per request: ``PING`` answers the configured greeting, ``COUNT`` the number
of messages held; any other line is
appended to ``<log.dir>/messages.log`` and answered ``ACK <offset>`` (offsets continue across
restarts because they count the lines already on disk). Lifecycle lines go to the server log
given on the command line, which the service watches to know the broker is up.
"""
from __future__ import annotations

import argparse
import os
import signal
import socketserver
import sys
import threading
import time


def read_config(path: str) -> dict[str, str]:
    """Parse a ``key=value`` properties file, skipping blank lines and ``#`` comments."""
    config = {}
    with open(path) as handle:
        for line in handle:
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, value = line.partition("=")
                config[key.strip()] = value.strip()
    return config


class Broker:
    """The message log and the server log of one broker process."""

    def __init__(self, config: dict[str, str], server_log: str):
        self.config = config
        self.server_log = server_log
        self.data_file = os.path.join(config["log.dir"], "messages.log")
        os.makedirs(config["log.dir"], exist_ok=True)
        self.lock = threading.Lock()
        with open(self.data_file, "a+") as handle:
            handle.seek(0)
            self.offset = sum(1 for _ in handle)

    def log(self, level: str, message: str) -> None:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        with open(self.server_log, "a") as handle:
            handle.write(f"[{stamp}] {level} {message}\n")

    def append(self, message: str) -> int:
        with self.lock:
            with open(self.data_file, "a") as handle:
                handle.write(message + "\n")
            self.offset += 1
            return self.offset - 1


def make_handler(broker: Broker) -> type:
    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            for raw in self.rfile:
                line = raw.decode().rstrip("\n")
                if line == "PING":
                    reply = broker.config.get("greeting", "hello")
                elif line == "COUNT":
                    reply = str(broker.offset)
                else:
                    reply = f"ACK {broker.append(line)}"
                self.wfile.write((reply + "\n").encode())
                self.wfile.flush()
    return Handler


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--server-log", required=True)
    args = parser.parse_args()
    broker = Broker(read_config(args.config), args.server_log)
    host, port = broker.config["listen.host"], int(broker.config["listen.port"])

    def shutdown(signum, frame):
        broker.log("INFO", f"Broker {broker.config['broker.id']} shutting down cleanly")
        os._exit(0)

    signal.signal(signal.SIGTERM, shutdown)
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    server = socketserver.ThreadingTCPServer((host, port), make_handler(broker))
    server.daemon_threads = True
    broker.log("INFO", f"Broker {broker.config['broker.id']} listening on {host}:{port} (pid {os.getpid()})")
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
