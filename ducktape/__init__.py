"""ducktape: a test runner for distributed systems (drop-in for upstream ducktape 0.17.0)."""

# The version pins see is upstream's with a local label (PEP 440): ``0.17.0+own.1.0.0``
# satisfies ``ducktape==0.17.0`` and ``ducktape>=0.17``, yet tells this build apart.
UPSTREAM_VERSION = "0.17.0"
OWN_VERSION = "1.0.0"
__version__ = f"{UPSTREAM_VERSION}+own.{OWN_VERSION}"
