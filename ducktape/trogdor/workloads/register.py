"""Register: clients that read, write and compare-and-set registers over HTTP, recording
every operation as a history a linearizability checker can judge.

The HTTP protocol (documented in docs/trogdor.md) is the smallest a register service can
put in front of itself: ``GET /KEY`` answers ``{"value": V}`` (404 or ``null`` when never
written), ``PUT /KEY`` with ``{"value": V}`` writes, ``POST /KEY/cas`` with
``{"expected": E, "new": N}`` answers ``{"ok": true|false}``. A refused connection means
the operation certainly did not happen (``fail``); a timeout or a server error may hide
one that did (``info``).
"""
from __future__ import annotations

import dataclasses
import json
import random
import threading
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from ducktape.trogdor.spec import SpecError, TaskSpec, register_spec
from ducktape.trogdor.worker import DoneFuture, Platform, ThreadedWorker, WorkerStatus

OUTCOMES = ("ok", "fail", "info")


@register_spec()
@dataclasses.dataclass(frozen=True)
class RegisterWorkloadSpec(TaskSpec):
    """From ``client_node``, ``clients`` processes drive the registers ``keys`` at ``target``
    (an http:// URL); each stops after ``ops_per_client`` operations (0: at the task's end)."""

    client_node: str
    target: str
    keys: tuple[str, ...] = ("x",)
    clients: int = 2
    ops_per_client: int = 0
    timeout_ms: int = 2000
    seed: int = 0

    def validate(self) -> None:
        if not self.target.startswith("http://") or not urllib.parse.urlsplit(self.target).hostname:
            raise SpecError("target", f"must be an http:// URL, got {self.target!r}")
        if not self.keys or any(not key or "/" in key for key in self.keys):
            raise SpecError("keys", f"must be non-empty names without '/', got {list(self.keys)!r}")
        if not 1 <= self.clients <= 256:
            raise SpecError("clients", f"must be in 1..256, got {self.clients}")
        if self.ops_per_client < 0:
            raise SpecError("opsPerClient", f"must be >= 0 (0: until the task's duration is over), got {self.ops_per_client}")
        if self.timeout_ms <= 0:
            raise SpecError("timeoutMs", f"must be > 0, got {self.timeout_ms}")

    def target_nodes(self, node_names: list[str]) -> list[str]:
        return [self.client_node]

    def new_worker(self, worker_id: int) -> RegisterWorker:
        return RegisterWorker(worker_id, self)


class RegisterWorker(ThreadedWorker):
    """One thread per client process, each with its own recorder; the status counts outcomes."""

    spec: RegisterWorkloadSpec

    def start(self, platform: Platform, status: WorkerStatus, done: DoneFuture) -> None:
        self._status, self._done = status, done
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(OUTCOMES, 0)
        self._running = self.spec.clients
        recorders = [platform.history(self, n) for n in range(self.spec.clients)]
        threads = [threading.Thread(target=self._client, args=(n, rec), daemon=True,
                                   name=f"register-{self.worker_id}-{n}") for n, rec in enumerate(recorders)]
        self.run_threads(threads)

    def _client(self, n: int, rec: Any) -> None:
        rng = random.Random(f"{self.spec.seed}/{self.task_id}/{n}")
        known: dict[str, Any] = {}  # what this client last saw in each register: its CAS's expectation
        done = 0
        with rec:
            while not self.stopping.is_set() and (not self.spec.ops_per_client or done < self.spec.ops_per_client):
                key, f = rng.choice(self.spec.keys), rng.choice(("read", "read", "write", "cas"))
                value = None if f == "read" else rng.randrange(1, 1 << 31)
                if f == "cas":
                    value = [known.get(key), value]
                rec.invoke(f, key, value)
                outcome, result = self._call(f, key, value)
                if outcome == "ok" and f == "read":
                    known[key] = result
                    rec.ok(result)
                elif outcome == "ok":
                    known[key] = value[1] if f == "cas" else value
                    rec.ok()
                elif outcome == "fail":
                    rec.fail()
                else:
                    rec.info()
                done += 1
                with self._lock:
                    self._counts[outcome] += 1
                    self._status.update({"ops": sum(self._counts.values()), **self._counts})
        with self._lock:
            self._running -= 1
            if self._running == 0 and self.spec.ops_per_client:
                self._done.complete("")

    def _call(self, f: str, key: str, value: Any) -> tuple[str, Any]:
        """(outcome, value read) of one operation against the target."""
        url = f"{self.spec.target.rstrip('/')}/{urllib.parse.quote(key)}"
        if f == "read":
            method, body = "GET", None
        elif f == "write":
            method, body = "PUT", {"value": value}
        else:
            method, body, url = "POST", {"expected": value[0], "new": value[1]}, url + "/cas"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.spec.timeout_ms / 1000.0) as answer:
                reply = json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as err:
            if f == "read" and err.code == 404:
                return "ok", None
            return ("fail" if f == "read" or err.code < 500 else "info"), None
        except urllib.error.URLError as err:
            refused = isinstance(err.reason, ConnectionRefusedError)
            return ("fail" if refused or f == "read" else "info"), None
        except (OSError, ValueError):  # a timeout, a reset, an answer that is not JSON
            return ("fail" if f == "read" else "info"), None
        if f == "read":
            return ("ok", reply["value"]) if isinstance(reply, dict) and "value" in reply else ("fail", None)
        if f == "cas" and isinstance(reply, dict) and "ok" in reply:
            return ("ok" if reply["ok"] is True else "fail"), None
        return ("info" if f == "cas" else "ok"), None  # a CAS answered unreadably may have happened
