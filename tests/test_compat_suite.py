"""Drop-in proof: the kafkatest-style suite in tests/data/compat runs under upstream ducktape 0.17.0
and under ours on the same namespace cluster, and what each writes is compared.

Both runs happen once per module (upstream first, then ours, one after the other: they share
the nodes). Each test below compares one aspect after normalising only what legitimately
differs: session ids and absolute run directories, times, the ``id(self)`` part of service ids,
pids and timestamps inside collected logs, and the traceback frames of the framework itself.
Every other difference fails here; docs/compatibility.md lists the intended ones.
"""
from __future__ import annotations

import json
import re
import shlex
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bench._upstream import upstream_paths
from tests.support.suites import DATA_DIR, UPSTREAM_DUCKTAPE, run_ducktape

MAIN_TARGETS = ("compatsuite/tests/broker_test.py", "compatsuite/tests/produce_test.py")
GLOBALS = {"greeting": "hello-compat", "broker_port": 9192}
# [<deflake run>-]<Class>-<order>-<id(self)>
SERVICE_ID = re.compile(r"^(?P<cls>(?:\d+-)?[A-Za-z_]\w*)-(?P<order>\d+)-\d+$")
LOG_NOISE = [(re.compile(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\]", re.MULTILINE), "[<time>]"),
             (re.compile(r"\(pid \d+\)"), "(pid <pid>)"),
             (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b"), "<ip>"),  # nodes may be assigned differently
             (re.compile(r" offset \d+$", re.MULTILINE), " offset <n>")]  # two producers interleave
SERVICE_ID_IN_TEXT = re.compile(r"\b((?:\d+-)?[A-Z]\w*-\d+)-\d{6,}\b")
RUN_TIME = re.compile(r"^(run time:\s+).*$", re.MULTILINE)
WORKER_FAILURE_TEST = "compatsuite.tests.broker_test.BrokerTest.test_timeouts_and_errors"
EXPECTED_STATUS = {
    "compatsuite.tests.broker_test.BrokerTest.test_bounce.clean_shutdown=False": "PASS",
    "compatsuite.tests.broker_test.BrokerTest.test_bounce.clean_shutdown=True": "PASS",
    "compatsuite.tests.broker_test.BrokerTest.test_deliberate_failure": "FAIL",
    "compatsuite.tests.broker_test.BrokerTest.test_start_and_inspect": "PASS",
    "compatsuite.tests.broker_test.BrokerTest.test_timeouts_and_errors": "PASS",
    "compatsuite.tests.produce_test.ProduceTest.test_produce.compression=none.num_messages=1000": "IGNORE",
    "compatsuite.tests.produce_test.ProduceTest.test_produce.compression=none.num_messages=3": "PASS",
    "compatsuite.tests.produce_test.ProduceTest.test_produce.compression=none.num_messages=7": "PASS",
}


@dataclass
class Run:
    """One ducktape run of the suite: where it ran, what it printed, its session directory."""

    name: str
    cwd: Path
    returncode: int
    stdout: str
    stderr: str
    session_dir: Path

    @property
    def report(self) -> dict:
        return json.loads((self.session_dir / "report.json").read_text())

    def statuses(self) -> dict[str, str]:
        return {r["test_id"]: r["test_status"] for r in self.report["results"]}

    def test_dirs(self) -> list[Path]:
        """Per-test result directories (``<Class>/<method>[/<args>]/<index>``), sorted."""
        return sorted(p.parent for p in self.session_dir.glob("*/**/report.json"))

    def rel(self, path: Path) -> str:
        return path.relative_to(self.session_dir).as_posix()

    def normalize(self, text: str) -> str:
        """Replace this run's session id, directories and version with placeholders (our version
        is upstream's plus a local label; test_session_report_json_shape checks it)."""
        text = text.replace(str(self.session_dir), "<SESSION>").replace(str(self.cwd), "<CWD>")
        text = text.replace(f"ducktape version: {self.report['ducktape_version']}", "ducktape version: <VERSION>")
        return text.replace(self.report["session_context"]["session_id"], "<SESSION_ID>")


def run_suite(name: str, base: Path, cluster_file: Path, exe: list[str] | None, *flags: str,
              targets: tuple[str, ...] = MAIN_TARGETS) -> Run:
    """Copy the suite to ``base/name`` and run *targets* there with *exe* (None: ours) and *flags*."""
    cwd = base / name
    cwd.mkdir()
    shutil.copytree(DATA_DIR / "compat" / "compatsuite", cwd / "compatsuite")
    args = [*targets, "--cluster-file", str(cluster_file), "--globals", json.dumps(GLOBALS), *flags]
    proc = run_ducktape(args, cwd, exe=exe, timeout=300)
    latest = cwd / "results" / "latest"
    assert latest.is_symlink(), f"{name}: no results/latest\n{proc.stdout}\n{proc.stderr}"
    return Run(name, cwd, proc.returncode, proc.stdout, proc.stderr, latest.resolve())


@dataclass
class Runs:
    """Upstream's run and ours of the same suite on the same cluster, and that cluster's host names."""

    upstream: Run
    ours: Run
    hosts: set[str]


def run_pair(netns_cluster, base: Path, *flags: str, targets: tuple[str, ...] = MAIN_TARGETS) -> Runs:
    """Upstream then ours (they share the nodes) on *targets* with *flags*, each in its own copy."""
    upstream = run_suite("upstream", base, netns_cluster.cluster_file, UPSTREAM_DUCKTAPE, *flags, targets=targets)
    ours = run_suite("ours", base, netns_cluster.cluster_file, None, *flags, targets=targets)
    return Runs(upstream, ours, {n.hostname for n in netns_cluster.nodes})


@pytest.fixture(scope="module")
def runs(netns_cluster, tmp_path_factory) -> Runs:
    return run_pair(netns_cluster, tmp_path_factory.mktemp("compat"))


# ---- normalisation helpers (and checks that they keep what matters) ------------------------------

def service_dir_name(name: str) -> str:
    """``BrokerService-0-140585843471632`` → ``BrokerService-0``; anything else unchanged."""
    return SERVICE_ID.sub(r"\g<cls>-\g<order>", name)


def collected_logs(test_dir: Path) -> list[tuple[str, str, str]]:
    """(service dir without object id, host, path below the host dir) of every collected file."""
    found = []
    for path in test_dir.rglob("*"):
        parts = path.relative_to(test_dir).parts
        if path.is_file() and len(parts) >= 3:
            found.append((service_dir_name(parts[0]), parts[1], "/".join(parts[2:])))
    return sorted(found)


def collected_logs_without_hosts(test_dir: Path) -> Counter:
    """How many hosts hold each (service, path): comparable when nodes were assigned differently."""
    return Counter((svc, path) for svc, _, path in collected_logs(test_dir))


def strip_framework_frames(text: str) -> str:
    """Drop blank lines and the traceback frames of files outside the suite (not under ``<CWD>``):
    upstream's tracebacks start with its runner's frames, ours show only the suite's."""
    out, keep = [], True
    for line in text.splitlines():
        if line.startswith('  File "'):
            keep = '"<CWD>/' in line
        elif not line.startswith("    "):
            keep = True
        if keep and line.strip():
            out.append(line)
    return "\n".join(out)


def test_normalisers_keep_what_matters():
    assert service_dir_name("BrokerService-0-140585843471632") == "BrokerService-0"
    assert service_dir_name("ProducerService-12-7") == "ProducerService-12"
    assert service_dir_name("report.json") == "report.json"
    assert service_dir_name("2-BrokerService-0-140585843471632") == "2-BrokerService-0"
    text = ('A(\'x\')\nTraceback (most recent call last):\n  File "/opt/up/runner_client.py", line 3\n    run()\n'
            '  File "<CWD>/suite/t.py", line 1\n    x()\nA: x\n\nnext')
    assert strip_framework_frames(text) == ('A(\'x\')\nTraceback (most recent call last):\n'
                                            '  File "<CWD>/suite/t.py", line 1\n    x()\nA: x\nnext')


# ---- comparisons --------------------------------------------------------------------------------

def test_exit_status_is_one_for_both(runs):
    for side in ("upstream", "ours"):
        run = getattr(runs, side)
        assert run.returncode == 1, f"{side}: exit {run.returncode}\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"


def test_upstream_side_ran_upstream(runs):
    (failure,) = [r for r in runs.upstream.report["results"] if r["test_status"] == "FAIL"]
    assert any(p in failure["summary"] for p in upstream_paths())  # upstream's traceback shows its own frames


def test_same_tests_and_statuses(runs):
    assert runs.upstream.statuses() == EXPECTED_STATUS
    assert runs.ours.statuses() == runs.upstream.statuses()


def test_same_result_directory_layout(runs):
    up, ours = runs.upstream, runs.ours
    assert [up.rel(d) for d in up.test_dirs()] == [ours.rel(d) for d in ours.test_dirs()]
    assert "BrokerTest/test_timeouts_and_errors/4" in {ours.rel(d) for d in ours.test_dirs()}


def test_same_files_in_each_test_directory(runs):
    up, ours = runs.upstream, runs.ours
    for up_dir, our_dir in zip(up.test_dirs(), ours.test_dirs()):
        up_files = {p.name for p in up_dir.iterdir() if p.is_file()}
        our_files = {p.name for p in our_dir.iterdir() if p.is_file()}
        if up.statuses()[_test_id(up_dir)] == "IGNORE":
            up_files -= {"test_log.info", "test_log.debug"}  # ours runs no process for an ignored test
        assert our_files == up_files, up.rel(up_dir)


def _test_id(test_dir: Path) -> str:
    return json.loads((test_dir / "report.json").read_text())["test_id"]


def test_same_service_logs_collected_in_same_places(runs):
    up, ours, hosts = runs.upstream, runs.ours, runs.hosts
    for up_dir, our_dir in zip(up.test_dirs(), ours.test_dirs()):
        up_logs, our_logs = collected_logs(up_dir), collected_logs(our_dir)
        assert collected_logs_without_hosts(our_dir) == collected_logs_without_hosts(up_dir), up.rel(up_dir)
        assert {host for _, host, _ in our_logs} <= hosts
        assert len({host for _, host, _ in our_logs}) == len({host for _, host, _ in up_logs})
    (failed,) = ours.session_dir.glob("BrokerTest/test_deliberate_failure/*")
    assert ("BrokerService-0", "data/messages.log") in {(s, p) for s, _, p in collected_logs(failed)}


def test_collected_log_contents_match(runs):
    up, ours = runs.upstream, runs.ours
    compared = 0
    for up_dir, our_dir in zip(up.test_dirs(), ours.test_dirs()):
        up_texts, our_texts = _log_texts(up_dir), _log_texts(our_dir)
        assert our_texts == up_texts, up.rel(up_dir)
        compared += sum(len(texts) for texts in up_texts.values())
    assert compared >= 20


def _log_texts(test_dir: Path) -> dict[tuple[str, str], list[str]]:
    """(service, path) -> the cleaned contents of that file on each host, sorted (hosts may differ)."""
    texts: dict[tuple[str, str], list[str]] = {}
    for service_dir in (d for d in test_dir.iterdir() if d.is_dir()):
        for path in sorted(p for p in service_dir.rglob("*") if p.is_file()):
            key = (service_dir_name(service_dir.name), "/".join(path.relative_to(service_dir).parts[1:]))
            texts.setdefault(key, []).append(_clean_log(path.read_text()))
    return {key: sorted(value) for key, value in texts.items()}


def _clean_log(text: str) -> str:
    for pattern, replacement in LOG_NOISE:
        text = pattern.sub(replacement, text)
    return text


SUITE_LOG_RECORD = re.compile(r"^\[(\w+) +- [\d-]+ [\d:,]+ - (broker|producer|broker_test|produce_test) - (.*)$",
                              re.MULTILINE)


def test_suite_logger_lines_in_test_logs(runs):
    """What the suite logs through ``self.logger`` lands in each test's test_log.info on both sides."""
    def records(test_dir: Path) -> list[str]:
        log = test_dir / "test_log.info"
        lines = ["|".join(m.groups()) for m in SUITE_LOG_RECORD.finditer(log.read_text() if log.exists() else "")]
        for host in runs.hosts:
            lines = [line.replace(host, "<host>") for line in lines]
        return [SERVICE_ID_IN_TEXT.sub(r"\1", _clean_log(line)) for line in lines]

    found = 0
    for up_dir, our_dir in zip(runs.upstream.test_dirs(), runs.ours.test_dirs()):
        ours = records(our_dir)
        assert ours == records(up_dir), runs.ours.rel(our_dir)
        found += len(ours)
    assert found >= 7  # one broker.properties record per broker start


def test_data_json_identical(runs):
    up, ours = runs.upstream, runs.ours
    up_data = {up.rel(p): json.loads(p.read_text()) for p in up.session_dir.rglob("data.json")}
    our_data = {ours.rel(p): json.loads(p.read_text()) for p in ours.session_dir.rglob("data.json")}
    assert our_data == up_data
    (inspect,) = [data for name, data in our_data.items() if name.startswith("BrokerTest/test_start_and_inspect/")]
    assert inspect["ping"] == GLOBALS["greeting"]
    assert len(our_data) == 3


def test_session_report_json_shape(runs):
    up, ours = runs.upstream.report, runs.ours.report
    assert set(ours) - {"failure_groups", "suite_version"} == set(up)  # our additions (docs/results.md)
    assert [g["test_ids"] for g in ours["failure_groups"]] == [[r["test_id"] for r in ours["results"]
                                                               if r["test_status"] == "FAIL"]]
    assert set(up["session_context"]) <= set(ours["session_context"])
    assert ours["session_context"]["_globals"] == up["session_context"]["_globals"] == GLOBALS
    # ours is upstream's version with a local label: the same release for any pin
    assert ours["ducktape_version"] == up["ducktape_version"] + "+own.1.0.0"
    for key in ("cluster_num_nodes", "num_passed", "num_failed", "num_ignored"):
        assert ours[key] == up[key], key
    assert set(ours["client_status"]) <= set(up["client_status"])  # ours lists no process for IGNORE
    up_results = {r["test_id"]: r for r in up["results"]}
    for result in ours["results"]:
        theirs = up_results[result["test_id"]]
        assert set(theirs) <= set(result), result["test_id"]
        for key in ("module_name", "cls_name", "function_name", "injected_args", "description",
                    "relative_results_dir", "data", "nodes_used"):
            assert result[key] == theirs[key], (result["test_id"], key)
        if result["test_id"] != WORKER_FAILURE_TEST:
            assert result["summary"].splitlines()[:1] == theirs["summary"].splitlines()[:1], result["test_id"]
        if result["test_status"] != "IGNORE":  # ours gives an ignored test no nodes
            assert result["nodes_allocated"] == theirs["nodes_allocated"], result["test_id"]


def test_worker_failure_reaches_our_summary_only(runs):
    """Upstream's registry reads ``service.error`` while workers record ``errors``, so a failed
    background worker vanishes from the summary; ours reports it (the test still passes in both)."""
    (up,) = [r for r in runs.upstream.report["results"] if r["test_id"] == WORKER_FAILURE_TEST]
    (ours,) = [r for r in runs.ours.report["results"] if r["test_id"] == WORKER_FAILURE_TEST]
    assert up["test_status"] == ours["test_status"] == "PASS"
    assert up["summary"] == "Test Passed"
    assert "ProducerService-0-" in ours["summary"] and "-worker-1: Traceback" in ours["summary"]
    assert "returned non-zero exit status 2" in ours["summary"]


def test_per_test_report_json_matches_session_entry(runs):
    for side in ("upstream", "ours"):
        run = getattr(runs, side)
        entries = {r["test_id"]: r for r in run.report["results"]}
        for test_dir in run.test_dirs():
            per_test = json.loads((test_dir / "report.json").read_text())
            assert per_test == entries[per_test["test_id"]], (side, run.rel(test_dir))


def test_report_txt_same_after_normalising(runs):
    up, ours = runs.upstream, runs.ours

    def shape(run: Run) -> str:
        text = RUN_TIME.sub(r"\1<time>", (run.session_dir / "report.txt").read_text())
        return strip_framework_frames(run.normalize(text))

    assert shape(ours) == shape(up)
    for up_dir, our_dir in zip(up.test_dirs(), ours.test_dirs()):
        up_txt = RUN_TIME.sub(r"\1<time>", up.normalize((up_dir / "report.txt").read_text()))
        our_txt = RUN_TIME.sub(r"\1<time>", ours.normalize((our_dir / "report.txt").read_text()))
        assert strip_framework_frames(our_txt) == strip_framework_frames(up_txt), up.rel(up_dir)


def test_report_xml_same_shape(runs):
    def shape(run: Run) -> list:
        root = ET.parse(run.session_dir / "report.xml").getroot()
        out = [(root.tag, {k: v for k, v in root.attrib.items() if k != "time"})]
        for suite in root:
            out.append((suite.tag, dict(suite.attrib)))
            for case in suite:
                attrs = {k: v for k, v in case.attrib.items() if k != "time"}
                children = [(c.tag, c.attrib.get("message"), strip_framework_frames(run.normalize(c.text or "")))
                            for c in case]
                out.append((case.tag, attrs, children))
        return out

    assert shape(runs.ours) == shape(runs.upstream)


def test_rerun_failed_names_the_same_tests(runs):
    def symbols(run: Run) -> list[str]:
        doc = yaml.safe_load((run.session_dir / "rerun-failed.yml").read_text())
        assert list(doc) == [run.report["session_context"]["session_id"]]
        paths = []
        for symbol in doc[run.report["session_context"]["session_id"]]:
            path, _, rest = symbol.partition("::")
            paths.append((run.cwd / path).resolve().relative_to(run.cwd).as_posix() + "::" + rest)
        return paths

    assert symbols(runs.ours) == symbols(runs.upstream) == [
        "compatsuite/tests/broker_test.py::BrokerTest.test_deliberate_failure"]


def test_failed_symbols_block_on_stdout(runs):
    def block(run: Run) -> str:
        start = run.stdout.index("FAILED TEST SUITE")
        return run.normalize(run.stdout[start:]).strip()

    assert block(runs.ours) == block(runs.upstream)


def test_session_files(runs):
    up, ours = runs.upstream, runs.ours
    up_files = {p.name for p in up.session_dir.iterdir() if p.is_file()}
    our_files = {p.name for p in ours.session_dir.iterdir() if p.is_file()}
    assert up_files - {"report.css"} <= our_files  # our report.html carries its own CSS


def test_console_session_report_same_after_normalising(runs):
    def report_part(run: Run) -> str:
        lines = run.stdout.splitlines()
        start = lines.index("SESSION REPORT (ALL TESTS)")
        end = max(i for i, line in enumerate(lines) if line and set(line) == {"-"})
        text = RUN_TIME.sub(r"\1<time>", "\n".join(lines[start:end + 1]))
        return strip_framework_frames(run.normalize(text))

    assert report_part(runs.ours) == report_part(runs.upstream)


# ---- re-running what failed ----------------------------------------------------------------------

def failed_symbols(run: Run) -> list[str]:
    """The symbols printed after "FAILED TEST SYMBOLS", as a shell would split them."""
    tail = run.stdout.split("Pass the test symbols below to your ducktape run", 1)[1]
    return shlex.split(tail.strip().splitlines()[0])


@pytest.fixture(scope="module")
def reruns(runs: Runs, netns_cluster) -> Runs:
    """Each side re-runs, in its own directory, the failed symbols it printed."""
    done = []
    for run, exe in ((runs.upstream, UPSTREAM_DUCKTAPE), (runs.ours, None)):
        args = [*failed_symbols(run), "--cluster-file", str(netns_cluster.cluster_file)]
        proc = run_ducktape(args, run.cwd, exe=exe, timeout=120)
        done.append(Run(run.name, run.cwd, proc.returncode, proc.stdout, proc.stderr,
                        (run.cwd / "results" / "latest").resolve()))
    return Runs(done[0], done[1], runs.hosts)


def test_rerunning_failed_symbols_runs_the_same_test(runs, reruns):
    assert failed_symbols(runs.ours) == failed_symbols(runs.upstream)
    for side in ("upstream", "ours"):
        first, again = getattr(runs, side), getattr(reruns, side)
        assert again.session_dir != first.session_dir, side
        assert again.returncode == 1, f"{side}\n{again.stdout[-2000:]}\n{again.stderr[-2000:]}"
        assert again.statuses() == {"compatsuite.tests.broker_test.BrokerTest.test_deliberate_failure": "FAIL"}
        assert [again.rel(d) for d in again.test_dirs()] == ["BrokerTest/test_deliberate_failure/1"]


def test_ours_reruns_from_its_rerun_failed_yml(runs, reruns, netns_cluster):
    """Upstream writes cwd-relative paths that its loader resolves against the file's directory, so
    ``ducktape results/latest/rerun-failed.yml`` finds nothing there; ours must rerun the failure."""
    args = [str(runs.ours.session_dir / "rerun-failed.yml"), "--cluster-file", str(netns_cluster.cluster_file)]
    ours = run_ducktape(args, runs.ours.cwd, timeout=120)
    assert ours.returncode == 1
    report = json.loads((runs.ours.cwd / "results" / "latest" / "report.json").read_text())
    assert [(r["test_id"], r["test_status"]) for r in report["results"]] == [
        ("compatsuite.tests.broker_test.BrokerTest.test_deliberate_failure", "FAIL")]
    upstream = run_ducktape([str(runs.upstream.session_dir / "rerun-failed.yml")], runs.upstream.cwd,
                            exe=UPSTREAM_DUCKTAPE, timeout=120)
    assert "No tests found" in upstream.stdout + upstream.stderr
