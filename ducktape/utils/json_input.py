"""Reading a JSON value the user typed (``--parameters``, ``--globals``, ``path::Class.method@{...}``)."""
from __future__ import annotations

import json
from typing import Any

from ducktape.errors import UsageError


def parse_json_input(text: str, kinds: tuple[type, ...], invalid: tuple[str, str], wrong_kind: tuple[str, str],
                     error: type[UsageError] = UsageError, **names: Any) -> Any:
    """*text* as JSON, which must be one of *kinds*; else *error* (a UsageError) with a message and hint.

    *invalid* and *wrong_kind* are (message, hint) pairs; the message is a format string that may
    use ``{error}`` (the JSON error), ``{text}``, ``{kind}`` (the type name of what was given) and
    any of *names*; the hint is used as written.
    """
    try:
        value = json.loads(text)
    except ValueError as err:
        message, hint = invalid
        raise error(message.format(error=err, text=text, **names), hint) from None
    if not isinstance(value, kinds):
        message, hint = wrong_kind
        raise error(message.format(kind=type(value).__name__, text=text, **names), hint)
    return value
