"""A results root that fills up mid-session: a real small tmpfs (we run as root), a test that
fills it, and tests after it. Nothing turns FAIL for it, it is said once, nothing written is
lost, the session reports still appear (from the reserve), and the exit status is non-zero."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support.suites import OURS_DUCKTAPE, run_ducktape, write_suite

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


def test_stdout_on_a_full_disk_costs_no_report(suite_dir: Path, small_fs: Path):
    """``ducktape suite > /full/out.txt``: the console fails, the results root is fine."""
    write_suite(suite_dir, {"suite/test_ok.py": SUITE_OK})
    filler = small_fs / "filler.bin"
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(b"x" * 65536)
                out.flush()
        except OSError:
            pass
    env = dict(os.environ, HOME=str(suite_dir))
    with open(small_fs / "out.txt", "w") as stdout:
        proc = subprocess.run([*OURS_DUCKTAPE, "suite"], cwd=suite_dir, env=env, stdout=stdout,
                              stderr=subprocess.PIPE, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "Logging error" not in proc.stderr, proc.stderr
    results = suite_dir / "results"
    session = results / "latest"
    assert (session / "report.html").is_file() and (results / "index.html").is_file()
    log = (session / "session_log.info").read_text()
    assert "no space left on the results root" not in log, log  # it is stdout's disk that is full
    assert log.count("ConsoleReporter.session_finished failed: No space left on device") == 1, log


SUITE_OK = """
    from ducktape.mark.resource import cluster
    from ducktape.tests.test import Test


    class OkTest(Test):
        @cluster(num_nodes=1)
        def test_one(self):
            self.logger.info("one")

        @cluster(num_nodes=1)
        def test_two(self):
            self.logger.info("two")
    """
