"""The multiplexer's wire format on its Unix socket: small typed frames.

A frame is one kind byte, a 4-byte big-endian length and that many bytes. A request (the
command to run, if any) and its reply are JSON frames (``j``); a command's channel then
carries its streams as frames (stdout ``o``, stderr ``e``, EOF ``f``, exit status ``x``,
channel closed ``c`` towards the test process; stdin ``d``, end of stdin ``w`` and
``r``, "this shell is idle: keep it for the next test process", towards the node). An SFTP channel
carries raw bytes after the reply, as paramiko's SFTPClient reads them from any socket.
"""
from __future__ import annotations

import json
import socket
import struct
from typing import Any

HEADER = struct.Struct("!cI")
MAX_PAYLOAD = 1 << 20

JSON = b"j"
STDIN = b"d"
STDIN_EOF = b"w"
RELEASE = b"r"
STDOUT = b"o"
STDERR = b"e"
EOF = b"f"
STATUS = b"x"
CLOSED = b"c"  # payload b"1" if the node's connection is still up, b"0" if it went down


def send(sock: socket.socket, kind: bytes, payload: bytes = b"") -> None:
    """Send one frame; large payloads go as several frames of the same kind."""
    if not payload:
        sock.sendall(HEADER.pack(kind, 0))
        return
    for start in range(0, len(payload), MAX_PAYLOAD):
        chunk = payload[start:start + MAX_PAYLOAD]
        sock.sendall(HEADER.pack(kind, len(chunk)) + chunk)


def recv_exact(sock: socket.socket, size: int) -> bytes | None:
    """Exactly *size* bytes, or None if the peer closed first."""
    parts = []
    while size:
        data = sock.recv(min(size, MAX_PAYLOAD))
        if not data:
            return None
        parts.append(data)
        size -= len(data)
    return b"".join(parts)


def recv(sock: socket.socket) -> tuple[bytes | None, bytes]:
    """(kind, payload) of the next frame; (None, b"") once the peer has closed."""
    head = recv_exact(sock, HEADER.size)
    if head is None:
        return None, b""
    kind, size = HEADER.unpack(head)
    payload = recv_exact(sock, size) if size else b""
    if payload is None:
        return None, b""
    return kind, payload


def send_json(sock: socket.socket, obj: Any) -> None:
    send(sock, JSON, json.dumps(obj).encode())


def recv_json(sock: socket.socket) -> Any:
    """The next frame's JSON value; None if the peer closed or sent something else."""
    kind, payload = recv(sock)
    if kind != JSON:
        return None
    return json.loads(payload)
