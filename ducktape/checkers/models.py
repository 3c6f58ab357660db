"""Sequential models a linearizability search replays operations against.

A model is its initial state and ``step(state, op) -> (ok, next_state)``: whether *op*, applied
to *state*, could have produced what the history says it did. States are hashable (frozen JSON).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ducktape.checkers.operations import Operation, freeze

Step = Callable[[Any, Operation], "tuple[bool, Any]"]


@dataclass(frozen=True)
class Model:
    name: str
    functions: tuple[str, ...]
    step: Step
    initial: Any = None


def _register_step(state: Any, op: Operation) -> tuple[bool, Any]:
    if op.f == "write":
        return True, freeze(op.value)
    # a read: only a completed one says anything (unknown reads are dropped before the search)
    return freeze(op.result) == state, state


def _cas_register_step(state: Any, op: Operation) -> tuple[bool, Any]:
    if op.f == "cas":
        expected, new = op.value
        if freeze(expected) != state:
            return False, state
        return True, freeze(new)
    return _register_step(state, op)


MODELS = {
    "register": Model("register", ("read", "write"), _register_step),
    "cas-register": Model("cas-register", ("read", "write", "cas"), _cas_register_step),
}


def model_named(name: str) -> Model:
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}\nhint: one of {', '.join(sorted(MODELS))}")
    return MODELS[name]


def check_functions(model: Model, ops: list[Operation]) -> None:
    """Refuse operations the model cannot replay, naming the first."""
    for op in ops:
        if op.f not in model.functions:
            hint = ' (use model="cas-register")' if op.f == "cas" else ""
            raise ValueError(f"operation #{op.index} ({op.describe()}): model {model.name!r} knows only "
                             f"{', '.join(model.functions)}{hint}")
        if op.f == "cas" and not (isinstance(op.value, list) and len(op.value) == 2):
            raise ValueError(f"operation #{op.index} ({op.describe()}): a cas value is [expected, new]")
