"""A spec's JSON as Trogdor writes it: the class name it was created with, empty optional
fields left out (Trogdor's JSON writer skips null, "", [] and {})."""
from __future__ import annotations

import dataclasses

import pytest

from ducktape.trogdor import NoOpTaskSpec, TaskSpec
from ducktape.trogdor.spec import OURS, UnknownSpecClass, register_spec

KAFKA_NOOP = "org.apache.kafka.trogdor.task.NoOpTaskSpec"


@register_spec()
@dataclasses.dataclass(frozen=True)
class WireProbeSpec(TaskSpec):
    name: str
    note: str = ""
    tags: tuple[str, ...] = ()
    extra: dict = dataclasses.field(default_factory=dict)
    limit: int | None = None
    count: int = 0
    enabled: bool = False


def test_spec_keeps_the_class_name_it_was_created_with():
    kafka = TaskSpec.from_json({"class": KAFKA_NOOP, "startMs": 5, "durationMs": 7})
    assert kafka.to_json() == {"class": KAFKA_NOOP, "startMs": 5, "durationMs": 7}
    assert kafka.with_start_ms(9).to_json() == {"class": KAFKA_NOOP, "startMs": 9, "durationMs": 7}
    ours = TaskSpec.from_json({"class": "ducktape.trogdor.NoOpTaskSpec", "startMs": 5, "durationMs": 7})
    assert ours.to_json()["class"] == "ducktape.trogdor.NoOpTaskSpec"
    assert NoOpTaskSpec(5, 7).to_json()["class"] == "ducktape.trogdor.NoOpTaskSpec"  # built in Python: ours
    assert kafka == ours  # the name is how it is written, not what it is


def test_empty_optional_fields_are_left_out_required_and_falsy_values_stay():
    spec = WireProbeSpec(0, 10, "")
    assert spec.to_json() == {"class": "ducktape.trogdor.WireProbeSpec", "startMs": 0, "durationMs": 10,
                              "name": "", "count": 0, "enabled": False}
    full = WireProbeSpec(0, 10, "a", "n", ("t",), {"k": 1}, 3, 2, True)
    assert full.to_json() == {"class": "ducktape.trogdor.WireProbeSpec", "startMs": 0, "durationMs": 10,
                              "name": "a", "note": "n", "tags": ["t"], "extra": {"k": 1}, "limit": 3,
                              "count": 2, "enabled": True}
    assert TaskSpec.from_json(spec.to_json()) == spec and TaskSpec.from_json(full.to_json()) == full


def test_unknown_class_is_its_own_error():
    with pytest.raises(UnknownSpecClass) as info:
        TaskSpec.from_json({"class": "org.apache.kafka.trogdor.task.Nothing"})
    assert info.value.field == "class" and "Nothing" in str(info.value)


@register_spec("com.example.trogdor.KafkaLikeSpec")
@dataclasses.dataclass(frozen=True)
class KafkaLikeSpec(TaskSpec):
    node_names: tuple[str, ...] = ()
    method: str = dataclasses.field(default="auto", metadata=OURS)
    peers: tuple[str, ...] = dataclasses.field(default=("a",), metadata=OURS)


def test_our_additions_stay_out_of_a_kafka_spec_unless_given():
    kafka = TaskSpec.from_json({"class": "com.example.trogdor.KafkaLikeSpec", "durationMs": 1, "nodeNames": ["n"]})
    assert kafka.to_json() == {"class": "com.example.trogdor.KafkaLikeSpec", "startMs": 0, "durationMs": 1,
                               "nodeNames": ["n"]}
    given = TaskSpec.from_json(dict(kafka.to_json(), method="tc", peers=["b"]))
    assert given.to_json() == dict(kafka.to_json(), method="tc", peers=["b"])
    ours = KafkaLikeSpec(0, 1, ("n",))  # under our own name every non-empty field is written
    assert ours.to_json() == {"class": "ducktape.trogdor.KafkaLikeSpec", "startMs": 0, "durationMs": 1,
                              "nodeNames": ["n"], "method": "auto", "peers": ["a"]}
