"""Clusters of nodes and the accounts that run commands on them.

``JsonCluster``, ``LocalhostCluster`` and ``VagrantCluster`` are loaded on first
access, so importing a spec module does not pull in SSH support.
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "JsonCluster": "ducktape.cluster.json",
    "LocalhostCluster": "ducktape.cluster.localhost",
    "VagrantCluster": "ducktape.cluster.vagrant",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
