"""What the CLI's verbs share: the usage error and reading a spec argument."""
from __future__ import annotations

import json


class UsageError(Exception):
    """Bad input on the command line: one line, exit status 2."""


def parse_spec_argument(text: str) -> dict:
    """A spec given as a file path, ``@path`` or JSON text."""
    text = text.strip()
    if not text.startswith("{"):
        path = text[1:] if text.startswith("@") else text  # noqa: FURB188 (removeprefix needs 3.9; agents run on 3.8)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise UsageError(f"cannot read spec file {path}: {e.strerror}; "
                             "hint: give a spec file or inline JSON such as '{\"class\": ...}'") from None
    try:
        data = json.loads(text)
    except ValueError as e:
        raise UsageError(f"the spec is not JSON: {e}") from None
    if not isinstance(data, dict):
        raise UsageError("the spec must be a JSON object with a \"class\"")
    return data
