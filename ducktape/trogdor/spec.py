"""Task specs: immutable descriptions of one task, in Trogdor's JSON form.

A spec is a frozen dataclass. Its JSON form is ``{"class": NAME, "startMs": ...,
"durationMs": ..., <fields in camelCase>}``; ``TaskSpec.from_json`` picks the class
through a registry that also knows Kafka's Java class names, and checks every field,
so a bad one is a ``SpecError`` naming it. Standard library only: this module runs
inside the agent on any node with python3.
"""
from __future__ import annotations

import dataclasses
import json
import re
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # Self needs 3.11 at run time; the agent runs on 3.8+
    from typing import Self

MAX_TASK_DURATION_MS = 1_000_000_000_000_000
# Field metadata for our additions to a Kafka spec class: ``dataclasses.field(default=..., metadata=OURS)``.
# Under Kafka's class name such a field is written only when it differs from its default.
OURS = {"trogdor.ours": True}

T = TypeVar("T", bound="TaskSpec")
_REGISTRY: dict[str, type[TaskSpec]] = {}
_CANONICAL: dict[type[TaskSpec], str] = {}
_KAFKA: dict[type[TaskSpec], str] = {}  # the Java class name kafkatest's ``.message`` carries
KAFKA_PREFIX = "org.apache.kafka.trogdor."


class SpecError(ValueError):
    """A spec field is missing or wrong; ``field`` names it (JSON spelling)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class UnknownSpecClass(SpecError):
    """No spec kind is registered under the given ``class`` (Trogdor answers 501)."""


def register_spec(cls_or_name: Any = None, *java_names: str) -> Any:
    """Register a spec class under ``ducktape.trogdor.<ClassName>`` and any Java aliases.

    Use as ``register_spec(MySpec, "org.apache...MySpec")`` or as a decorator
    ``@register_spec("org.apache...MySpec")`` / ``@register_spec()``.
    """
    if isinstance(cls_or_name, type):
        return _register(cls_or_name, java_names)
    names = tuple(n for n in (cls_or_name, *java_names) if n)

    def decorate(cls: type[T]) -> type[T]:
        return _register(cls, names)
    return decorate


def _register(cls: type[T], aliases: tuple[str, ...]) -> type[T]:
    canonical = f"ducktape.trogdor.{cls.__name__}"
    for name in (canonical, *aliases):
        other = _REGISTRY.get(name)
        if other is not None and other is not cls:
            raise ValueError(f"spec class name {name} is already registered to {other.__name__}")
        _REGISTRY[name] = cls
    _CANONICAL[cls] = canonical
    kafka = [name for name in aliases if name.startswith(KAFKA_PREFIX)]
    if kafka:
        _KAFKA[cls] = kafka[0]
    return cls


def registered_classes() -> dict[str, type[TaskSpec]]:
    """Every accepted ``class`` value and the spec type it makes (a copy)."""
    return dict(_REGISTRY)


def camel(name: str) -> str:
    """``shutdown_grace_period_ms`` -> ``shutdownGracePeriodMs``."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def snake(name: str) -> str:
    """``shutdownGracePeriodMs`` -> ``shutdown_grace_period_ms``."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


@dataclasses.dataclass(frozen=True)
class TaskSpec:
    """Base of every spec: when to start (ms since the epoch) and for how long.

    Positional ``TaskSpec(start_ms, duration_ms)`` as in kafkatest's Python module.
    Subclasses add fields (snake_case here, camelCase in JSON) and may override
    ``validate`` (raise ``SpecError``), ``new_worker`` and ``target_nodes``.
    """

    start_ms: int
    duration_ms: int

    MAX_DURATION_MS = 10_000_000  # kafkatest's advisory upper bound for tests

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            hint = _hints(type(self))[f.name]
            checked = _check(camel(f.name), value, hint)
            if checked is not value:
                object.__setattr__(self, f.name, checked)
        if self.start_ms < 0:
            raise SpecError("startMs", f"must be >= 0, got {self.start_ms}")
        if self.duration_ms < 0:
            raise SpecError("durationMs", f"must be >= 0, got {self.duration_ms}")
        if self.duration_ms > MAX_TASK_DURATION_MS:
            object.__setattr__(self, "duration_ms", MAX_TASK_DURATION_MS)
        self.validate()

    def validate(self) -> None:
        """Check cross-field rules; raise ``SpecError(field, message)``."""

    # --- JSON -----------------------------------------------------------------
    @property
    def class_name(self) -> str:
        """The ``class`` this spec was read with (a Kafka name stays Kafka's), else ours."""
        given = self.__dict__.get("_wire_class")
        return given or _CANONICAL.get(type(self), f"ducktape.trogdor.{type(self).__name__}")

    def to_json(self) -> dict[str, Any]:
        """The spec as Trogdor JSON (a new dict each call).

        Like Trogdor's JSON writer, a field that has a default and is empty (null, "",
        [] or {}) is left out; under Kafka's class name, so is a field marked ``OURS``
        that holds its default. A Kafka spec thus reads back with Kafka's fields only.
        """
        name = self.class_name
        kafka = not name.startswith("ducktape.")
        hints = _hints(type(self))
        out: dict[str, Any] = {"class": name}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if _written(f, value, kafka, hints[f.name]):
                out[camel(f.name)] = _to_plain(value)
        return out

    def with_start_ms(self, start_ms: int) -> Self:
        """A copy starting at ``start_ms``, keeping the class name it was read with."""
        copy = dataclasses.replace(self, start_ms=start_ms)
        if "_wire_class" in self.__dict__:
            object.__setattr__(copy, "_wire_class", self.__dict__["_wire_class"])
        return copy

    @property
    def message(self) -> dict[str, Any]:
        """kafkatest's JSON form: built once, then the same dict on every read, so a test
        that edits it edits what ``TrogdorService.create_task`` sends. Its ``class`` is
        Kafka's Java name when the spec has one, as kafkatest writes it."""
        cached = self.__dict__.get("_message")
        if cached is None:
            cached = self.to_json()
            cached["class"] = _KAFKA.get(type(self), cached["class"])
            object.__setattr__(self, "_message", cached)
        return cached

    def __str__(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True)

    @staticmethod
    def from_json(data: Any) -> TaskSpec:
        """Build the registered spec named by ``data["class"]``; ``SpecError`` on bad input."""
        if not isinstance(data, dict):
            raise SpecError("spec", f"must be a JSON object, got {type(data).__name__}")
        name = data.get("class")
        if not isinstance(name, str) or not name:
            raise SpecError("class", "missing; hint: give the spec type, e.g. "
                            "\"org.apache.kafka.trogdor.task.NoOpTaskSpec\"")
        cls = _REGISTRY.get(name)
        if cls is None:
            raise UnknownSpecClass("class", f"unknown spec class {name!r}; known: "
                                   + ", ".join(sorted(_REGISTRY)))
        spec = cls.from_fields(data)
        object.__setattr__(spec, "_wire_class", name)  # not a field: equality ignores it
        return spec

    @classmethod
    def from_fields(cls, data: dict[str, Any]) -> Self:
        """Build this class from a JSON object (``class`` is ignored here)."""
        fields = {camel(f.name): f for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key == "class":
                continue
            f = fields.get(key)
            if f is None:
                raise SpecError(key, f"unknown field for {cls.__name__}; known: "
                                + ", ".join(sorted(fields)))
            kwargs[f.name] = value
        for key, f in fields.items():
            if f.name in kwargs:
                continue
            if key in ("startMs", "durationMs"):
                kwargs[f.name] = 0  # Trogdor's defaults: start now, end at once
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise SpecError(key, f"missing (required by {cls.__name__})")
        try:
            return cls(**kwargs)
        except SpecError:
            raise
        except (TypeError, ValueError) as e:
            raise SpecError("spec", str(e)) from None

    # --- behaviour ------------------------------------------------------------
    def target_nodes(self, node_names: list[str]) -> list[str]:
        """Which agents run a worker for this task, given every agent's node name."""
        return list(node_names)

    def new_worker(self, worker_id: int) -> Any:
        """The ``TaskWorker`` that carries this spec out on one agent."""
        raise NotImplementedError(f"{type(self).__name__} has no worker")

    def end_ms(self) -> int:
        return self.start_ms + self.duration_ms

    @staticmethod
    def to_node_names(nodes: Any) -> list[str]:
        """Node names from nodes or names (kafkatest's helper); anything else is left as it
        is, for the field check to name."""
        if isinstance(nodes, (str, bytes)) or not isinstance(nodes, (list, tuple)):
            return nodes
        return [n if isinstance(n, str) else getattr(n, "name", n) for n in nodes]


# --- field checking -------------------------------------------------------------

def _hints(cls: type) -> dict[str, str]:
    """Each field's annotation as written (a string, thanks to postponed evaluation).

    Parsed by ``_check`` itself rather than ``typing.get_type_hints``, so that
    ``tuple[str, ...]`` and ``int | None`` work on the agent's Python 3.8 too.
    """
    return {f.name: f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "Any")
            for f in dataclasses.fields(cls)}


def _written(f: dataclasses.Field, value: Any, kafka: bool, hint: str) -> bool:
    """Whether ``to_json`` writes this field (see there)."""
    if f.default is not dataclasses.MISSING:
        default = f.default
    elif f.default_factory is not dataclasses.MISSING:
        default = f.default_factory()
    else:
        return True  # required: always written
    if value is None or (isinstance(value, (str, tuple, list, dict)) and not value):
        return False
    if not (kafka and f.metadata.get("trogdor.ours")) or default is None:
        return True
    return value != _check(camel(f.name), default, hint)  # the default as the field holds it (lists as tuples)


def _to_plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_to_plain(v) for v in value]
    return value


def _show(value: Any) -> str:
    try:
        return json.dumps(value)[:80]
    except (TypeError, ValueError):
        return repr(value)[:80]


_NAMES = {"str": "a string", "bool": "true or false"}
_TYPES = {"str": str, "bool": bool}


def _check(field: str, value: Any, hint: str) -> Any:
    """Check ``value`` against an annotation string; returns it (lists become tuples).

    Understands ``int``, ``float``, ``str``, ``bool``, ``Any``, ``dict``/``dict[...]``,
    ``tuple[T, ...]``, ``list[T]`` and ``T | None``/``Optional[T]``; others pass through.
    """
    hint = hint.replace(" ", "")
    if hint.startswith("Optional[") and hint.endswith("]"):
        hint = hint[len("Optional["):-1] + "|None"
    if hint.endswith("|None") or hint.startswith("None|"):
        if value is None:
            return None
        hint = hint[:-len("|None")] if hint.endswith("|None") else hint[len("None|"):]
    if hint in ("Any", "object"):
        return value
    if hint.startswith(("tuple[", "list[", "Tuple[", "List[")):
        if not isinstance(value, (list, tuple)):
            raise SpecError(field, f"must be a list, got {_show(value)}")
        item = hint[hint.index("[") + 1:-1].split(",")[0]
        return tuple(_check(f"{field}[{i}]", v, item) for i, v in enumerate(value))
    if hint.startswith(("dict", "Dict")):
        if not isinstance(value, dict):
            raise SpecError(field, f"must be an object, got {_show(value)}")
        return value
    if hint == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError(field, f"must be a number, got {_show(value)}")
        return float(value)
    if hint == "int":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise SpecError(field, f"must be an integer, got {_show(value)}")
        return value
    if hint in _TYPES:
        if not isinstance(value, _TYPES[hint]):
            raise SpecError(field, f"must be {_NAMES[hint]}, got {_show(value)}")
        return value
    return value
