"""PlacementWatch: what every node really runs, sampled from outside, checked and timed.

A background thread reads the process table of every node a few times a second. Each
sample is checked against the rules that must hold at every instant (no unit twice on
one node, a forced unit nowhere but its host); ``wait_converged`` finds when the nodes
came to run exactly the declared placement and stayed there. The samples become two
series in the test's report, drawn under the fault windows.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from ducktape.trogdor.faults import record_series
from ducktape.utils.util import wait_until

from .watcher.config import parse

Observed = dict  # host -> unit -> pids


class PlacementWatch:
    def __init__(self, service, period: float = 0.25) -> None:
        self.service = service
        self.period = period
        self.samples: list[tuple[float, Observed]] = []
        self.violations: list[str] = []
        self.expected_by_time: list[tuple[float, dict]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=len(service.nodes))
        self._thread = threading.Thread(target=self._run, name="placement-watch", daemon=True)

    def start(self) -> PlacementWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self._pool.shutdown()

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.time()
            try:
                views = list(self._pool.map(self.service.running, self.service.nodes))
            except Exception as err:  # noqa: BLE001 - an unreachable node is one missing sample, not a crash
                self.service.logger.debug("placement sample failed: %s", err)
            else:
                observed = {node.account.hostname: view for node, view in zip(self.service.nodes, views)}
                self._check(started, observed)
                with self._lock:
                    self.samples.append((started, observed))
            self._stop.wait(max(0.0, self.period - (time.time() - started)))

    def _check(self, t: float, observed: Observed) -> None:
        config = parse(self.service.config())
        forced = {unit: host for service in config.services for unit, host in service.force.items()}
        for host, units in observed.items():
            for unit, pids in units.items():
                if len(pids) > 1:
                    self.violations.append(f"{t:.3f}: {unit} runs {len(pids)} times on {host} (pids {pids})")
                if unit in forced and forced[unit] != host:
                    self.violations.append(f"{t:.3f}: forced {unit} runs on {host}, not {forced[unit]}")

    def latest(self) -> Observed:
        with self._lock:
            return self.samples[-1][1] if self.samples else {}

    def wait_converged(self, expected: dict[str, set[str]], since: float, timeout_sec: float = 60,
                       hold: int = 3) -> float:
        """Seconds from *since* to the first sample from which *hold* samples in a row show
        every node running exactly *expected* (host -> units)."""
        with self._lock:
            self.expected_by_time.append((since, expected))
        found: list[float] = []

        def converged() -> bool:
            with self._lock:
                run = [(t, obs) for t, obs in self.samples if t >= since]
            streak = None
            for t, observed in run:
                if _matches(observed, expected):
                    streak = streak or [t, 0]
                    streak[1] += 1
                    if streak[1] >= hold:
                        found.append(streak[0])
                        return True
                else:
                    streak = None
            return False

        wait_until(converged, timeout_sec=timeout_sec, backoff_sec=self.period,
                   err_msg=lambda: f"no convergence to {_show(expected)}; nodes run {_show(_units(self.latest()))}")
        return round(found[0] - since, 3)

    def record(self) -> None:
        """Add the samples to the report: instances running, and whether the placement held."""
        with self._lock:
            samples = list(self.samples)
            goals = list(self.expected_by_time)
        record_series("instances running", [(t, sum(len(u) for u in obs.values())) for t, obs in samples])
        points = []
        for t, observed in samples:
            goal = next((g for since, g in reversed(goals) if since <= t), None)
            if goal is not None:
                points.append((t, 1.0 if _matches(observed, goal) else 0.0))
        record_series("declared placement held", points)


def _units(observed: Observed) -> dict[str, set[str]]:
    return {host: set(units) for host, units in observed.items()}


def _matches(observed: Observed, expected: dict[str, set[str]]) -> bool:
    return all(set(observed.get(host, {})) == units for host, units in expected.items()) and \
        all(len(pids) == 1 for units in observed.values() for pids in units.values())


def _show(by_host: dict[str, set[str]]) -> str:
    return "; ".join(f"{host}: {','.join(sorted(units)) or '-'}" for host, units in sorted(by_host.items()))
