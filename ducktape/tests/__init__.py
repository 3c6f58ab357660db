"""Tests, their contexts, loading and running. ``Test`` and ``TestContext`` are importable from here."""
from ducktape.tests.test import Test, TestContext

__all__ = ["Test", "TestContext"]
