"""The compat suite again under other flags, compared the same way as in test_compat_suite.py:
``--nested-result-dirs --compress``; ``--deflake 2 --exit-first`` on broker_test.py; and
consume_test.py (kafkatest's ConsoleConsumer pattern) on its own.
"""
from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from tests.test_compat_suite import (
    EXPECTED_STATUS,
    Runs,
    collected_logs,
    collected_logs_without_hosts,
    run_pair,
    service_dir_name,
    strip_framework_frames,
)

# ---- the same suite with --nested-result-dirs --compress --------------------------------------------

@pytest.fixture(scope="module")
def flag_runs(netns_cluster, tmp_path_factory) -> Runs:
    return run_pair(netns_cluster, tmp_path_factory.mktemp("compat_flags"), "--nested-result-dirs", "--compress")


def test_flags_same_statuses_and_nested_layout(flag_runs):
    up, ours = flag_runs.upstream, flag_runs.ours
    assert up.returncode == ours.returncode == 1
    assert ours.statuses() == up.statuses() == EXPECTED_STATUS
    layout = [ours.rel(d) for d in ours.test_dirs()]
    assert layout == [up.rel(d) for d in up.test_dirs()]
    assert "ProduceTest/test_produce/compression=none/num_messages=3/2" in layout


def test_flags_same_archives_with_same_members(flag_runs):
    up, ours = flag_runs.upstream, flag_runs.ours
    archives = 0
    for up_dir, our_dir in zip(up.test_dirs(), ours.test_dirs()):
        assert _archive_members(our_dir) == _archive_members(up_dir), up.rel(up_dir)
        archives += len(_archive_members(up_dir))
    assert archives >= 20


def _archive_members(test_dir: Path) -> list[tuple[str, str, list[str]]]:
    """(service without object id, archive name, sorted member names) for each collected file."""
    found = []
    for svc, host, path in collected_logs(test_dir):
        (service_dir,) = [d for d in test_dir.iterdir() if d.is_dir() and service_dir_name(d.name) == svc]
        assert path.endswith(".tgz"), path
        with tarfile.open(service_dir / host / path) as archive:
            found.append((svc, path, sorted(archive.getnames())))
    return sorted(found)


# ---- broker_test.py with --deflake 2 --exit-first ------------------------------------------------

DELIBERATE = "compatsuite.tests.broker_test.BrokerTest.test_deliberate_failure"


@pytest.fixture(scope="module")
def deflake_runs(netns_cluster, tmp_path_factory) -> Runs:
    return run_pair(netns_cluster, tmp_path_factory.mktemp("compat_deflake"), "--deflake", "2", "--exit-first",
                    targets=("compatsuite/tests/broker_test.py",))


def test_exit_first_stops_after_the_deliberate_failure(deflake_runs):
    up, ours = deflake_runs.upstream, deflake_runs.ours
    assert up.returncode == ours.returncode == 1
    expected = {k: v for k, v in EXPECTED_STATUS.items() if "broker_test" in k and "start_and_inspect" not in k}
    assert ours.statuses() == up.statuses() == expected
    for run in (up, ours):
        assert "All tests were NOT run. Expected 5 tests, only 4 were run." in run.stdout + run.stderr


def test_deflake_same_failure_summary(deflake_runs):
    up, ours = deflake_runs.upstream, deflake_runs.ours
    (up_result,) = [r for r in up.report["results"] if r["test_id"] == DELIBERATE]
    (our_result,) = [r for r in ours.report["results"] if r["test_id"] == DELIBERATE]
    assert up_result["summary"].startswith("runs 1, 2 summary:\n")
    assert strip_framework_frames(ours.normalize(our_result["summary"])) == strip_framework_frames(
        up.normalize(up_result["summary"]))


def test_deflake_logs_of_each_run_kept_apart(deflake_runs):
    """Service ids carry the run number, so each run's logs get their own directory."""
    up, ours = deflake_runs.upstream, deflake_runs.ours
    (up_dir,) = up.session_dir.glob("BrokerTest/test_deliberate_failure/*")
    (our_dir,) = ours.session_dir.glob("BrokerTest/test_deliberate_failure/*")
    assert sorted({svc for svc, _, _ in collected_logs(up_dir)}) == ["1-BrokerService-0", "2-BrokerService-0"]
    ours_by_service = collected_logs_without_hosts(our_dir)
    assert ours_by_service == collected_logs_without_hosts(up_dir), (
        f"each deflake run's service ids must start with its run number; ours: {sorted(ours_by_service)}")


# ---- consume_test.py: a ConsoleConsumer-style service, run on its own ------------------------------

@pytest.fixture(scope="module")
def consume_runs(netns_cluster, tmp_path_factory) -> Runs:
    return run_pair(netns_cluster, tmp_path_factory.mktemp("compat_consume"),
                    targets=("compatsuite/tests/consume_test.py",))


def test_backgrounded_consumer_streams_until_stopped(consume_runs):
    """kafkatest's ConsoleConsumer runs ``… | tee -a log &`` under ssh_capture and reads until it
    kills the process; upstream streams that output (see also tests/test_compat_probes.py)."""
    up, ours = consume_runs.upstream, consume_runs.ours
    test_id = "compatsuite.tests.consume_test.ConsumeTest.test_watch_until_stopped"
    assert up.statuses() == {test_id: "PASS"}
    (our_result,) = ours.report["results"]
    assert our_result["test_status"] == "PASS", our_result["summary"].splitlines()[0]
    assert our_result["data"] == up.report["results"][0]["data"] == {"last_count_seen": 3}
