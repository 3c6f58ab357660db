"""Small helpers suites import by path: wait_until, package_is_installed, ducktape_version, load_function."""
from __future__ import annotations

import importlib
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

from ducktape import __version__
from ducktape.errors import TimeoutError


def wait_until(
    condition: Callable[[], Any],
    timeout_sec: float,
    backoff_sec: float = 0.1,
    err_msg: str | Callable[[], str] = "",
    retry_on_exc: bool = False,
) -> None:
    """Poll *condition* until it is truthy; raise ducktape.errors.TimeoutError(err_msg) when time runs out.

    Unlike upstream we return as soon as the condition holds (no sleep after success).
    With *retry_on_exc* an exception from the condition is retried and chained to the final
    TimeoutError; without it, it propagates at once.
    """
    deadline = time.time() + timeout_sec
    last_exc: BaseException | None = None
    while time.time() < deadline:
        try:
            value = condition()
            if callable(value):
                _warn_callable_condition(value, sys._getframe(1))
            if value:
                return
            last_exc = None
        except BaseException as exc:
            if not retry_on_exc:
                raise
            last_exc = exc
        time.sleep(backoff_sec)
    raise TimeoutError(err_msg() if callable(err_msg) else err_msg) from last_exc


_WARNED_SITES: set[tuple[str, int]] = set()


def _warn_callable_condition(value: Any, caller: Any) -> None:
    """The condition returned a function instead of calling it (``lambda: check`` for
    ``lambda: check()``): a callable is truthy, so the wait ends at once, as upstream's does.
    Say so once per call site; the behaviour stays upstream's."""
    site = (caller.f_code.co_filename, caller.f_lineno)
    if site in _WARNED_SITES:
        return
    _WARNED_SITES.add(site)
    name = getattr(value, "__qualname__", None) or type(value).__name__
    warnings.warn(f"wait_until's condition returned the callable {name} instead of a value, so it never waits: "
                  f"call it in the condition (lambda: {name.rsplit('.', 1)[-1]}() rather than lambda: "
                  f"{name.rsplit('.', 1)[-1]}), or pass it as the condition itself", UserWarning,
                  stacklevel=3)


def package_is_installed(package_name: str) -> bool:
    """True when *package_name* imports without error."""
    try:
        importlib.import_module(package_name)
    except Exception:  # noqa: BLE001 - any failure means not usable
        return False
    return True


def ducktape_version() -> str:
    """The version string of this ducktape."""
    return __version__


def load_function(func_module_path: str) -> Callable:
    """Import ``package.module.function`` and return the function."""
    module_name, _, function_name = func_module_path.rpartition(".")
    if not module_name:
        raise ValueError(f"not a dotted function path: {func_module_path!r} (expected package.module.function)")
    func = getattr(importlib.import_module(module_name), function_name, None)
    if func is None:
        raise ValueError(f"module {module_name} has no attribute {function_name!r} (from {func_module_path!r})")
    if not callable(func):
        raise TypeError(f"{func_module_path!r} is not callable")
    return func


def safe_repr(obj: Any) -> str:
    """``repr(obj)``, or a stand-in naming the type when its ``__repr__`` raises: a test's
    error or return value must be reportable whatever its methods do."""
    try:
        return repr(obj)
    except Exception as err:  # noqa: BLE001 - any failure of user code is described, not raised
        return f"<{type(obj).__name__} object; repr() raised {type(err).__name__}>"
