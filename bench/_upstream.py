"""Where benchmarks find upstream ducktape 0.17.0: its own virtualenv, never ours.

Benchmarks run the same suite through both and print ratios; this module only
makes sure the upstream interpreter exists and says where it is.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
UPSTREAM_VENV = Path(os.environ.get("DUCKTAPE_UPSTREAM_VENV", BENCH_DIR / ".upstream-venv")).absolute()
UPSTREAM_VERSION = "0.17.0"


def upstream_python() -> Path:
    """Return the upstream venv's python, creating the venv on first use."""
    py = UPSTREAM_VENV / "bin" / "python"
    if not py.exists():
        print(f"bench: installing upstream ducktape {UPSTREAM_VERSION} into {UPSTREAM_VENV}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(UPSTREAM_VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", f"ducktape=={UPSTREAM_VERSION}"], check=True)
    return py


def upstream_ducktape() -> Path:
    """Return the upstream `ducktape` console script."""
    upstream_python()
    return UPSTREAM_VENV / "bin" / "ducktape"


def ours_ducktape() -> Path:
    """Return our `ducktape` console script (from the venv running this benchmark)."""
    return Path(sys.executable).parent / "ducktape"


def upstream_paths() -> set[str]:
    """The venv's path as given and as resolved: either may show in upstream's tracebacks."""
    return {str(UPSTREAM_VENV), os.path.realpath(UPSTREAM_VENV)}


if __name__ == "__main__":
    # build.sh runs this before the tests: the comparisons with upstream need it installed.
    print(upstream_python())
