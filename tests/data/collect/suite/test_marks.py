"""Every upstream mark, in the placements whose expansion rules are easy to get wrong."""
from ducktape.cluster.cluster_spec import ClusterSpec
from ducktape.mark import defaults, env, ignore, matrix, parametrize
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test


class MarksTest(Test):
    """Class docstring."""

    @parametrize(x=1, y="a")
    @parametrize(x=2, y="b c")
    def test_params(self, x, y):
        """Two plain parametrizations."""

    @cluster(num_nodes=5)
    @parametrize(x=1)
    @cluster(num_nodes=3)
    @parametrize(x=2)
    @parametrize(x=3)
    def test_stacked_cluster(self, x):
        pass

    @matrix(a=[1, 2], b=["p", "q"])
    def test_matrix(self, a, b):
        pass

    @defaults(z=[1, 2], w=["u"])
    @matrix(x=[1], y=[1, 2])
    @parametrize(x=3, y=4, z=999)
    def test_defaults(self, x, y, z, w):
        pass

    @defaults(k=[7, 8])
    def test_defaults_alone(self, k):
        pass

    @ignore(x=2)
    @parametrize(x=1)
    @parametrize(x=2)
    def test_ignore_one(self, x):
        pass

    @ignore
    @parametrize(x=1)
    @parametrize(x=2)
    def test_ignore_all(self, x):
        pass

    @ignore
    def test_ignored_plain(self):
        pass

    @env(DUCKTAPE_COLLECT_FIXTURE="yes")
    def test_env_match(self):
        pass

    @env(DUCKTAPE_COLLECT_FIXTURE="no")
    @parametrize(x=1)
    def test_env_mismatch(self, x):
        pass

    @cluster(num_nodes=2)
    @parametrize(t=(1, 2), d={"k": "v", "n": [1, 2]})
    @parametrize(t=[3], d={})
    def test_tuple_dict(self, t, d):
        pass

    @cluster(num_nodes=2, node_type="large")
    def test_node_type(self):
        pass

    @cluster(cluster_spec=ClusterSpec.simple_linux(4))
    def test_cluster_spec(self):
        pass

    @cluster(num_nodes=0)
    def test_zero_nodes(self):
        pass

    @cluster()
    def test_empty_cluster(self):
        pass

    @matrix(s="ab")
    def test_string_matrix(self, s):
        pass

    def latest(self):
        """Ends in 'test': collected, as upstream does."""

    def helper(self):
        """Not a test."""

    @parametrize(x=1.5, name="a/b c")
    def test_escaping(self, x, name):
        pass
