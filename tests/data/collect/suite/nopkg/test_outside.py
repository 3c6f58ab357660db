"""In a directory without __init__.py: skipped by a directory walk."""
from ducktape.tests.test import Test


class OutsideTest(Test):
    def test_outside(self):
        pass
