"""A packet delayer in user space, for kernels without ``sch_netem``: one NFQUEUE listener.

iptables hands each matching packet to this process (``-j NFQUEUE --queue-num N
--queue-bypass``); it gives the kernel a verdict for it later (delay, jitter), sooner than
others (reordering), changed (corruption), twice (duplication, a copy sent back in through
a raw socket with a mark the rule skips). Standard library only and one file, because it is
copied to the node and started there. SIGTERM releases every held packet, then exits.

    python3 nfqueue.py --queue 4711 --delay-ms 100 --jitter-ms 10 --pidfile /run/x.pid
"""
from __future__ import annotations

import argparse
import heapq
import os
import random
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS, NFQA_CFG_QUEUE_MAXLEN, NFQA_CFG_MASK, NFQA_CFG_FLAGS = 1, 2, 3, 4, 5
NFQA_PACKET_HDR, NFQA_VERDICT_HDR, NFQA_PAYLOAD = 1, 2, 10
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META, NFQNL_COPY_PACKET = 1, 2
NFQA_CFG_F_FAIL_OPEN = 1
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
NF_ACCEPT = 1
SO_MARK = 36
SO_RCVBUFFORCE = 33


def attr(kind: int, payload: bytes) -> bytes:
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * (-length % 4)


def message(msg_type: int, queue: int, attrs: bytes, flags: int = NLM_F_REQUEST) -> bytes:
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(queue)) + attrs
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | msg_type, flags, 0, 0) + body


def parse_attrs(data: bytes) -> dict:
    attrs, offset = {}, 0
    while offset + 4 <= len(data):
        length, kind = struct.unpack_from("=HH", data, offset)
        if length < 4:
            break
        attrs[kind & 0x7FFF] = data[offset + 4: offset + length]
        offset += (length + 3) & ~3
    return attrs


class Delayer:
    """Holds packets of one queue and releases them on time."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rng = random.Random(args.seed)
        self.needs_payload = bool(args.corrupt_percent or args.duplicate_percent)
        self.held: list = []  # heap of (release time, sequence, packet id, payload or None, copy)
        self.sequence = 0
        self.last_release = 0.0
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
        self.sock.bind((0, 0))
        self.raw = None
        if args.duplicate_percent:
            self.raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
            self.raw.setsockopt(socket.SOL_SOCKET, SO_MARK, args.mark)

    def configure(self) -> None:
        q = self.args.queue
        self.request(message(NFQNL_MSG_CONFIG, q, attr(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, 0))))
        mode = NFQNL_COPY_PACKET if self.needs_payload else NFQNL_COPY_META
        self.request(message(NFQNL_MSG_CONFIG, q, attr(NFQA_CFG_PARAMS, struct.pack("!IB", 0xFFFF, mode))))
        self.request(message(NFQNL_MSG_CONFIG, q, attr(NFQA_CFG_QUEUE_MAXLEN, struct.pack("!I", 65536))))
        flags = struct.pack("!I", NFQA_CFG_F_FAIL_OPEN)
        self.request(message(NFQNL_MSG_CONFIG, q, attr(NFQA_CFG_MASK, flags) + attr(NFQA_CFG_FLAGS, flags)))

    def request(self, msg: bytes) -> None:
        """Send a config message and wait for the kernel's acknowledgement."""
        self.sock.send(msg[:6] + struct.pack("=H", NLM_F_REQUEST | NLM_F_ACK) + msg[8:])
        while True:
            reply = self.sock.recv(65536)
            (kind,) = struct.unpack_from("=H", reply, 4)
            if kind == NLMSG_ERROR:
                (error,) = struct.unpack_from("=i", reply, 16)
                if error:
                    raise OSError(-error, f"nfqueue config refused: {os.strerror(-error)}")
                return

    def hold(self, packet_id: int, payload: bytes | None) -> None:
        a = self.args
        delay = a.delay_ms / 1000.0
        if a.jitter_ms:
            delay = max(0.0, delay + self.rng.uniform(-a.jitter_ms, a.jitter_ms) / 1000.0)
        now = time.monotonic()
        release = now + delay
        if a.reorder_percent and self.rng.random() * 100 < a.reorder_percent:
            release = now  # jumps the queue: later packets overtake the held ones
        elif not a.reorder_percent:
            release = max(release, self.last_release)  # jitter alone keeps order
            self.last_release = release
        changed = None
        if payload is not None and a.corrupt_percent and self.rng.random() * 100 < a.corrupt_percent:
            changed = corrupt(payload, self.rng)
        copy = payload if (payload is not None and a.duplicate_percent
                           and self.rng.random() * 100 < a.duplicate_percent) else None
        heapq.heappush(self.held, (release, self.sequence, packet_id, changed, copy))
        self.sequence += 1

    def release_due(self, everything: bool = False) -> None:
        now = time.monotonic()
        batch = []
        while self.held and (everything or self.held[0][0] <= now):
            _, _, packet_id, payload, copy = heapq.heappop(self.held)
            attrs = attr(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, packet_id))
            if payload is not None:
                attrs += attr(NFQA_PAYLOAD, payload)
            batch.append(message(NFQNL_MSG_VERDICT, self.args.queue, attrs))
            if copy is not None and self.raw is not None:
                self.send_copy(copy)
        for i in range(0, len(batch), 64):
            self.sock.send(b"".join(batch[i:i + 64]))

    def send_copy(self, packet: bytes) -> None:
        if len(packet) < 20 or packet[0] >> 4 != 4:
            return
        try:
            self.raw.sendto(packet, (socket.inet_ntoa(packet[16:20]), 0))
        except OSError:
            pass  # a lost duplicate is still a faithful network

    def receive(self) -> None:
        try:
            data = self.sock.recv(1 << 17)
        except OSError:
            return  # ENOBUFS: the kernel dropped notifications; fail-open lets packets through
        offset = 0
        while offset + 16 <= len(data):
            length, kind = struct.unpack_from("=IH", data, offset)
            if length < 16:
                break
            if kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                attrs = parse_attrs(data[offset + 20: offset + length])
                header = attrs.get(NFQA_PACKET_HDR)
                if header:
                    (packet_id,) = struct.unpack_from("!I", header)
                    self.hold(packet_id, attrs.get(NFQA_PAYLOAD) if self.needs_payload else None)
            offset += (length + 3) & ~3

    def run(self, stop: list) -> None:
        while not stop:
            timeout = max(0.0, self.held[0][0] - time.monotonic()) if self.held else 0.5
            readable, _, _ = select.select([self.sock], [], [], timeout)
            if readable:
                self.receive()
            self.release_due()
        self.release_due(everything=True)


def corrupt(packet: bytes, rng: random.Random) -> bytes:
    """Flip one random bit after the IP header."""
    header = (packet[0] & 0x0F) * 4 if packet else 0
    if len(packet) <= header:
        return packet
    i = rng.randrange(header, len(packet))
    return packet[:i] + bytes([packet[i] ^ (1 << rng.randrange(8))]) + packet[i + 1:]


def parse(argv: list) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="NFQUEUE packet delayer")
    p.add_argument("--queue", type=int, required=True)
    p.add_argument("--delay-ms", type=float, default=0.0)
    p.add_argument("--jitter-ms", type=float, default=0.0)
    p.add_argument("--reorder-percent", type=float, default=0.0)
    p.add_argument("--duplicate-percent", type=float, default=0.0)
    p.add_argument("--corrupt-percent", type=float, default=0.0)
    p.add_argument("--mark", type=lambda v: int(v, 0), default=0xD7)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--pidfile", required=True)
    p.add_argument("--tag", default="", help="ignored; names the task in the process list")
    return p.parse_args(argv)


def main(argv: list | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    stop: list = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    delayer = Delayer(args)
    delayer.configure()
    with open(args.pidfile + ".tmp", "w") as f:
        f.write(str(os.getpid()))
    os.rename(args.pidfile + ".tmp", args.pidfile)  # bound and configured: the rule may go in
    delayer.run(stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
