"""Errors in what the user typed or pointed us at, kept here for code that imports them by this path.

They live in ``ducktape.errors`` so every layer can raise them; command_line/main turns them
into one line on stderr and exit status 2; nothing below command_line prints or exits."""
from ducktape.errors import USAGE_EXIT, UsageError

__all__ = ["USAGE_EXIT", "UsageError"]
