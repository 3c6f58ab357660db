"""Not a test file by name: loaded only when named explicitly."""
from ducktape.tests.test import Test


class NamedOnlyTest(Test):
    def test_named(self):
        pass
