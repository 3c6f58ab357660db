"""Fault specs: Kafka's class names and fields accepted, bad fields named, stable ledger names."""
from __future__ import annotations

import ast
import subprocess
import sys
import zipfile

import pytest

import ducktape.trogdor.faults  # noqa: F401 - registers the fault specs
from ducktape.trogdor.faults.specs import FaultWorker, ledger_id
from ducktape.trogdor.spec import SpecError, TaskSpec

KAFKA = "org.apache.kafka.trogdor.fault."


def test_kafka_fault_specs_are_accepted():
    partition = TaskSpec.from_json({"class": KAFKA + "NetworkPartitionFaultSpec", "startMs": 5, "durationMs": 1000,
                                    "partitions": [["a"], ["b", "c"]]})
    assert partition.target_nodes(["a", "b", "c", "d"]) == ["a", "b", "c"]
    assert partition.plan()["a"] == {"b", "c"}
    stop = TaskSpec.from_json({"class": KAFKA + "ProcessStopFaultSpec", "durationMs": 1000, "nodeNames": ["a"],
                               "javaProcessName": "kafka.Kafka"})
    assert stop.target_nodes(["a", "b"]) == ["a"]
    degraded = TaskSpec.from_json({"class": KAFKA + "DegradedNetworkFaultSpec", "durationMs": 1000,
                                   "nodeSpecs": {"a": {"networkDevice": "eth0", "latencyMs": 50, "rateLimitKbit": 0},
                                                 "b": {"lossPercent": 5}}})
    assert degraded.degradation("a").delay_ms == 50 and degraded.degradation("b").loss_percent == 5
    assert isinstance(degraded.new_worker(3), FaultWorker)
    assert TaskSpec.from_json(degraded.to_json()) == degraded


@pytest.mark.parametrize(("spec", "field"), [
    ({"class": KAFKA + "NetworkPartitionFaultSpec", "partitions": [["a"]]}, "partitions"),
    ({"class": KAFKA + "ProcessStopFaultSpec", "nodeNames": ["a"]}, "pattern"),
    ({"class": "ducktape.trogdor.ProcessKillFaultSpec", "nodeNames": ["a"], "pattern": "x", "signal": "HUP"}, "signal"),
    ({"class": "ducktape.trogdor.DiskFillFaultSpec", "nodeNames": ["a"], "path": "tmp"}, "path"),
    ({"class": KAFKA + "DegradedNetworkFaultSpec", "nodeSpecs": {"a": {"latencyMs": 5, "bogus": 1}}},
     "nodeSpecs.a.bogus"),
])
def test_bad_fault_specs_name_the_field(spec, field):
    with pytest.raises(SpecError) as err:
        TaskSpec.from_json(spec)
    assert err.value.field == field


def test_ledger_name_is_stable_for_recovery():
    spec = TaskSpec.from_json({"class": KAFKA + "NetworkPartitionFaultSpec", "partitions": [["a"], ["b"]]})
    again = TaskSpec.from_json(spec.to_json())
    assert ledger_id(7, spec) == ledger_id(7, again) != ledger_id(8, spec)


def test_fault_code_runs_from_the_agent_zipapp_with_the_standard_library_only(tmp_path):
    from ducktape.trogdor.pack import build_zipapp

    pyz = build_zipapp(str(tmp_path / "trogdor.pyz"))
    probe = ("import sys, pkgutil; sys.path.insert(0, sys.argv[1]); import ducktape.trogdor.faults; "
             "assert pkgutil.get_data('ducktape.trogdor.faults', 'nfqueue.py'); "
             "assert pkgutil.get_data('ducktape.trogdor.faults', 'fuse_passthrough.py'); "
             "from ducktape.trogdor.faults import kinds; assert 'files_unreadable' in kinds.names(), kinds.names(); "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ducktape', 'paramiko', 'jinja2')))")
    done = subprocess.run([sys.executable, "-I", "-S", "-c", probe, pyz], capture_output=True, text=True, check=True)
    loaded = ast.literal_eval(done.stdout)
    assert "ducktape.trogdor.faults.nfqueue" not in loaded  # shipped to nodes as a file, not imported
    assert "ducktape.trogdor.faults.fuse_passthrough" not in loaded
    carried = {"ducktape.checkers", "ducktape.checkers.recorder"}  # pack.CARRIED, stdlib-only itself
    assert all(m.startswith("ducktape.trogdor") or m == "ducktape" or m in carried for m in loaded), loaded
    assert "ducktape.trogdor.faults.kinds" in loaded  # every kind registered in the agent too
    assert "ducktape.trogdor.faults.context" not in loaded and "ducktape.trogdor.faults.nemesis" not in loaded
    with zipfile.ZipFile(pyz) as zipped:  # driver-side modules (they import the rest of ducktape) stay out
        assert not {"ducktape/trogdor/faults/context.py", "ducktape/trogdor/faults/nemesis.py"} & set(zipped.namelist())
