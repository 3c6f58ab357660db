"""A test class imported into another test module is collected under this module too (upstream rule)."""
from ducktape.tests.test import Test

from .inherit_test import ChildTest  # noqa: F401


class LocalTest(Test):
    def test_local(self):
        pass
