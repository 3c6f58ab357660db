"""A local multi-node cluster on one Linux box: `ducktape-cluster up/down/status`.

Each node is a set of Linux namespaces (network, UTS, PID, mount) with its own IP on
a private bridge, its own hostname, private /mnt, /tmp and /var/log, and its own
sshd. `up` writes a standard cluster JSON file that `ducktape --cluster-file` reads;
reading that file is `ducktape.cluster.json`'s job, not this package's.

Entry points: `lifecycle.up`, `lifecycle.down`, `lifecycle.status` (library) and
`cli.main` (the console script).
"""
