"""ducktape: a test runner for distributed systems (drop-in for upstream ducktape 0.17.0)."""

__version__ = "0.17.0"
