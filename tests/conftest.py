"""Shared pytest fixtures. Fixture modules live in tests/support/ and are plugged in here."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

pytest_plugins = [
    "tests.support.netns",     # netns_cluster: a real multi-node namespace cluster with sshd
    "tests.support.sshd",      # loopback_sshd: one sshd on 127.0.0.1
    "tests.support.chromium",  # chromium: headless Debian chromium driver
    "tests.support.suites",    # helpers to write and run small ducktape suites
    "tests.support.moto_ec2",  # moto_ec2: a moto server on 127.0.0.1 standing in for EC2
    "tests.support.trogdor",   # trogdor_cluster: real Trogdor agents and coordinators on loopback
    "tests.support.mux",       # DUCKTAPE_TEST_MUX=1: the pytest process uses a session multiplexer
]
