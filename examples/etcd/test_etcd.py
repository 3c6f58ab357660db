"""etcd under faults, judged by a linearizability checker: a 3-member cluster of Debian's etcd,
clients reading, writing and compare-and-setting keys over its HTTP/JSON gateway, every
operation recorded in a history, the history checked as a CAS register per key.

    sudo ducktape-cluster up --nodes 3
    ducktape examples/etcd --cluster-file .ducktape/cluster.json

``--globals '{"etcd_seed": 8}'`` plays another fault schedule (the default, seed 7, draws
pauses, kills, majority/minority and bridge partitions).
"""
from __future__ import annotations

import time

from ducktape.checkers import check_linearizable, history_dir, load_history
from ducktape.mark import ok_to_fail
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test
from ducktape.trogdor.faults import fault_schedule, network_partition
from ducktape.utils.util import wait_until

from .etcd import EtcdService
from .register import RegisterClient, RegisterWorkload, first_write_after

KEYS = [f"k{i}" for i in range(5)]
DEFAULT_SEED = 7


class EtcdTest(Test):
    """Linearizable reads stay linearizable under faults; serializable reads of a cut-off member do not."""

    def __init__(self, test_context):
        super().__init__(test_context=test_context)
        self.etcd = EtcdService(test_context, num_nodes=3)

    def setUp(self):
        self.etcd.start()

    def _seed(self) -> int:
        return int((self.test_context.globals or {}).get("etcd_seed", DEFAULT_SEED))

    @cluster(num_nodes=3)
    def test_linearizable_reads_under_faults(self):
        """Six clients over three members; a seeded schedule of partitions (majority/minority,
        bridge), kills and pauses of members; the history checks linearizable."""
        seed = self._seed()
        directory = history_dir(self.test_context)
        urls = [self.etcd.client_url(n) for n in self.etcd.nodes]
        with RegisterWorkload(directory, urls, clients=6, keys=KEYS, seed=seed) as workload:
            with fault_schedule(self.etcd.nodes, seed=seed, kinds=("partition", "process_kill", "process_stop"),
                                duration_s=24, gap_s=(1.0, 2.5), length_s=(2.0, 4.0),
                                pattern=EtcdService.PROCESS_PATTERN, restart=EtcdService.RESTART_COMMAND) as nemesis:
                nemesis.wait(timeout=60)
            self.etcd.wait_healthy(timeout_sec=30)
            time.sleep(2)  # writes after the last heal, so its recovery is measured too
        history = load_history(directory)
        result = check_linearizable(history, "cas-register", time_limit=90)
        assert result.valid is not None, f"the checker ran out of time on {len(history)} events"
        assert not nemesis.errors, nemesis.errors
        counts = _counts(history)
        assert counts.get("read ok") and counts.get("write ok"), f"the workload made no progress: {counts}"
        assert counts.get("write info", 0) + counts.get("cas info", 0) + counts.get("read fail", 0), \
            f"no operation was disturbed by the faults: {counts}"
        return {"checker": result.to_json(), "seed": nemesis.seed, "operations": counts,
                "recovery": _recovery(nemesis, history, workload, self.etcd)}

    @ok_to_fail
    @cluster(num_nodes=3)
    def test_serializable_reads_of_isolated_member(self):
        """Cut one member off, keep writing through the majority, read the cut-off member with
        ``serializable: true``: it answers from its own stale copy, and the checker says so.
        (Marked ok_to_fail: finding the anomaly is what this test shows.)"""
        directory = history_dir(self.test_context)
        leader = self.etcd.wait_healthy(timeout_sec=30)
        victim = next(n for n in self.etcd.nodes if n is not leader)
        majority = [n for n in self.etcd.nodes if n is not victim]
        # processes 0 and 1, then 1000, 1001, ... after an unknown outcome (the workload's are 10 and up)
        writer = RegisterClient(directory, 0, 1000, self.etcd.client_url(leader))
        reader = RegisterClient(directory, 1, 1000, self.etcd.client_url(victim), serializable=True)

        writer.write("probe", 1)
        wait_until(lambda: reader.read("probe") == 1, timeout_sec=10, backoff_sec=0.1,
                   err_msg="the member to isolate never saw the first write")
        urls = [self.etcd.client_url(n) for n in self.etcd.nodes]
        with RegisterWorkload(directory, urls, clients=3, keys=KEYS[:3], seed=self._seed(), serializable=True,
                              first_process=10):
            with network_partition([victim], majority):
                wait_until(lambda: writer.write("probe", 2), timeout_sec=20, backoff_sec=0.1,
                           err_msg="the majority did not take a write while one member was cut off")
                stale = reader.read("probe")
                assert stale == 1, f"the cut-off member answered {stale!r}, expected its stale 1"
                time.sleep(2)
            healed = time.monotonic()
            wait_until(lambda: reader.write("after-heal", 1), timeout_sec=30, backoff_sec=0.1,
                       err_msg=f"no write through {victim.account.hostname} succeeded after the heal")
            written = time.monotonic()
            wait_until(lambda: reader.read("probe") == 2, timeout_sec=30, backoff_sec=0.1,
                       err_msg=f"{victim.account.hostname} did not catch up after the heal")
            caught_up = time.monotonic()
        writer.close()
        reader.close()
        result = check_linearizable(load_history(directory), "cas-register", time_limit=60)
        return {"checker": result.to_json(),
                "stale_read": {"member": victim.account.hostname, "key": "probe", "read": stale, "latest_write": 2},
                "recovery": {"member": victim.account.hostname, "first_write_sec": round(written - healed, 3),
                             "caught_up_sec": round(caught_up - healed, 3)}}


def _counts(history: list[dict]) -> dict[str, int]:
    """How many operations of each function ended each way (``"write info": 3``)."""
    counts: dict[str, int] = {}
    for event in history:
        if event["type"] != "invoke":
            name = f"{event['f']} {event['type']}"
            counts[name] = counts.get(name, 0) + 1
    return counts


def _recovery(nemesis, history: list[dict], workload: RegisterWorkload, etcd: EtcdService) -> list[dict]:
    """Per fault of the schedule: seconds from its heal to the first acknowledged write, by any
    client and by a client of a member the fault hit (paused, killed, or cut off from a majority)."""
    urls = {n.account.hostname: etcd.client_url(n) for n in etcd.nodes}
    rows = []
    for step in nemesis.applied:
        healed = nemesis.started + step["healed_at_s"]
        hit = _hit(step, len(urls))
        processes = [p for name in hit for p in workload.processes_of(urls[name])]
        rows.append({"kind": step["kind"], "nodes": step["nodes"], "hit": hit, "healed_at_s": step["healed_at_s"],
                     "first_write_sec": first_write_after(history, healed),
                     "first_write_via_hit_sec": first_write_after(history, healed, processes)})
    return rows


def _hit(step: dict, members: int) -> list[str]:
    """The members a step took out: its nodes, or for a partition those that could no longer
    reach a majority (none in a bridge, whose middle member joins both sides)."""
    if step["kind"] != "partition":
        return list(step["nodes"])
    return sorted(name for name, lost in step["params"]["plan"].items() if members - len(lost) <= members // 2)
