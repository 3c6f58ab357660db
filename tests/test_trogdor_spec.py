"""Task specs as data: JSON round trips, Kafka's class names, errors that name the field,
kafkatest's constructor signatures; and the latency histogram's error bound."""
from __future__ import annotations

import ast
import dataclasses
import importlib.util
import random
import sysconfig
from pathlib import Path

import pytest

from ducktape.trogdor import (
    ExternalCommandSpec,
    NoOpTaskSpec,
    RequestLatencySpec,
    SpecError,
    TaskSpec,
)
from ducktape.trogdor.pack import TEST_SIDE
from ducktape.trogdor.spec import register_spec
from ducktape.trogdor.workloads.histogram import Histogram


def test_kafkatest_signatures_and_message():
    spec = NoOpTaskSpec(1000, 5000)
    assert spec.message == {"class": "org.apache.kafka.trogdor.task.NoOpTaskSpec", "startMs": 1000, "durationMs": 5000}
    assert spec.message is spec.message  # kafkatest edits it in place
    assert TaskSpec.MAX_DURATION_MS == 10_000_000
    assert TaskSpec.to_node_names(["a", type("N", (), {"name": "b"})()]) == ["a", "b"]
    ext = ExternalCommandSpec(0, 100, "node1", ["python3", "w.py"], {"x": 1}, 250)
    assert ext.to_json() == {"class": "ducktape.trogdor.ExternalCommandSpec", "startMs": 0, "durationMs": 100,
                             "commandNode": "node1", "command": ["python3", "w.py"], "workload": {"x": 1},
                             "shutdownGracePeriodMs": 250}


def test_specs_are_immutable_and_compare_by_value():
    spec = NoOpTaskSpec(1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.start_ms = 3
    assert spec == NoOpTaskSpec(1, 2) != NoOpTaskSpec(1, 3)


@pytest.mark.parametrize("name", ["org.apache.kafka.trogdor.task.NoOpTaskSpec", "ducktape.trogdor.NoOpTaskSpec"])
def test_java_and_our_class_names(name):
    spec = TaskSpec.from_json({"class": name, "startMs": 5, "durationMs": 7})
    assert spec == NoOpTaskSpec(5, 7)
    assert TaskSpec.from_json(spec.to_json()) == spec


def test_external_command_java_json():
    spec = TaskSpec.from_json({"class": "org.apache.kafka.trogdor.workload.ExternalCommandSpec",
                               "startMs": 0, "durationMs": 60000, "commandNode": "n1",
                               "command": ["sh", "-c", "cat"], "workload": {"a": [1]}})
    assert spec.command == ("sh", "-c", "cat") and spec.workload == {"a": [1]}
    assert spec.target_nodes(["n0", "n1"]) == ["n1"]


@pytest.mark.parametrize(("data", "field"), [
    ({"startMs": "soon"}, "startMs"),
    ({"durationMs": -1}, "durationMs"),
    ({"durationMs": True}, "durationMs"),
    ({"command": "echo hi"}, "command"),
    ({"command": []}, "command"),
    ({"command": ["ok", 3]}, "command[1]"),
    ({"commandNode": None}, "commandNode"),
    ({"shutdownGracePeriodMs": "5s"}, "shutdownGracePeriodMs"),
    ({"bogus": 1}, "bogus"),
])
def test_bad_field_is_named(data, field):
    spec = {"class": "org.apache.kafka.trogdor.workload.ExternalCommandSpec", "commandNode": "n", "command": ["x"]}
    spec.update(data)
    spec = {k: v for k, v in spec.items() if v is not None}
    with pytest.raises(SpecError) as info:
        TaskSpec.from_json(spec)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")


@pytest.mark.parametrize(("data", "field"), [
    ({}, "class"), ({"class": "org.example.Nope"}, "class"),
])
def test_bad_class_is_named(data, field):
    with pytest.raises(SpecError) as info:
        TaskSpec.from_json(data)
    assert info.value.field == field


@pytest.mark.parametrize(("data", "field"), [
    ({"protocol": "udp"}, "protocol"), ({"target": "nowhere"}, "target"),
    ({"targetRate": 0}, "targetRate"), ({"maxInFlight": 0}, "maxInFlight"),
    ({"protocol": "http", "target": "127.0.0.1:80"}, "target"),
])
def test_latency_spec_checks(data, field):
    base = {"class": "ducktape.trogdor.RequestLatencySpec", "clientNode": "n", "target": "127.0.0.1:1"}
    with pytest.raises(SpecError) as info:
        TaskSpec.from_json({**base, **data})
    assert info.value.field == field


def test_register_spec_rejects_a_taken_alias():
    @dataclasses.dataclass(frozen=True)
    class OtherSpec(TaskSpec):
        pass

    with pytest.raises(ValueError, match="already registered"):
        register_spec(OtherSpec, "org.apache.kafka.trogdor.task.NoOpTaskSpec")
    assert RequestLatencySpec.__name__ == "RequestLatencySpec"


def exact_percentile(values: list[int], p: float) -> int:
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def test_histogram_relative_error_is_bounded_with_no_cap():
    rng = random.Random(7)
    values = [int(rng.lognormvariate(8, 2.5)) for _ in range(20000)] + [10**12]  # up to ~11.6 days in us
    h = Histogram()
    for v in values:
        h.record(v)
    assert h.count == len(values) and h.max == 10**12 and h.min == min(values)
    for p in (1, 50, 90, 95, 99, 99.9, 100):
        exact = exact_percentile(values, p)
        got = h.percentile(p)
        assert exact <= got <= exact * (1 + 1 / 128) + 1, (p, exact, got)


def _in_stdlib(name: str) -> bool:
    spec = importlib.util.find_spec(name.split(".")[0])
    origin = spec.origin if spec else None
    if origin in ("built-in", "frozen"):
        return True
    return str(origin).startswith(sysconfig.get_paths()["stdlib"]) and "-packages" not in str(origin)


TROGDOR_DIR = Path(__file__).resolve().parents[1] / "ducktape" / "trogdor"
AGENT_MODULES = sorted(p for p in TROGDOR_DIR.rglob("*.py") if p.relative_to(TROGDOR_DIR).as_posix() not in TEST_SIDE)
AGENT_MODULES.append(TROGDOR_DIR.parent / "checkers" / "recorder.py")  # pack.CARRIED


@pytest.mark.parametrize("path", AGENT_MODULES, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_agent_modules_parse_as_python_38_and_import_only_the_standard_library(path):
    """What goes into the agent's zip file must run on a node's Python 3.8 with no pip."""
    tree = ast.parse(path.read_text(), feature_version=(3, 8))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    helper_imports = {"fuse_passthrough.py": {"fusepy", "fuse"}}.get(path.name, set())  # run apart, by python3-fusepy
    outside = {name for name in imported
               if not name.startswith("ducktape.trogdor") and not _in_stdlib(name) and name not in helper_imports
               and name != "ducktape.checkers.recorder"}  # carried into the zip file (pack.CARRIED)
    assert not outside, f"{path.name} imports {outside}"
    if any(isinstance(node, ast.AnnAssign | ast.FunctionDef) for node in ast.walk(tree)):
        assert "from __future__ import annotations" in path.read_text(), "annotations must stay unevaluated on 3.8"
