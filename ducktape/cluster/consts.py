"""Operating-system names a node may declare (contract: ducktape.cluster.consts)."""
from __future__ import annotations

LINUX = "linux"
WINDOWS = "windows"
SUPPORTED_OS_TYPES = [LINUX, WINDOWS]
