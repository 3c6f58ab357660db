"""Systests of the fault tools (ducktape.trogdor.faults) on real nodes: partitions, degraded
links, stopped and killed processes, full disks, each checked from the nodes themselves.

Add them here as ``*_test.py`` files of ducktape tests, like ``systests/runner``;
tests/test_e2e_systests.py runs every systest on a namespace cluster.
"""
