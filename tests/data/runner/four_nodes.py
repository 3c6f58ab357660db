"""A LocalhostCluster cut to four nodes (pass --cluster four_nodes.FourNodeCluster)."""
from ducktape.cluster.localhost import LocalhostCluster


class FourNodeCluster(LocalhostCluster):
    def __init__(self, *args, **kwargs):
        kwargs["num_nodes"] = 4
        super().__init__(*args, **kwargs)
