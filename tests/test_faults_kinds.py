"""One registry of fault kinds: the context managers, the specs, the schedules and the nemesis
all read it, so a new kind is one module plus one registration."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

import ducktape.trogdor.faults  # noqa: F401 - registers every kind
from ducktape.trogdor import spec as trogdor_spec
from ducktape.trogdor.faults import kinds
from ducktape.trogdor.faults.schedule import plan_schedule
from ducktape.trogdor.faults.shell import FaultError
from ducktape.trogdor.faults.specs import FaultSpec


def _fault_spec_classes() -> list[type]:
    found, todo = [], [FaultSpec]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if "params_on" in vars(cls) or "kind_on" in vars(cls):
            found.append(cls)
    return found


def test_every_spec_applies_a_registered_kind():
    classes = _fault_spec_classes()
    assert len(classes) >= 9, classes  # Kafka's four and ours
    for cls in classes:
        assert cls.KIND in kinds.names() or "kind_on" in vars(cls), cls
    assert {"degrade", "degrade_device", "files_unreadable"} <= set(kinds.names())


def test_schedules_draw_only_registered_kinds_with_a_draw():
    assert kinds.names(scheduled=True) == ["clock_jump", "clock_skew", "clock_strobe", "degrade", "partition",
                                           "process_kill", "process_stop"]
    with pytest.raises(FaultError, match=r"unknown fault kinds \['disk_fill'\]; choose from \['clock_jump'"):
        plan_schedule(1, ["a", "b"], ["disk_fill"])
    with pytest.raises(FaultError, match="degrade and partition faults need at least 2 nodes"):
        plan_schedule(1, ["a"], ["partition", "degrade", "process_stop"])


def test_an_unknown_or_twice_registered_kind_is_named():
    with pytest.raises(FaultError, match=r"unknown fault kind 'flood'; choose from \[.*'partition'"):
        kinds.get("flood")
    with pytest.raises(ValueError, match="'partition' is registered twice"):
        kinds.register(kinds.get("partition"))


def test_a_spec_gives_its_kind_the_parameters_of_its_fields():
    spec = trogdor_spec.TaskSpec.from_json({
        "class": "org.apache.kafka.trogdor.fault.DegradedNetworkFaultSpec", "startMs": 0, "durationMs": 1000,
        "nodeSpecs": {"n1": {"latencyMs": 50, "networkDevice": "eth0"}, "n2": {"latencyMs": 5, "peers": ["n1"]}}})
    assert spec.kind_on("n1") == "degrade_device" and spec.kind_on("n2") == "degrade"
    device = kinds.get("degrade_device").params(spec.params_on("n1"), ("n1", "n2"))
    assert device == {"delay_ms": 50, "method": "auto", "device": "eth0"}
    assert kinds.get("degrade").params(spec.params_on("n2"), ("n1", "n2"))["peers"] == ["n1"]


NEW_KIND = textwrap.dedent('''
    import json, os, sys
    from ducktape.cluster.cluster_spec import ClusterSpec
    from ducktape.cluster.localhost import LocalhostCluster
    from ducktape.trogdor.faults import fault_schedule, kinds
    from ducktape.trogdor.faults.context import kind_fault
    from ducktape.trogdor.faults.shell import quote

    # the one module: what the kind does on a node, undone by the ledger's "file" undoer
    def apply(ledger, target, params):
        path = f"{params['path']}.{len(os.listdir(os.path.dirname(params['path'])))}"
        ledger.record({"kind": "file", "path": path}, then=f"echo {quote(target.name)} > {quote(path)}", what="mark")
        return path

    # the one registration
    kinds.register(kinds.FaultKind("mark_file", apply,
                                   draw=lambda rng, nodes: (kinds.on_one_node(rng, nodes), {}),
                                   from_options=lambda options: {"path": options["path"]}))

    path = sys.argv[1]
    nodes = LocalhostCluster(num_nodes=1).alloc(ClusterSpec.simple_linux(1))
    fault = kind_fault("mark_file", nodes, path=path).apply()
    marked = sorted(os.listdir(os.path.dirname(path)))
    fault.heal()
    left_after_heal = os.listdir(os.path.dirname(path))
    with fault_schedule(nodes, seed=3, kinds=["mark_file"], duration_s=2.0, gap_s=(0.05, 0.1),
                        length_s=(0.1, 0.2), path=path) as nemesis:
        nemesis.wait(30)
    print(json.dumps({"marked": marked, "left_after_heal": left_after_heal, "detail": fault.detail,
                      "scheduled": len(nemesis.applied), "errors": nemesis.errors,
                      "left": os.listdir(os.path.dirname(path))}))
''')


def test_a_new_kind_is_one_module_and_one_registration(tmp_path):
    """Registered in a fresh interpreter (the registry is process-wide): the context builder
    applies and heals it, a seeded schedule draws it and the nemesis applies and heals it."""
    marks = tmp_path / "marks"
    marks.mkdir()
    done = subprocess.run([sys.executable, "-c", NEW_KIND, str(marks / "mark")], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["marked"] == ["mark.0"] and seen["left_after_heal"] == []
    assert seen["detail"]["path"] == str(marks / "mark")
    assert seen["scheduled"] >= 2 and seen["errors"] == [] and seen["left"] == []
