"""Local filesystem helpers."""
from __future__ import annotations

import os


def mkdir_p(path: str) -> None:
    """Create *path* and its parents; an existing directory is fine."""
    os.makedirs(path, exist_ok=True)
