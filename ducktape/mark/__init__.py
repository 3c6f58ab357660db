"""Test marks: @parametrize, @matrix, @defaults, @ignore, @env, @ok_to_fail, @timeout (and @cluster in
ducktape.mark.resource)."""
from ducktape.mark._mark import (
    defaults,
    env,
    ignore,
    ignored,
    is_env,
    matrix,
    ok_to_fail,
    parametrize,
    parametrized,
    timeout,
)

__all__ = [
    "defaults",
    "env",
    "ignore",
    "ignored",
    "is_env",
    "matrix",
    "ok_to_fail",
    "parametrize",
    "parametrized",
    "timeout",
]
