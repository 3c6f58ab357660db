"""vagrant/nightly-ec2.sh against a moto server on loopback: provision, run, keep the
results, always tear down, and an exit status cron or CI can use."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.nightly_suite import PREFIX, write_nightly_suite
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
    _terminate_while_sleeping(moto_ec2, tmp_path, _nightly(moto_ec2, tmp_path, "test_sleeps"), instances=2)


def _terminate_while_sleeping(moto_ec2, tmp_path, process: subprocess.Popen, instances: int) -> None:
    """SIGTERM the script once test_sleeps runs; it must exit 143 with every instance terminated."""
    deadline = time.monotonic() + 120
    while not (tmp_path / "sleeping").exists():
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.2)
    assert len(moto_ec2.instances()) == instances
    process.send_signal(signal.SIGTERM)
    code, output = _finish(process)
    assert code == 143, output
    assert moto_ec2.instances() == [] and _terminated(moto_ec2) == instances


def test_usage_error_is_exit_2(tmp_path):
    result = subprocess.run(["bash", str(SCRIPT), "--nodes", "2"], cwd=tmp_path, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 2 and "usage:" in result.stderr


def _sharded_night(moto_ec2, tmp_path, night: int, *args: str) -> subprocess.Popen:
    write_nightly_suite(tmp_path)
    moto_ec2.write_config(tmp_path / "ec2.yml")
    markers = tmp_path / f"markers-{night}"
    markers.mkdir(exist_ok=True)
    env = {**os.environ, **moto_ec2.env, "DUCKTAPE_PYTHON": sys.executable, "HOME": str(tmp_path),
           "NIGHT": str(night), "NIGHT_NODES": "0", "NIGHT_MARKERS": str(markers)}
    return subprocess.Popen(["bash", str(SCRIPT), "--config", "ec2.yml", "--nodes", "1", "--name", f"night{night}",
                             "--results", "history", "--shards", "2", *args, "--", "nightly_suite", "--deflake", "2"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_sharded_nights_merge_compare_and_exit_by_new_failures(moto_ec2, tmp_path):
    history = tmp_path / "history"
    code, output = _finish(_sharded_night(moto_ec2, tmp_path, 1, "--fail-on", "new"))
    assert code == 1, output  # no previous night: tonight's failures decide
    assert "no previous night" in output
    assert moto_ec2.instances() == [] and _terminated(moto_ec2) == 2
    night1 = history / "night1"
    report = json.loads((night1 / "report.json").read_text())
    assert len(report["results"]) == 9 and {r["shard"] for r in report["results"]} == {
        p.resolve().name for p in (history / ".shards" / "night1").glob("shard-*/latest")}
    assert (history / "latest").resolve() == night1.resolve()

    code, output = _finish(_sharded_night(moto_ec2, tmp_path, 2, "--fail-on", "new"))
    assert code == 1, output  # the even-night test newly fails
    log = (history / "nightly.log").read_text()
    assert f"balancing 2 shards by the run times in {night1.resolve()}/report.json" in log
    compared = (history / "night2" / "compare.txt").read_text()
    assert f"newly failing (1):\n  {PREFIX}test_fails_on_even_nights" in compared
    shard_commands = [json.loads((p / "report.json").read_text())["session_context"]["command_line"]
                      for p in (history / ".shards" / "night2").glob("shard-*/latest")]
    assert len(shard_commands) == 2 and all("--historical-report" in c for c in shard_commands), shard_commands

    code, output = _finish(_sharded_night(moto_ec2, tmp_path, 3, "--fail-on", "new"))
    assert code == 0, output  # tests still fail, but none newly: the gate passes
    assert json.loads((history / "night3" / "report.json").read_text())["num_failed"] == 2
    assert "0 newly failing, 1 fixed" in (history / "night3" / "compare.txt").read_text()
    code, output = _finish(_sharded_night(moto_ec2, tmp_path, 5))
    assert code == 1, output  # --fail-on any (the default): raw failures decide
    assert moto_ec2.instances() == [] and _terminated(moto_ec2) == 8


def test_sigterm_tears_down_every_shard_cluster(moto_ec2, tmp_path):
    write_suite(tmp_path, SUITE)
    moto_ec2.write_config(tmp_path / "ec2.yml")
    env = {**os.environ, **moto_ec2.env, "DUCKTAPE_PYTHON": sys.executable, "HOME": str(tmp_path),
           "NIGHTLY_MARKER": str(tmp_path / "sleeping")}
    process = subprocess.Popen(["bash", str(SCRIPT), "--config", "ec2.yml", "--nodes", "2", "--name", "night",
                                "--results", "out", "--shards", "2", "--", "suite/test_nightly.py"],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _terminate_while_sleeping(moto_ec2, tmp_path, process, instances=4)
    log = (tmp_path / "out" / "nightly.log").read_text()
    assert "cluster night-1 torn down" in log and "cluster night-2 torn down" in log


def test_bad_shards_or_fail_on_is_exit_2(tmp_path):
    for args in (["--shards", "zero"], ["--shards", "0"], ["--fail-on", "sometimes"]):
        result = subprocess.run(["bash", str(SCRIPT), "--config", "ec2.yml", "--nodes", "2", *args], cwd=tmp_path,
                                capture_output=True, text=True, check=False)
        assert result.returncode == 2 and "nightly-ec2.sh: --" in result.stderr, (args, result.stderr)
