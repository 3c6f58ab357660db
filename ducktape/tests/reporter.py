"""Upstream's path for the session reporters, kept importable: the code lives in
``ducktape.tests.reporters.session``, with every other reporting module."""
from __future__ import annotations

from ducktape.tests.reporters.session import *  # this module is only the old name
from ducktape.tests.reporters.session import __all__  # noqa: F401
