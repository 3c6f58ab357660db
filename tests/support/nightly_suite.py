"""A small suite whose outcome depends on the night (``NIGHT`` in the environment), for the merge,
compare and nightly tests: stable tests, one always failing, one failing with different numbers
each night, one failing on even nights only, one flaky within a session (fails its first attempt
under ``--deflake 2``), and one test that exists on odd nights only, one on even nights only.
Every test holds one node (``NIGHT_NODES``), so the timeline has lanes."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.suites import write_suite

SUITE = {
    "nightly_suite/test_night.py": """
        import os, random
        from ducktape.mark import matrix
        from ducktape.mark.resource import cluster
        from ducktape.tests.test import Test

        NIGHT = int(os.environ.get("NIGHT", "1"))
        NODES = int(os.environ.get("NIGHT_NODES", "1"))  # 0 where nodes cannot be reached (EC2 in moto)

        class NightTest(Test):
            @cluster(num_nodes=NODES)
            @matrix(x=[1, 2, 3, 4])
            def test_stable(self, x):
                assert x > 0

            @cluster(num_nodes=NODES)
            def test_always_fails(self):
                raise RuntimeError("broken for good")

            @cluster(num_nodes=NODES)
            def test_varying(self):
                rng = random.Random(NIGHT)
                raise TimeoutError("timed out after %.1f s waiting for worker%d" % (rng.uniform(1, 60), rng.randint(1, 9)))

            @cluster(num_nodes=NODES)
            def test_fails_on_even_nights(self):
                assert NIGHT % 2 == 1, "night %d is even" % NIGHT

            @cluster(num_nodes=NODES)
            def test_flaky_attempt(self):
                marker = os.path.join(os.environ["NIGHT_MARKERS"], "flaky-attempt")
                if not os.path.exists(marker):
                    open(marker, "w").close()
                    raise AssertionError("first attempt fails")

            if NIGHT % 2:
                @cluster(num_nodes=NODES)
                def test_only_on_odd_nights(self):
                    pass
            else:
                @cluster(num_nodes=NODES)
                def test_only_on_even_nights(self):
                    pass
    """,
}

# test ids, as the reports name them
PREFIX = "nightly_suite.test_night.NightTest."


def write_nightly_suite(root: Path) -> Path:
    return write_suite(root, SUITE)


def run_night(work: Path, night: int, results_root: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the suite from *work* as night *night* into *results_root*; extra ducktape *args* (subsets...)."""
    markers = results_root / ".markers"
    markers.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HOME": str(work), "NIGHT": str(night), "NIGHT_MARKERS": str(markers)}
    return subprocess.run([sys.executable, "-m", "ducktape", "nightly_suite", "--results-root", str(results_root),
                           "--deflake", "2", *args], cwd=work, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
