"""Small probes of the node API that kafkatest relies on, each run under upstream 0.17.0's Python
and ours against the same namespace node, with the printed results compared.

Each probe is the smallest reproduction of a behaviour the compat suite depends on, so that a
difference shows up here with a one-line cause before it shows up as a failed suite test.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench._upstream import upstream_paths
from tests.support.suites import UPSTREAM_DUCKTAPE

UPSTREAM_PYTHON = str(Path(UPSTREAM_DUCKTAPE[0]).with_name("python"))

# Runs under either interpreter: allocates one node from the cluster file, runs each probe
# (a Python expression over `account`) and prints the results as one JSON list.
PROBE_SCRIPT = r"""
import json, sys
from ducktape.cluster.json import JsonCluster
from ducktape.cluster.cluster_spec import ClusterSpec
account = JsonCluster(cluster_file=sys.argv[1]).alloc(ClusterSpec.simple_linux(1))[0].account
results = []
for probe in json.loads(sys.argv[2]):
    try:
        results.append(repr(eval(probe)))
    except Exception as e:
        results.append(f"raised {type(e).__name__}: {e}")
print(json.dumps(results))
"""


def run_probes(python: str, cluster_file: Path, probes: list[str]) -> list[str]:
    # -I: no cwd on sys.path, else run from the repo root `import ducktape` would find ours under both
    proc = subprocess.run([python, "-I", "-c", PROBE_SCRIPT, str(cluster_file), json.dumps(probes)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


PROBES = [
    # kafkatest's ConsoleConsumer.start_cmd ends in `2>> stderr | tee -a stdout &`: the command
    # returns at once, and ssh_capture must keep streaming until the backgrounded job closes stdout.
    'list(account.ssh_capture("(sleep 0.3; echo late) &"))',
    'list(account.ssh_capture("echo now; (sleep 0.3; echo late) | cat &"))',
    # The patterns every kafkatest service uses for pids and for output.
    'list(account.ssh_capture("echo 1; echo 22", callback=int))',
    'account.ssh_output("echo out; echo err >&2")',
    'account.ssh("exit 3", allow_fail=True)',
    'account.ssh_output("exit 4")',
    'str(account.externally_routable_ip).count(".")',
    'list(account.ssh_capture("printf \'a\\\\nb\'"))',
    'list(account.ssh_capture("echo x; exit 2"))',
    'account.ssh_output("echo boom >&2; exit 5")',
    'str(account) == "root@" + account.hostname',
    '[account.exists("/no/such"), account.isdir("/mnt"), account.isfile("/mnt"), account.islink("/mnt")]',
    'account.java_pids("NoSuchMain")',
    'account.kill_process("no_such_process_name", allow_fail=True)',
    'account.alive(4194000)',
    '(account.create_file("/tmp/compat-probe.txt", "x\\ny"), account.open("/tmp/compat-probe.txt").read())',
    'len(account.ssh_output("head -c 3000000 /dev/zero"))',
    'sum(len(line) for line in account.ssh_capture("seq 1 200000"))',
    # LogMonitor: the offset is taken on entry, patterns are grep basic regexes (parentheses literal).
    'account.ssh("echo first > /tmp/compat-monitor.log")',
    ('(lambda m: (account.ssh("echo \'Server started (id=1)\' >> /tmp/compat-monitor.log"), '
    'm.wait_until("Server started (id=1)", timeout_sec=5, backoff_sec=0.1), m.offset))'
    '(account.monitor_log("/tmp/compat-monitor.log").__enter__())'),
]
WHERE = "__import__('ducktape').__file__"


@pytest.fixture(scope="module")
def probe_results(netns_cluster) -> dict[str, dict[str, str]]:
    """probe -> {"upstream": result, "ours": result}, each side's probes run in one process."""
    sides = {"upstream": UPSTREAM_PYTHON, "ours": sys.executable}
    results = {side: run_probes(python, netns_cluster.cluster_file, [WHERE, *PROBES]) for side, python in sides.items()}
    return {probe: {side: results[side][i] for side in sides} for i, probe in enumerate([WHERE, *PROBES])}


def test_each_side_runs_its_own_ducktape(probe_results):
    assert any(p in probe_results[WHERE]["upstream"] for p in upstream_paths())
    assert not any(p in probe_results[WHERE]["ours"] for p in upstream_paths())


@pytest.mark.parametrize("probe", PROBES)
def test_probe_same_result(probe_results, probe):
    result = probe_results[probe]
    assert result["ours"] == result["upstream"], probe
    assert not result["upstream"].startswith("raised") or "exit" in probe
