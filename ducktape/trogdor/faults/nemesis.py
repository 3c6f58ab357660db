"""Run a seeded fault schedule against a test's nodes, in the background, always ending healed.

    with fault_schedule(nodes, seed=None, kinds=("partition", "degrade"), duration_s=60) as nemesis:
        run_workload()
    # nemesis.seed replays it: fault_schedule(nodes, seed=nemesis.seed, ...)

The seed is logged (and printed on stderr) when the schedule starts and recorded in the
test's results with every fault it applied.
"""
from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from ducktape.trogdor.faults import journal, kinds
from ducktape.trogdor.faults.context import NodesFault, kind_fault, node_name
from ducktape.trogdor.faults.schedule import Step, new_seed, plan_schedule

log = logging.getLogger("ducktape.trogdor.faults")


class Nemesis:
    """Applies the steps of a schedule at their offsets on a background thread."""

    def __init__(self, nodes: Sequence[Any], steps: list[Step], seed: int, options: dict) -> None:
        self.nodes = {node_name(n): n for n in nodes}
        self.steps, self.seed, self.options = steps, seed, options
        self.applied: list[dict] = []  # step JSON + the time it was applied and healed
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"nemesis-{seed}", daemon=True)
        self._current: NodesFault | None = None

    def fault_for(self, step: Step) -> NodesFault:
        """The fault of *step*: its kind's parameters from the options, then the step's own."""
        params = {**kinds.get(step.kind).from_options(self.options), **step.params}
        return kind_fault(step.kind, [self.nodes[n] for n in step.nodes], known=self.nodes.values(), **params)

    def start(self) -> Nemesis:
        self.started = time.monotonic()
        self._thread.start()
        return self

    def _run(self) -> None:
        for step in self.steps:
            if self._stop.wait(max(0.0, self.started + step.offset_s - time.monotonic())):
                return
            fault = self.fault_for(step)
            fault.detail.update({"schedule_seed": self.seed, "schedule_offset_s": step.offset_s})
            record = {**step.to_json(), "applied_at_s": round(time.monotonic() - self.started, 3)}
            self._current = fault
            try:
                fault.apply()
                self._stop.wait(step.length_s)
            except Exception as err:  # noqa: BLE001 - noted; the schedule goes on
                self.errors.append(f"step at {step.offset_s}s ({step.kind}): {err}")
            finally:
                self._heal(fault)
                record["healed_at_s"] = round(time.monotonic() - self.started, 3)
                self.applied.append(record)
                self._current = None

    def _heal(self, fault: NodesFault) -> None:
        try:
            fault.heal()
        except Exception as err:  # noqa: BLE001 - kept; stop() reports it
            self.errors.append(f"healing {fault.task_id}: {err}")

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every step has been applied and healed; False on timeout."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def stop(self) -> None:
        """Stop applying, heal what is applied, wait for the thread."""
        self._stop.set()
        self._thread.join()
        if self._current is not None:
            self._heal(self._current)


@contextlib.contextmanager
def fault_schedule(nodes: Sequence[Any], seed: int | None = None, kinds: Sequence[str] = ("partition",),
                   duration_s: float = 30.0, gap_s: tuple = (0.5, 3.0), length_s: tuple = (1.0, 5.0),
                   **options: Any) -> Iterator[Nemesis]:
    """Run a seeded schedule of faults from *kinds* on *nodes* while the block runs; options:
    ``delay_ms``/``loss_percent`` (degrade), ``pattern``/``sig``/``restart`` (process faults).
    Clock faults draw their offsets from the seed."""
    seed = new_seed() if seed is None else seed
    steps = plan_schedule(seed, [node_name(n) for n in nodes], kinds, duration_s, gap_s, length_s)
    message = f"fault schedule seed={seed} ({len(steps)} fault{'' if len(steps) == 1 else 's'} over {duration_s:g}s from {list(kinds)})"
    log.info(message)
    print(f"ducktape: {message}", file=sys.stderr, flush=True)
    journal.note("schedule", {"seed": seed, "kinds": list(kinds), "duration_s": duration_s,
                              "steps": [s.to_json() for s in steps]})
    nemesis = Nemesis(nodes, steps, seed, options).start()
    try:
        yield nemesis
    finally:
        nemesis.stop()
