"""EC2 clusters on boto3: ``ducktape-cluster ec2 up|down|status`` and ``Ec2Cluster`` for one session."""
from ducktape.cluster.ec2.cluster import Ec2Cluster

__all__ = ["Ec2Cluster"]
