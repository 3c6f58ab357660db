"""servicewatcher: keep a declared set of services running across a cluster.

One ``monitor`` process per node joins the cluster through an ephemeral znode, computes
the placement of every service instance with a pure partitioner, and starts or stops
its own units to match. ``status`` and ``reload`` talk to the same ZooKeeper.

    python -m watcher monitor --config servicewatcher.yaml
"""
