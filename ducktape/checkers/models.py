"""Sequential models a linearizability search replays operations against.

Both models here are registers, so each operation is a *move*: a guard on the state before
it (a value, or ``ANY``) and an effect (the value after it, or ``SAME``). ``Model.move(op)``
is computed once per operation; ``apply(state, move)`` is the model's step, and the search
inlines it. States are hashable (frozen JSON).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ducktape.checkers.operations import Operation, freeze

ANY = object()  # a guard every state passes
SAME = object()  # an effect that leaves the state as it was

Move = "tuple[Any, Any]"


@dataclass(frozen=True)
class Model:
    name: str
    functions: tuple[str, ...]
    move: Callable[[Operation], Move]
    initial: Any = None

    def step(self, state: Any, op: Operation) -> tuple[bool, Any]:
        """Whether *op* could have done what the history says from *state*, and the state after."""
        return apply(state, self.move(op))


def apply(state: Any, move: Move) -> tuple[bool, Any]:
    guard, effect = move
    if guard is not ANY and guard != state:
        return False, state
    return True, state if effect is SAME else effect


def _register_move(op: Operation) -> Move:
    if op.f == "write":
        return ANY, freeze(op.value)
    if op.f == "cas":
        expected, new = op.value
        return freeze(expected), freeze(new)
    # a read: only a completed one says anything (unknown reads are dropped before the search)
    return freeze(op.result), SAME


MODELS = {
    "register": Model("register", ("read", "write"), _register_move),
    "cas-register": Model("cas-register", ("read", "write", "cas"), _register_move),
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
