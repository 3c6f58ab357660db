"""Local filesystem helpers."""
from __future__ import annotations

import hashlib
import os


def mkdir_p(path: str) -> None:
    """Create *path* and its parents; an existing directory is fine."""
    os.makedirs(path, exist_ok=True)


MAX_NAME_BYTES = 200  # file systems allow 255 bytes per name; leave room for suffixes


def short_name(name: str) -> str:
    """*name* if it fits in MAX_NAME_BYTES, else its start plus a hash of the whole name,
    so names too long for the file system stay distinct and recognisable."""
    raw = name.encode()
    if len(raw) <= MAX_NAME_BYTES:
        return name
    digest = hashlib.sha256(raw).hexdigest()[:16]
    return raw[: MAX_NAME_BYTES - len(digest) - 1].decode(errors="ignore") + "-" + digest


def safe_name(name: str) -> str:
    """*name* (a host name, a service id: text a test or a file controls) as exactly one
    directory entry: no ``/``, never ``.``/``..``/empty, not too long. A joined path
    built from such names cannot leave the directory it starts in."""
    text = name.replace("/", "_").replace("\0", "_")
    if text in ("", ".", ".."):
        text = "_" * max(len(text), 1)
    return short_name(text)
