"""vagrant/nightly-ec2.sh against a moto server on loopback: provision, run, keep the
results, always tear down, and an exit status cron or CI can use."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.suites import write_suite

SCRIPT = Path(__file__).resolve().parents[1] / "vagrant" / "nightly-ec2.sh"
SUITE = {
    "suite/test_nightly.py": """
        import os, time
        from ducktape.mark.resource import cluster
        from ducktape.tests.test import Test

        class NightlyTest(Test):
            @cluster(num_nodes=0)
            def test_passes(self):
                pass

            @cluster(num_nodes=0)
            def test_fails(self):
                assert False, "nightly failure on purpose"

            @cluster(num_nodes=0)
            def test_sleeps(self):
                open(os.environ["NIGHTLY_MARKER"], "w").close()
                time.sleep(120)
    """,
}


def _nightly(moto_ec2, tmp_path, test: str, **config) -> subprocess.Popen:
    write_suite(tmp_path, SUITE)
    moto_ec2.write_config(tmp_path / "ec2.yml", **config)
    env = {**os.environ, **moto_ec2.env, "DUCKTAPE_PYTHON": sys.executable, "HOME": str(tmp_path),
           "NIGHTLY_MARKER": str(tmp_path / "sleeping")}
    return subprocess.Popen(["bash", str(SCRIPT), "--config", "ec2.yml", "--nodes", "2", "--name", "night",
                             "--results", "out", "--", f"suite/test_nightly.py::NightlyTest.{test}"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(process: subprocess.Popen) -> tuple[int, str]:
    out, err = process.communicate(timeout=300)
    return process.returncode, out + err


def _terminated(moto_ec2) -> int:
    return len(moto_ec2.instances(states=("shutting-down", "terminated")))


def test_a_passing_night_keeps_results_and_tears_down(moto_ec2, tmp_path):
    code, output = _finish(_nightly(moto_ec2, tmp_path, "test_passes"))
    assert code == 0, output
    assert moto_ec2.instances() == [] and _terminated(moto_ec2) == 2
    out = tmp_path / "out"
    assert (out / "cluster.json").exists() and (out / "latest" / "report.json").exists()
    assert "cluster night torn down" in (out / "nightly.log").read_text()


def test_a_failing_night_exits_1_and_still_tears_down(moto_ec2, tmp_path):
    code, output = _finish(_nightly(moto_ec2, tmp_path, "test_fails"))
    assert code == 1, output
    assert "nightly failure on purpose" in (tmp_path / "out" / "latest" / "report.txt").read_text()
    assert moto_ec2.instances() == [] and _terminated(moto_ec2) == 2


def test_provisioning_failure_exits_2_for_a_bad_ami_and_leaves_nothing(moto_ec2, tmp_path):
    code, output = _finish(_nightly(moto_ec2, tmp_path, "test_passes", ami="ami-0000000000deadbee"))
    assert code == 2, output
    assert "AMI ami-0000000000deadbee does not exist" in output
    assert moto_ec2.instances() == []
    assert not (tmp_path / "out" / "latest").exists()


def test_sigterm_stops_the_run_and_tears_down(moto_ec2, tmp_path):
    process = _nightly(moto_ec2, tmp_path, "test_sleeps")
    deadline = time.monotonic() + 120
    while not (tmp_path / "sleeping").exists():
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.2)
    assert len(moto_ec2.instances()) == 2
    process.send_signal(signal.SIGTERM)
    code, output = _finish(process)
    assert code == 143, output
    assert moto_ec2.instances() == [] and _terminated(moto_ec2) == 2


def test_usage_error_is_exit_2(tmp_path):
    result = subprocess.run(["bash", str(SCRIPT), "--nodes", "2"], cwd=tmp_path, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 2 and "usage:" in result.stderr
