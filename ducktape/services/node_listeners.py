"""Node listeners: code told about a service's node steps (JVM logging is one).

One path tells them: ``Service`` wraps the ``start_node`` and ``clean_node`` each class
defines, once, as the class is created (``Service.__init_subclass__``), and calls
``freeing_node`` from ``free()``. Nothing is replaced on an instance and no attribute read
is intercepted, so a test calling ``service.start_node(node)`` directly is seen too.
"""
from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["STEP_EVENTS", "NodeListener", "tells_listeners"]


class NodeListener:
    """Told about a service's node steps; subclass and override what you need.

    ``starting_node`` runs before every ``start_node`` call, ``cleaned_node`` after every
    ``clean_node`` call (even a failed one), ``freeing_node`` before a node goes back to
    the cluster. "Every call" includes a test calling ``service.start_node(node)`` itself:
    ``Service`` wraps each class's own ``start_node``/``clean_node`` once, when the class
    is defined, and an override's ``super()`` call tells nobody a second time.
    """

    def starting_node(self, service: Any, node: Any) -> None:
        """*node* is about to be started by *service*."""

    def cleaned_node(self, service: Any, node: Any) -> None:
        """*service* has cleaned *node* (or tried to)."""

    def freeing_node(self, service: Any, node: Any) -> None:
        """*service* is returning *node* to the cluster."""


STEP_EVENTS = {"start_node": "starting_node", "clean_node": "cleaned_node"}
# (service, step, node, thread) of the node steps telling listeners right now: an override's
# super().start_node(node) runs inside its caller's step and must not tell them again
_TELLING: set[tuple[int, str, int, int]] = set()


def tells_listeners(step: Callable, name: str = "") -> Callable:
    """*step*, a class's own ``start_node`` or ``clean_node``, telling the service's node
    listeners: ``starting_node`` before a start, ``cleaned_node`` after a clean (even a failed one)."""
    name = name or step.__name__
    event = STEP_EVENTS[name]

    @functools.wraps(step)
    def telling(self: Any, node: Any, *args: Any, **kwargs: Any) -> Any:
        key = (id(self), name, id(node), threading.get_ident())
        if key in _TELLING or not self._node_listeners:
            return step(self, node, *args, **kwargs)
        _TELLING.add(key)
        try:
            if event == "starting_node":
                self._tell_listeners(event, node)
            try:
                return step(self, node, *args, **kwargs)
            finally:
                if event == "cleaned_node":
                    self._tell_listeners(event, node)
        finally:
            _TELLING.discard(key)

    return telling
