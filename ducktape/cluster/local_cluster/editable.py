"""Source directories of editable installs (``pip install -e``) in a virtualenv.

A shared virtualenv alone does not make an editable install work on the nodes: its
packages stay in the checkout, which may live where nodes see a private directory (/tmp).
pip records the checkout in each distribution's ``direct_url.json``."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlparse


def editable_sources(venv: str | Path) -> list[str]:
    """Checkout directories of the editable installs in *venv* (none when it is not a venv)."""
    venv = Path(venv)
    if not (venv / "pyvenv.cfg").is_file():
        return []
    found: list[str] = []
    for record in sorted(venv.glob("lib/python*/site-packages/*.dist-info/direct_url.json")):
        try:
            info = json.loads(record.read_text())
        except (OSError, ValueError):
            continue
        url = urlparse(str(info.get("url", ""))) if isinstance(info, dict) else None
        editable = isinstance(info, dict) and isinstance(info.get("dir_info"), dict) and info["dir_info"].get("editable")
        if editable and url is not None and url.scheme == "file" and Path(unquote(url.path)).is_dir():
            path = str(Path(unquote(url.path)).resolve())
            if path not in found:
                found.append(path)
    return found


def with_editable_sources(shares: list[str]) -> tuple[list[str], list[str]]:
    """(*shares* plus the editable checkouts of the virtualenvs among them, the ones added);
    a checkout already inside a share is not added again."""
    added: list[str] = []
    for share in shares:
        for source in editable_sources(share):
            inside = any(source == s or source.startswith(s.rstrip("/") + "/") for s in [*shares, *added])
            if not inside:
                added.append(source)
    return [*shares, *added], added
