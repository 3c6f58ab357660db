"""JSON encoder for ducktape objects: anything with ``to_json()`` serialises as its result."""
from __future__ import annotations

from json import JSONEncoder
from typing import Any


class DucktapeJSONEncoder(JSONEncoder):
    """Encode objects through their ``to_json()`` when they have one."""

    def default(self, o: Any) -> Any:
        to_json = getattr(o, "to_json", None)
        if callable(to_json):
            return to_json()
        return super().default(o)
