"""Test results: one TestResult per finished test, TestResults for the session.

A TestResult is plain data once built: ``to_json()`` / ``TestResult.from_json()``
carry it across the process boundary and back from a per-test ``report.json``
(which is how ``ducktape-report rebuild`` works). Rendering reports is the
reporters' job; this module only counts and measures.
"""
from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import ducktape
from ducktape.tests.reporters.files import write_test_files
from ducktape.tests.signature import failure_groups, result_failure
from ducktape.tests.status import (
    FAIL,
    FLAKY,
    IGNORE,
    OFAIL,
    OPASS,
    PASS,
    TestStatus,
    status_of,
)

__all__ = ["FAIL", "FLAKY", "IGNORE", "PASS", "NotStarted", "TestResult", "TestResults"]

_STATUSES = {s.to_json(): s for s in (PASS, FAIL, IGNORE, FLAKY, OPASS, OFAIL)}


def status_from_json(name: str) -> TestStatus:
    """The status object for ``"PASS"``, ``"fail"``, …; an unknown name is an error naming it."""
    try:
        return _STATUSES[str(name).upper()]
    except KeyError:
        raise ValueError(f"unknown test status {name!r}; known: {sorted(_STATUSES)}") from None


def dumps(value: Any, **kwargs) -> str:
    """json.dumps that serialises objects through their ``to_json()``."""
    return json.dumps(value, default=_to_json_default, **kwargs)


def _to_json_default(obj: Any) -> Any:
    to_json = getattr(obj, "to_json", None)
    if callable(to_json):
        return to_json()
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def plain_data(data: Any) -> tuple[Any, str]:
    """Return (*data* as JSON-ready value, note). Unserialisable data becomes its repr plus a note."""
    if data is None:
        return None, ""
    from ducktape.utils.util import safe_repr

    try:
        return json.loads(dumps(data)), ""
    except Exception as err:  # noqa: BLE001 - whatever the data's methods raise, the result is kept
        note = (f"Test returned data that is not JSON-serialisable ({type(err).__name__}: {safe_repr(err)}); "
                "its repr was stored instead.")
        return safe_repr(data), note


class TestResult:
    """The outcome of one test: identity, status, summary, data, timing and node use."""

    __test__ = False  # not a pytest class

    def __init__(self, test_context, test_index, session_context, test_status=PASS, summary="", data=None,
                 start_time=-1, stop_time=-1, nodes_allocated=None, nodes_used=None, services=None):
        cluster = test_context.cluster
        self.nodes_allocated = len(cluster) if nodes_allocated is None else nodes_allocated
        self.nodes_used = cluster.max_used_nodes if nodes_used is None else nodes_used
        self.node_type = (getattr(test_context, "cluster_use_metadata", None) or {}).get("node_type")
        if services is None:
            registry = getattr(test_context, "services", None)
            services = registry.to_json() if registry is not None else []
        self.services = services
        self.test_id = test_context.test_id
        self.module_name = test_context.module_name
        self.cls_name = test_context.cls_name
        self.function_name = test_context.function_name
        self.injected_args = test_context.injected_args
        self.description = test_context.description
        self.file_name = test_context.file
        self.test_index = test_index
        self.session_context = session_context
        self.test_status = test_status
        self.summary = summary
        self.data = data
        self.start_time = start_time
        self.stop_time = stop_time
        self.nodes: list[str] = []
        self.faults: list[dict] = []  # faults applied during the test: kind, nodes, start, end
        self.series: list[dict] = []  # per-second workload series: name, unit, points [[t, v], ...]
        self.quarantine = getattr(test_context, "quarantine", None)  # contexts built by hand may lack it
        self.history: dict | None = None  # the recorded operation history, as tests/history_view.py draws it
        self.shard: str | None = None  # in a merged session: the input session (cluster) it ran in
        self._set_dirs(test_context.results_dir(test_context, test_index), session_context.results_dir)

    def _set_dirs(self, results_dir: str, base_results_dir: str) -> None:
        self.results_dir = os.path.join(results_dir, "")
        self.base_results_dir = os.path.join(base_results_dir, "")
        if not self.results_dir.startswith(self.base_results_dir):
            raise ValueError(f"test results dir {self.results_dir} is not below {self.base_results_dir}")
        self.relative_results_dir = self.results_dir[len(self.base_results_dir):]

    @property
    def data(self) -> Any:
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        """Keep only JSON-ready data, so a set or an object can never break reporting."""
        self._data, note = plain_data(value)
        if note:
            self.summary = f"{self.summary}\n{note}" if self.summary else note

    def __repr__(self) -> str:
        return f"<{type(self).__name__} - test_status:{self.test_status}, data:{self.data}>"

    @property
    def run_time_seconds(self) -> float:
        if self.start_time < 0:
            return -1
        if self.stop_time < 0:
            return time.time() - self.start_time
        return self.stop_time - self.start_time

    @property
    def failure(self):
        """The signature of a failed test (FAIL or OFAIL) and the line naming its error; else None."""
        if not status_of(self.test_status).failed:
            return None
        return result_failure(self.summary, self.file_name, self.nodes)

    def report(self) -> None:
        """Write ``report.json``, ``report.txt`` and (when there is data) ``data.json`` in the test's dir."""
        test_dir = Path(self.results_dir)
        test_dir.mkdir(parents=True, exist_ok=True)
        self.dump_json()
        write_test_files(self)

    def dump_json(self) -> None:
        text = dumps(self.to_json(), sort_keys=True, indent=2)  # before opening: a bad value leaves no empty file
        with open(os.path.join(self.results_dir, "report.json"), "w") as fd:
            fd.write(text)

    def to_json(self) -> dict:
        """Upstream's per-test fields, plus ``nodes``, ``test_index`` and ``file_name``."""
        result = {
            "test_id": self.test_id,
            "module_name": self.module_name,
            "cls_name": self.cls_name,
            "function_name": self.function_name,
            "injected_args": self.injected_args,
            "description": self.description,
            "results_dir": self.results_dir,
            "relative_results_dir": self.relative_results_dir,
            "base_results_dir": self.base_results_dir,
            "test_status": self.test_status.to_json(),
            "summary": self.summary,
            "data": self.data,
            "start_time": self.start_time,
            "stop_time": self.stop_time,
            "run_time_seconds": self.run_time_seconds,
            "nodes_allocated": self.nodes_allocated,
            "nodes_used": self.nodes_used,
            "services": self.services,
            "nodes": list(self.nodes),
            "test_index": self.test_index,
            "file_name": self.file_name,
        }
        if self.node_type is not None:
            result["node_type"] = self.node_type
        failure = self.failure
        if failure is not None:
            result["failure"] = {"signature": failure.signature, "example": failure.example}
        if self.quarantine:
            result["quarantine"] = self.quarantine
        if self.faults:
            result["faults"] = self.faults
        if self.series:
            result["series"] = self.series
        if self.history:
            result["history"] = self.history
        if self.shard is not None:
            result["shard"] = self.shard
        return result

    @classmethod
    def from_json(cls, d: dict, session_context=None) -> TestResult:
        """Rebuild a result from ``to_json()`` output (or a per-test ``report.json``)."""
        self = cls.__new__(cls)
        for key in ("test_id", "module_name", "cls_name", "function_name", "description"):
            setattr(self, key, d[key])
        self.injected_args = d.get("injected_args")
        self.test_status = status_from_json(d["test_status"])
        self.summary = d.get("summary", "")
        self._data = d.get("data")
        self.start_time = d.get("start_time", -1)
        self.stop_time = d.get("stop_time", -1)
        self.nodes_allocated = d.get("nodes_allocated", 0)
        self.nodes_used = d.get("nodes_used", 0)
        self.services = d.get("services", [])
        self.nodes = list(d.get("nodes", []))
        self.faults = list(d.get("faults", []))
        self.series = list(d.get("series", []))
        self.quarantine = d.get("quarantine")
        self.history = d.get("history")
        self.shard = d.get("shard")
        self.node_type = d.get("node_type")
        self.file_name = d.get("file_name")
        self.test_index = d.get("test_index", _index_from_dir(d["relative_results_dir"]))
        self.session_context = session_context
        self._set_dirs(d["results_dir"], d["base_results_dir"])
        return self


def _index_from_dir(relative_results_dir: str) -> int | None:
    """Reports written without ``test_index`` still end their dir in it."""
    last = Path(relative_results_dir).name
    return int(last) if last.isdigit() else None


@dataclass(frozen=True)
class NotStarted:
    """A test the session never started (Ctrl-C or ``--exit-first`` stopped it first): enough
    to name it in the reports and to rerun it (``rerun-failed.yml``)."""

    test_id: str
    file_name: str | None
    cls_name: str
    function_name: str
    injected_args: dict | None = None

    @classmethod
    def of(cls, test_context: Any) -> NotStarted:
        return cls(test_context.test_id, test_context.file, test_context.cls_name, test_context.function_name,
                   test_context.injected_args)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict) -> NotStarted:
        return cls(str(d["test_id"]), d.get("file_name"), str(d["cls_name"]), str(d["function_name"]),
                   d.get("injected_args"))


class TestResults:
    """Every result of one session, with the counts and figures of the session report.

    ``interrupted_ids`` names the tests Ctrl-C cut short (their results are FAILs);
    ``not_started`` the tests the session stopped before starting them."""

    __test__ = False  # not a pytest class

    def __init__(self, session_context, cluster, client_status: dict | None = None) -> None:
        self._results: list[TestResult] = []
        self.session_context = session_context
        self.cluster = cluster
        self.start_time: float = -1
        self.stop_time: float = -1
        self.client_status = client_status if client_status is not None else {}
        self.suite_version: dict | None = None  # git commit and dirty flag of the test directory
        self.quarantine: dict | None = None  # tests/quarantine.py quarantine_report, with --quarantine
        self.interrupted_ids: list[str] = []
        self.not_started: list[NotStarted] = []

    def append(self, obj: TestResult) -> None:
        self._results.append(obj)

    def __len__(self) -> int:
        return len(self._results)

    def __iter__(self) -> Iterator[TestResult]:
        return iter(self._results)

    def _count(self, status: TestStatus) -> int:
        # results share a few status objects: tally them, then compare each distinct one (as == does)
        tally = Counter(r.test_status for r in self._results)
        name = str(status).lower()
        return sum(n for found, n in tally.items() if str(found).lower() == name)

    @property
    def num_passed(self) -> int:
        return self._count(PASS)

    @property
    def num_failed(self) -> int:
        return self._count(FAIL)

    @property
    def num_ignored(self) -> int:
        return self._count(IGNORE)

    @property
    def num_flaky(self) -> int:
        return self._count(FLAKY)

    @property
    def num_opassed(self) -> int:
        return self._count(OPASS)

    @property
    def num_ofailed(self) -> int:
        return self._count(OFAIL)

    @property
    def cluster_num_nodes(self) -> int:
        return len(self.cluster) if self.cluster is not None else 0

    @property
    def run_time_seconds(self) -> float:
        if self.start_time < 0:
            return -1
        stop = self.stop_time if self.stop_time >= 0 else time.time()
        return stop - self.start_time

    def get_aggregate_success(self) -> bool:
        """False when any test FAILed (FLAKY, IGNORE and the ok-to-fail statuses do not count)."""
        return not any(status_of(r.test_status).fails_run for r in self._results)

    @staticmethod
    def _stats(values: list) -> dict:
        if not values:
            return {"mean": None, "min": None, "max": None}
        return {"mean": sum(values) / float(len(values)), "min": min(values), "max": max(values)}

    def usage_figures(self) -> tuple[float, float]:
        """(cluster_utilization, parallelism); 0 when the run or the cluster is degenerate."""
        run_time = self.run_time_seconds
        if run_time <= 0 or self.cluster_num_nodes == 0:
            return 0, 0
        busy = sum(r.nodes_used * r.run_time_seconds for r in self._results)
        parallelism = sum(r.run_time_seconds for r in self._results) / run_time
        return busy / (self.cluster_num_nodes * run_time), parallelism

    def to_json(self) -> dict:
        """The session ``report.json`` (contract 7.4)."""
        utilization, parallelism = self.usage_figures()
        session = self.session_context.to_json() if hasattr(self.session_context, "to_json") else {}
        result = {
            "ducktape_version": ducktape.__version__,
            "session_context": session,
            "run_time_seconds": self.run_time_seconds,
            "start_time": self.start_time,
            "stop_time": self.stop_time,
            "run_time_statistics": self._stats([r.run_time_seconds for r in self._results]),
            "cluster_nodes_used": self._stats([r.nodes_used for r in self._results]),
            "cluster_nodes_allocated": self._stats([r.nodes_allocated for r in self._results]),
            "cluster_utilization": utilization,
            "cluster_num_nodes": self.cluster_num_nodes,
            "num_passed": self.num_passed,
            "num_failed": self.num_failed,
            "num_ignored": self.num_ignored,
            "parallelism": parallelism,
            "client_status": {str(key): value for key, value in self.client_status.items()},
            "results": [r.to_json() for r in self._results],
        }
        result["failure_groups"] = failure_groups(result["results"])
        for key in ("suite_version", "quarantine"):
            if getattr(self, key) is not None:
                result[key] = getattr(self, key)
        for key in ("num_flaky", "num_opassed", "num_ofailed"):
            if getattr(self, key):
                result[key] = getattr(self, key)
        if self.interrupted_ids:
            result["interrupted_tests"] = list(self.interrupted_ids)
        if self.not_started:
            result["not_started"] = [test.test_id for test in self.not_started]
        return result
