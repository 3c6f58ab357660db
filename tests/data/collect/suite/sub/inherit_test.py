"""Inherited test methods; a base class with subclasses is not itself a test class."""
from ducktape.mark import parametrize
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test


class BaseTest(Test):
    @cluster(num_nodes=1)
    def test_inherited(self):
        pass

    @parametrize(n=1)
    @parametrize(n=2)
    def test_inherited_params(self, n):
        pass


class ChildTest(BaseTest):
    def test_child(self):
        """Child docstring."""


class OtherChildTest(BaseTest):
    @cluster(num_nodes=2)
    def test_inherited(self):
        pass
