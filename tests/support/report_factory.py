"""Synthetic but realistic session directories for the HTML report's tests and benchmark.

A session is simulated on a cluster of named nodes: tests ask for 1-3 nodes, wait for free ones,
run for a random time and finish PASS/FAIL/FLAKY (ignored tests hold nothing). Each test gets the
per-test directory layout the runner writes (test_log.*, report.*, service logs under
``<service_id>/<host>/``), and the session ``report.json`` dict is returned and written.
"""
from __future__ import annotations

import heapq
import json
import random
from pathlib import Path

MODULES = [
    ("kafkatest.tests.core.replication_test", "ReplicationTest", "test_replication_with_broker_failure"),
    ("kafkatest.tests.client.consumer_test", "OffsetValidationTest", "test_consumer_bounce"),
    ("kafkatest.tests.streams.streams_eos_test", "StreamsEosTest", "test_failure_and_recovery"),
    ("kafkatest.sanity_checks.test_console_consumer", "ConsoleConsumerTest", "test_lifecycle"),
    ("kafkatest.tests.core.security_test", "SecurityTest", "test_client_ssl_endpoint_validation_failure"),
]
ERRORS = [
    "TimeoutError('Kafka server didn\\'t finish startup in 60 seconds')",
    "RemoteCommandError({'ssh_command': 'kill -15 4242', 'exit_status': 1, 'msg': b''})",
    "AssertionError('Expected 1000 acked messages, got 997')",
]


def make_session(root: Path, n_tests: int, *, nodes: int = 8, seed: int = 1, session_id: str = "2026-11-21--001",
                 start: float = 1_795_250_000.0, extra: list[dict] | None = None, write_logs: bool = True) -> tuple[Path, dict]:
    """Write a session dir with *n_tests* results (plus *extra* result overrides) and return (dir, report)."""
    rng = random.Random(seed)
    session_dir = Path(root) / session_id
    session_dir.mkdir(parents=True, exist_ok=True)
    hosts = [f"worker{i + 1}" for i in range(nodes)]
    specs = [_spec(rng, i, nodes) for i in range(n_tests)]
    for i, over in enumerate(extra or []):
        spec = {**_spec(rng, n_tests + i, nodes), **over}
        if spec["status"] == "IGNORE":
            spec["num_nodes"] = 0
        specs.append(spec)
    _schedule(specs, hosts, start)
    results = [_result(session_dir, spec, index + 1, write_logs) for index, spec in enumerate(specs)]
    stop = max([r["stop_time"] for r in results if r["stop_time"] > 0] + [start + 1])
    report = _session_report(session_dir, session_id, results, start, stop, nodes)
    (session_dir / "report.json").write_text(json.dumps(report, indent=2, sort_keys=True))
    return session_dir, report


def _spec(rng: random.Random, i: int, nodes: int) -> dict:
    module, cls, fn = MODULES[i % len(MODULES)]
    roll = rng.random()
    status = "IGNORE" if roll < 0.04 else "FAIL" if roll < 0.14 else "FLAKY" if roll < 0.17 else "PASS"
    args = {"security_protocol": rng.choice(["PLAINTEXT", "SSL", "SASL_SSL"]), "run": i}
    return {
        "module": module, "cls": cls, "fn": fn, "args": args, "status": status,
        "num_nodes": 0 if status == "IGNORE" else rng.randint(1, min(3, nodes)),
        "duration": rng.uniform(2, 90), "error": rng.choice(ERRORS),
    }


def _schedule(specs: list[dict], hosts: list[str], start: float) -> None:
    """Give each test start/stop times and the hosts it held, never two tests on one host at once."""
    free = list(hosts)
    running: list[tuple[float, int, list[str]]] = []
    now = start
    for index, spec in enumerate(specs):
        if not spec["num_nodes"]:
            spec.update(start=-1, stop=-1, hosts=[])
            continue
        while len(free) < spec["num_nodes"]:
            now, _, released = heapq.heappop(running)
            free.extend(released)
        taken, free = free[:spec["num_nodes"]], free[spec["num_nodes"]:]
        spec.update(start=now, stop=now + spec["duration"], hosts=taken)
        heapq.heappush(running, (spec["stop"], index, taken))
        now += 0.05


def _result(session_dir: Path, spec: dict, index: int, write_logs: bool) -> dict:
    args = spec["args"]
    args_name = ".".join(f"{k}={v}" for k, v in args.items()) if args else ""
    test_id = spec.get("test_id") or ".".join(p for p in (spec["module"], spec["cls"], spec["fn"], args_name) if p)
    rel = "/".join(p for p in (spec["cls"], spec["fn"], args_name, str(index)) if p)
    failed = spec["status"] == "FAIL"
    summary = spec.get("summary", "")
    if failed and not summary:
        summary = (f"{spec['error']}\nTraceback (most recent call last):\n"
                   f'  File "/opt/ducktape/tests/runner_client.py", line 351, in _do_run\n'
                   f"    data = self.run_test()\n"
                   f'  File "/opt/kafkatest/{spec["module"].replace(".", "/")}.py", line 212, in {spec["fn"]}\n'
                   f"    self.run_validation()\n{_exception_line(spec['error'])}\n")
    result = {
        "test_id": test_id, "module_name": spec["module"], "cls_name": spec["cls"],
        "function_name": spec["fn"], "injected_args": args or None, "description": spec.get("description", ""),
        "results_dir": str(session_dir / rel) + "/", "relative_results_dir": rel,
        "base_results_dir": str(session_dir) + "/", "test_status": spec["status"], "summary": summary,
        "data": spec.get("data"), "start_time": spec["start"], "stop_time": spec["stop"],
        "run_time_seconds": max(0.0, spec["stop"] - spec["start"]) if spec["start"] > 0 else 0,
        "nodes_allocated": spec["num_nodes"], "nodes_used": spec["num_nodes"], "services": [],
        "nodes": spec["hosts"],
    }
    if write_logs:
        _write_test_dir(session_dir / rel, result, spec)
    return result


def _exception_line(error_repr: str) -> str:
    """``Name('message')`` -> ``Name: message``, as the last line of a traceback reads."""
    name, _, rest = error_repr.partition("(")
    return f"{name}: {rest[:-1].strip(chr(39))}"


def _write_test_dir(test_dir: Path, result: dict, spec: dict) -> None:
    test_dir.mkdir(parents=True, exist_ok=True)
    line = f"[INFO  - 2026-11-21 10:00:00,000 - runner_client - log - lineno:{result['nodes_allocated']}]"
    (test_dir / "test_log.info").write_text(f"{line}: Running...\n{line}: {result['test_status']}\n")
    (test_dir / "test_log.debug").write_text(f"{line}: Setting up...\n{line}: Tearing down...\n")
    (test_dir / "report.json").write_text(json.dumps(result, indent=2, sort_keys=True))
    (test_dir / "report.txt").write_text(f"test_id:    {result['test_id']}\nstatus:     {result['test_status']}\n")
    if spec["status"] == "IGNORE":
        return
    for host in result["nodes"][:2]:
        log_dir = test_dir / "KafkaService-0-140234" / host
        log_dir.mkdir(parents=True, exist_ok=True)
        (log_dir / "server-start-stdout-stderr.log").write_text("[2026-11-21 10:00:01] INFO started (kafka.server)\n")
        (log_dir / "server.log").write_text("[2026-11-21 10:00:02] INFO [KafkaServer id=1] started\n")


def _session_report(session_dir: Path, session_id: str, results: list[dict], start: float, stop: float,
                    nodes: int) -> dict:
    def count(status: str) -> int:
        return sum(1 for r in results if r["test_status"] == status)

    report = {
        "ducktape_version": "0.17.0",
        "session_context": {"session_id": session_id, "results_dir": str(session_dir), "debug": False,
                            "command_line": "ducktape --cluster-file cluster.json tests/kafkatest/tests"},
        "run_time_seconds": stop - start, "start_time": start, "stop_time": stop,
        "num_passed": count("PASS"), "num_failed": count("FAIL"), "num_ignored": count("IGNORE"),
        "cluster_num_nodes": nodes, "cluster_utilization": 0.8, "parallelism": 2.5, "results": results,
    }
    if count("FLAKY"):
        report["num_flaky"] = count("FLAKY")
    return report
