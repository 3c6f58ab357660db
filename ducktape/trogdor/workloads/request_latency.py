"""RequestLatency: drive a TCP or HTTP endpoint at a fixed rate and report latency.

Open loop: request *i* is due at ``start + i / targetRate`` whatever happened to the
ones before, and its latency is measured from when it was due, not from when a
sender got round to it. A stalled server therefore shows up as latency (and as a
backlog), never as politely fewer requests. Latencies go into a log-bucketed
histogram (see ``histogram.py``); the status carries count, errors, throughput,
p50/p95/p99/p99.9/max and one row per second.
"""
from __future__ import annotations

import dataclasses
import http.client
import logging
import socket
import threading
import time
import urllib.parse
from typing import Any

from ducktape.trogdor.spec import SpecError, TaskSpec, register_spec
from ducktape.trogdor.worker import DoneFuture, Platform, ThreadedWorker, WorkerStatus
from ducktape.trogdor.workloads.histogram import Histogram

log = logging.getLogger("trogdor.latency")
PERCENTILES = (("p50", 50.0), ("p95", 95.0), ("p99", 99.0), ("p99.9", 99.9))


@register_spec()
@dataclasses.dataclass(frozen=True)
class RequestLatencySpec(TaskSpec):
    """From ``client_node``, send ``target_rate`` requests/s to ``target`` for the duration.

    ``protocol`` "tcp": ``target`` is HOST:PORT and a request is one TCP connect.
    ``protocol`` "http": ``target`` is an http:// URL and a request is one GET
    (a 4xx/5xx answer counts as an error).
    """

    client_node: str
    target: str
    protocol: str = "tcp"
    target_rate: float = 100.0
    timeout_ms: int = 5000
    max_in_flight: int = 32

    def validate(self) -> None:
        if self.protocol not in ("tcp", "http"):
            raise SpecError("protocol", f"must be \"tcp\" or \"http\", got {self.protocol!r}")
        if self.protocol == "tcp":
            host, _, port = self.target.rpartition(":")
            if not host or not port.isdigit():
                raise SpecError("target", f"must be HOST:PORT for protocol tcp, got {self.target!r}")
        elif not self.target.startswith("http://") or not urllib.parse.urlsplit(self.target).hostname:
            raise SpecError("target", f"must be an http:// URL for protocol http, got {self.target!r}")
        if not 0 < self.target_rate <= 1_000_000:
            raise SpecError("targetRate", f"must be in (0, 1000000] requests per second, got {self.target_rate}")
        if self.timeout_ms <= 0:
            raise SpecError("timeoutMs", f"must be > 0, got {self.timeout_ms}")
        if not 1 <= self.max_in_flight <= 1024:
            raise SpecError("maxInFlight", f"must be in 1..1024, got {self.max_in_flight}")

    def target_nodes(self, node_names: list[str]) -> list[str]:
        return [self.client_node]

    def new_worker(self, worker_id: int) -> RequestLatencyWorker:
        return RequestLatencyWorker(worker_id, self)


class _Second:
    __slots__ = ("errors", "histogram")

    def __init__(self) -> None:
        self.histogram = Histogram()
        self.errors = 0


class RequestLatencyWorker(ThreadedWorker):
    """Sender threads take due times from a shared counter; a reporter publishes status."""

    spec: RequestLatencySpec

    def start(self, platform: Platform, status: WorkerStatus, done: DoneFuture) -> None:
        self._status = status
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._next = 0
        self._errors = 0
        self._error_samples: list[str] = []
        self._histogram = Histogram()
        self._seconds: dict[int, _Second] = {}
        self._t0 = time.monotonic()
        threads = [threading.Thread(target=self._send_loop, daemon=True, name=f"latency-{self.worker_id}-{i}")
                   for i in range(self.spec.max_in_flight)]
        threads.append(threading.Thread(target=self._report_loop, daemon=True, name=f"latency-{self.worker_id}"))
        self.run_threads(threads)

    def stopped(self) -> None:
        self._status.update(self.snapshot())

    # --- sending ---------------------------------------------------------------------
    def _send_loop(self) -> None:
        request = _HttpRequester(self.spec) if self.spec.protocol == "http" else _TcpRequester(self.spec)
        interval = 1.0 / self.spec.target_rate
        while not self.stopping.is_set():
            with self._lock:
                due = self._t0 + self._next * interval
                self._next += 1
            wait = due - time.monotonic()
            if wait > 0 and self.stopping.wait(wait):
                break
            error = request()
            self._record(due, time.monotonic(), error)
        request.close()

    def _record(self, due: float, end: float, error: str | None) -> None:
        second = int(due - self._t0)
        with self._lock:
            row = self._seconds.get(second)
            if row is None:
                row = self._seconds[second] = _Second()
            if error is not None:
                self._errors += 1
                row.errors += 1
                if len(self._error_samples) < 5 and error not in self._error_samples:
                    self._error_samples.append(error)
                return
        micros = int((end - due) * 1_000_000)
        self._histogram.record(micros)
        row.histogram.record(micros)

    # --- reporting ---------------------------------------------------------------------
    def _report_loop(self) -> None:
        while not self.stopping.wait(1.0):
            self._status.update(self.snapshot())

    def snapshot(self) -> dict[str, Any]:
        """The status JSON: totals, percentiles in ms and one row per second."""
        elapsed = max(1e-9, time.monotonic() - self._t0)
        with self._lock:
            errors, samples = self._errors, list(self._error_samples)
            seconds = sorted(self._seconds.items())
        h = self._histogram
        count = h.count + errors
        rows = [{"second": s, "count": row.histogram.count + row.errors, "errors": row.errors,
                 "p50Ms": _ms(row.histogram.percentile(50)), "p99Ms": _ms(row.histogram.percentile(99)),
                 "maxMs": _ms(row.histogram.max)} for s, row in seconds]
        latency = {"min": _ms(h.min or 0), "mean": round(h.mean() / 1000, 3)}
        latency.update({name: _ms(h.percentile(p)) for name, p in PERCENTILES})
        latency["max"] = _ms(h.max)
        return {"protocol": self.spec.protocol, "target": self.spec.target, "targetRate": self.spec.target_rate,
                "count": count, "errors": errors, "errorSamples": samples, "elapsedSec": round(elapsed, 3),
                "throughput": round(count / elapsed, 2), "latencyMs": latency, "perSecond": rows}


def _ms(micros: int) -> float:
    return round(micros / 1000, 3)


class _TcpRequester:
    """One request = one TCP connect (and close)."""

    def __init__(self, spec: RequestLatencySpec):
        host, _, port = spec.target.rpartition(":")
        self.address = (host.strip("[]"), int(port))
        self.timeout = spec.timeout_ms / 1000.0

    def __call__(self) -> str | None:
        try:
            socket.create_connection(self.address, timeout=self.timeout).close()
        except OSError as e:
            return f"connect: {e.strerror or type(e).__name__}"
        return None

    def close(self) -> None:
        pass


class _HttpRequester:
    """One request = one GET on a kept-alive connection (reopened after an error)."""

    def __init__(self, spec: RequestLatencySpec):
        url = urllib.parse.urlsplit(spec.target)
        self.host, self.port = url.hostname, url.port or 80
        self.path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        self.timeout = spec.timeout_ms / 1000.0
        self.conn: http.client.HTTPConnection | None = None

    def __call__(self) -> str | None:
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.conn.request("GET", self.path)
            response = self.conn.getresponse()
            response.read()
            if response.will_close:
                self.close()
            return f"HTTP {response.status}" if response.status >= 400 else None
        except (OSError, http.client.HTTPException) as e:
            self.close()
            return f"http: {type(e).__name__}: {e}"

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
