"""Marks recorded on test functions, and how each one transforms the list of test contexts.

Decorators append a Mark to ``f.marks`` (bottom decorator first) and its name to ``f.mark_names``;
MarkedFunctionExpander later applies them in that order. See docs/writing-tests.md for the rules.
"""
from __future__ import annotations

import functools
import itertools
import os
from collections.abc import Callable, Iterable
from typing import Any

from ducktape.errors import DucktapeError


class Mark:
    """Base of every mark; ``apply`` maps the current context list to a new one."""

    @staticmethod
    def mark(fun: Callable, mark: Mark) -> None:
        """Record *mark* on *fun* (order kept in ``marks``, names in ``mark_names``)."""
        if hasattr(fun, "marks"):
            fun.marks.append(mark)
        else:
            fun.__dict__["marks"] = [mark]
        if hasattr(fun, "mark_names"):
            fun.mark_names.add(mark.name)
        else:
            fun.__dict__["mark_names"] = {mark.name}

    @staticmethod
    def marked(f: Any, mark: Mark) -> bool:
        """True when *f* carries a mark of *mark*'s kind."""
        return f is not None and mark.name in getattr(f, "mark_names", ())

    @staticmethod
    def clear_marks(f: Callable) -> None:
        if hasattr(f, "marks"):
            del f.__dict__["marks"]
            del f.__dict__["mark_names"]

    @property
    def name(self) -> str:
        return "MARK"

    def apply(self, seed_context, context_list: list) -> list:
        raise NotImplementedError("Subclasses should implement apply")

    def __eq__(self, other: object) -> bool:
        return isinstance(self, type(other)) and self.name == other.name

    __hash__ = object.__hash__


class _ArgsMark(Mark):
    """A mark holding keyword arguments; equal when kind and arguments are equal."""

    def __init__(self, **kwargs: Any) -> None:
        self.injected_args = kwargs

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and self.injected_args == other.injected_args

    __hash__ = object.__hash__


class Ignore(_ArgsMark):
    """Ignore the contexts whose injected args equal the mark's (all of them when args are None)."""

    @property
    def name(self) -> str:
        return "IGNORE"

    def apply(self, seed_context, context_list: list) -> list:
        assert len(context_list) > 0, "ignore annotation is not being applied to any test cases"
        for ctx in context_list:
            if self.injected_args is None or self.injected_args == ctx.injected_args:
                ctx.ignore = True
        return context_list


class IgnoreAll(Ignore):
    """Ignore every context the mark reaches."""

    def __init__(self) -> None:
        super().__init__()
        self.injected_args = None


def _check_iterable(kind: str, kwargs: dict) -> None:
    for key, values in kwargs.items():
        try:
            iter(values)
        except TypeError as err:
            raise DucktapeError(f"Expected all values in @{kind} decorator to be iterable: {err} "
                                f"(argument {key}={values!r})") from None


class Matrix(_ArgsMark):
    """One context per combination of the argument lists, each pushed to the front."""

    def __init__(self, **kwargs: Any) -> None:
        _check_iterable("matrix", kwargs)
        super().__init__(**kwargs)

    @property
    def name(self) -> str:
        return "MATRIX"

    def apply(self, seed_context, context_list: list) -> list:
        for args in cartesian_product_dict(self.injected_args):
            context_list.insert(0, _injected_copy(seed_context, args))
        return context_list


class Defaults(_ArgsMark):
    """Fill arguments missing from existing contexts (or act as @matrix when there are none)."""

    def __init__(self, **kwargs: Any) -> None:
        _check_iterable("defaults", kwargs)
        super().__init__(**kwargs)

    @property
    def name(self) -> str:
        return "DEFAULTS"

    def apply(self, seed_context, context_list: list) -> list:
        if not context_list:
            return Matrix.apply(self, seed_context, [])
        expanded: list = []
        for ctx in context_list:
            missing = {k: v for k, v in self.injected_args.items() if k not in ctx.injected_args}
            for args in cartesian_product_dict(missing):
                args.update(ctx.injected_args)
                new_ctx = _injected_copy(seed_context, args)
                new_ctx.cluster_use_metadata = ctx.cluster_use_metadata
                new_ctx.ignore = ctx.ignore  # upstream drops it; an @ignore below @defaults must hold
                expanded.insert(0, new_ctx)
        return expanded


class Parametrize(_ArgsMark):
    """One context with exactly these arguments, pushed to the front."""

    @property
    def name(self) -> str:
        return "PARAMETRIZE"

    def apply(self, seed_context, context_list: list) -> list:
        context_list.insert(0, _injected_copy(seed_context, self.injected_args))
        return context_list


class Env(_ArgsMark):
    """Ignore every current context unless each named environment variable has the given value."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.should_ignore = any(os.environ.get(key) != value for key, value in kwargs.items())

    @property
    def name(self) -> str:
        return "ENV"

    def apply(self, seed_context, context_list: list) -> list:
        if self.should_ignore:
            for ctx in context_list:
                ctx.ignore = True
        return context_list


class _FunctionMark(Mark):
    """A mark read from the function by TestContext, wherever it sits among the decorators."""

    def apply(self, seed_context, context_list: list) -> list:
        return context_list


class OkToFail(_FunctionMark):
    """The test runs; PASS is reported as OPASS and FAIL as OFAIL, neither failing the run."""

    @property
    def name(self) -> str:
        return "OK_TO_FAIL"


class Timeout(_FunctionMark):
    """Per-test wall-clock limit in seconds (TestContext.timeout_seconds)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    @property
    def name(self) -> str:
        return "TIMEOUT"

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and self.seconds == other.seconds

    __hash__ = object.__hash__


PARAMETRIZED = Parametrize()
MATRIX = Matrix()
DEFAULTS = Defaults()
IGNORE = Ignore()
ENV = Env()
OK_TO_FAIL = OkToFail()
TIMEOUT = Timeout(0)
_PARAMETRIZE_NAMES = frozenset({"PARAMETRIZE", "MATRIX", "DEFAULTS"})


def _is_parametrize_mark(m: Mark) -> bool:
    return m.name in _PARAMETRIZE_NAMES


def parametrized(f: Any) -> bool:
    """Does *f* carry @parametrize, @matrix or @defaults?"""
    return not _PARAMETRIZE_NAMES.isdisjoint(getattr(f, "mark_names", ())) if f is not None else False


def ignored(f: Any) -> bool:
    """Does *f* carry @ignore?"""
    return Mark.marked(f, IGNORE)


def is_env(f: Any) -> bool:
    """Does *f* carry @env?"""
    return Mark.marked(f, ENV)


def cartesian_product_dict(d: dict) -> list[dict]:
    """Every combination of *d*'s value lists, as dicts with *d*'s key order, in itertools.product order."""
    keys = list(d)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(d[k] for k in keys))]


def _marker(mark: Mark) -> Callable:
    def decorate(f: Callable) -> Callable:
        Mark.mark(f, mark)
        return f

    return decorate


def matrix(**kwargs: Iterable) -> Callable:
    """Run the test once per combination of the given value lists: ``@matrix(x=[1, 2], y=["a"])``."""
    return _marker(Matrix(**kwargs))


def defaults(**kwargs: Iterable) -> Callable:
    """Give every parametrization the listed values for arguments it does not set itself."""
    return _marker(Defaults(**kwargs))


def parametrize(**kwargs: Any) -> Callable:
    """Run the test once with exactly these keyword arguments."""
    return _marker(Parametrize(**kwargs))


def ignore(*args: Any, **kwargs: Any) -> Callable:
    """``@ignore`` ignores every parametrization below it; ``@ignore(x=1)`` only the one with x=1.

    Unlike upstream, ``@ignore()`` with empty parentheses ignores everything too.
    """
    if len(args) == 1 and not kwargs and callable(args[0]):
        Mark.mark(args[0], IgnoreAll())
        return args[0]
    return _marker(Ignore(**kwargs) if kwargs else IgnoreAll())


def env(**kwargs: str) -> Callable:
    """Ignore the test unless each named environment variable has the given value (read at import)."""
    return _marker(Env(**kwargs))


def ok_to_fail(*args: Any) -> Callable:
    """``@ok_to_fail`` or ``@ok_to_fail()``: report OPASS/OFAIL instead of PASS/FAIL."""
    if len(args) == 1 and callable(args[0]):
        Mark.mark(args[0], OkToFail())
        return args[0]
    return _marker(OkToFail())


def timeout(seconds: float) -> Callable:
    """Stop the test after *seconds* of wall-clock time (overrides ``--test-timeout``)."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0:
        raise DucktapeError(f"@timeout needs a positive number of seconds, got {seconds!r}")
    return _marker(Timeout(float(seconds)))


def _injected_copy(seed_context, args: dict):
    """A copy of *seed_context* whose function is called with *args*."""
    return seed_context.copy(function=_inject(**args)(seed_context.function), injected_args=args)


def _inject(*args: Any, **kwargs: Any) -> Callable:
    """Like functools.partial, but the wrapper keeps the function's name and exposes args/kwargs/function."""

    def injector(f: Callable) -> Callable:
        assert callable(f)

        @functools.wraps(f)
        def wrapper(*w_args: Any, **w_kwargs: Any) -> Any:
            return f(*args, *w_args, **{**kwargs, **w_kwargs})

        wrapper.args = args
        wrapper.kwargs = kwargs
        wrapper.function = f
        return wrapper

    return injector
