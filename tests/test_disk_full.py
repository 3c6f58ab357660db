"""A results root that fills up mid-session: a real small tmpfs (we run as root), a test that
fills it, and tests after it. Nothing turns FAIL for it, it is said once, nothing written is
lost, the session reports still appear (from the reserve), and the exit status is non-zero."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support.suites import run_ducktape, write_suite

SUITE = {
    "suite/test_fill.py": """
        import os

        from ducktape.mark.resource import cluster
        from ducktape.tests.test import Test


        class FillTest(Test):
            @cluster(num_nodes=1)
            def test_a_before(self):
                return {"x": 1}

            @cluster(num_nodes=1)
            def test_b_fill(self):
                path = os.path.join(self.test_context.session_context.results_dir, "filler.bin")
                try:
                    with open(path, "wb") as out:
                        while True:
                            out.write(b"x" * 65536)
                except OSError:
                    pass

            @cluster(num_nodes=1)
            def test_c_after(self):
                self.logger.info("hello " * 1000)
                return {"y": 2}

            @cluster(num_nodes=1)
            def test_d_after(self):
                self.logger.warning("still here")
        """,
}


@pytest.fixture
def small_fs(tmp_path: Path):
    """A 3 MB tmpfs, unmounted afterwards."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount_point)], check=True)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_full_results_root_is_said_once_and_fails_no_test(suite_dir: Path, small_fs: Path):
    write_suite(suite_dir, SUITE)
    results = small_fs / "results"
    proc = run_ducktape(["suite", "--results-root", str(results)], cwd=suite_dir)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert out.count("no space left on the results root") == 1, out
    assert "Traceback" not in out and "JSON-able" not in out and "Logging error" not in out, out
    session = results / "latest"
    report = json.loads((session / "report.json").read_text())
    assert {r["test_id"].rsplit(".", 1)[1]: r["test_status"] for r in report["results"]} == {
        "test_a_before": "PASS", "test_b_fill": "PASS", "test_c_after": "PASS", "test_d_after": "PASS"}
    assert (session / "report.html").is_file() and (results / "index.html").is_file()
    # what was written before the disk filled is still there, whole
    before = json.loads((session / "FillTest" / "test_a_before" / "1" / "report.json").read_text())
    assert before["test_status"] == "PASS"
    assert json.loads((session / "FillTest" / "test_a_before" / "1" / "data.json").read_text()) == {"x": 1}
    assert not (session / ".space-reserve").exists()
