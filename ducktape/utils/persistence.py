"""An immutable dict for user globals (``--globals``): reads work, writes raise NotImplementedError."""
from __future__ import annotations

from typing import Any


def _refuse(*_args: Any, **_kwargs: Any) -> None:
    raise NotImplementedError("Cannot set values in a PDict")


class PDict(dict):
    """A dict that refuses in-place changes; ``using``/``without`` return changed copies."""

    __setitem__ = _refuse
    __delitem__ = _refuse
    update = _refuse
    clear = _refuse
    pop = _refuse
    popitem = _refuse
    setdefault = _refuse

    def copy(self) -> PDict:
        return PDict(self)

    def without(self, *keys: Any) -> PDict:
        """A copy lacking *keys* (KeyError if one is absent)."""
        plain = dict(self)
        for key in keys:
            del plain[key]
        return PDict(plain)

    def using(self, **kwargs: Any) -> PDict:
        """A copy with *kwargs* set."""
        plain = dict(self)
        plain.update(kwargs)
        return PDict(plain)

    def __reduce__(self):
        return make_dict, (dict(self),)


make_dict = PDict
