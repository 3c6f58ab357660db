"""A register workload: client threads read, write and compare-and-set a few keys in etcd,
recording every operation in a history the linearizability checker judges afterwards.

Each client talks to one member. Writes put values no one else writes (``process * 10**6 + n``);
a CAS expects the last value its client saw for the key. An operation that may or may not have
happened (a timeout, a dropped connection) is recorded as ``info``, and the client then goes
on as a new process, as Jepsen's clients do: its old operation may still take effect later.
"""
from __future__ import annotations

import os
import random
import threading
from collections.abc import Sequence

from ducktape.checkers import HistoryRecorder

from .etcd_kv import EtcdKv, NotSent, Unknown


class RegisterClient:
    """One client: a member's URL, its own process numbers (*first_process*, then *stride*
    more after each unknown outcome), its own history files. ``thread`` runs random
    operations on *keys*; a test may also call ``read``/``write``/``cas`` itself."""

    def __init__(self, history_dir: str, first_process: int, stride: int, url: str, keys: Sequence[str] = (),
                 seed: int = 0, serializable: bool = False, timeout: float = 1.0, think_s: tuple = (0.01, 0.04)):
        self.history_dir, self.process, self.stride = history_dir, first_process, stride
        self.url, self.keys, self.serializable, self.think_s = url, list(keys), serializable, think_s
        self.kv = EtcdKv(url, timeout=timeout)
        self.rng = random.Random(seed)
        self.seen: dict[str, object] = {}
        self.count = 0
        self.processes = [first_process]  # every process number this client has been
        self.recorder = self._new_recorder()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, name=f"etcd-client-{first_process}", daemon=True)

    def _new_recorder(self) -> HistoryRecorder:
        return HistoryRecorder(os.path.join(self.history_dir, f"{self.process}.jsonl"), self.process)

    def _crashed(self) -> None:
        """After an indeterminate op, continue as a new process (the old op may still land)."""
        self.recorder.close()
        self.process += self.stride
        self.processes.append(self.process)
        self.recorder = self._new_recorder()

    def read(self, key: str):
        """Read *key* (serializably if this client does); its value, or None when the read failed."""
        self.recorder.invoke("read", key)
        try:
            value = self.kv.get(key, serializable=self.serializable)
        except (NotSent, Unknown):
            self.recorder.fail()  # a read changes nothing: a failed one simply did not happen
            return None
        self.seen[key] = value
        self.recorder.ok(value)
        return value

    def write(self, key: str, value) -> bool:
        """Write *value*; True when etcd acknowledged it."""
        self.recorder.invoke("write", key, value)
        return self._finish(lambda: self.kv.put(key, value), key, value)

    def cas(self, key: str, expected, new) -> bool:
        """Set *key* from *expected* to *new*; True when etcd acknowledged the swap."""
        self.recorder.invoke("cas", key, [expected, new])
        return self._finish(lambda: self.kv.cas(key, expected, new), key, new)

    def _finish(self, call, key: str, new) -> bool:
        try:
            applied = call()
        except NotSent:
            self.recorder.fail()
            return False
        except Unknown:
            self.recorder.info()
            self._crashed()
            return False
        if applied is False:  # a CAS whose comparison failed: definitely not applied
            self.recorder.fail()
            return False
        self.seen[key] = new
        self.recorder.ok()
        return True

    def one_op(self) -> None:
        """A read half the time, else a write of a value no one else writes, or a CAS from the
        last value this client saw."""
        key = self.rng.choice(self.keys)
        choice = self.rng.random()
        if choice < 0.5:
            self.read(key)
            return
        self.count += 1
        new = self.process * 10**6 + self.count
        if choice < 0.75 or self.seen.get(key) is None:
            self.write(key, new)
        else:
            self.cas(key, self.seen[key], new)

    def close(self) -> None:
        self.kv.close()
        self.recorder.close()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.one_op()
            self.stopping.wait(self.rng.uniform(*self.think_s))


class RegisterWorkload:
    """``clients`` threads spread over *urls* (client i talks to ``urls[i % len(urls)]``)."""

    def __init__(self, history_dir: str, urls: Sequence[str], clients: int, keys: Sequence[str], seed: int,
                 serializable: bool = False, timeout: float = 1.0, first_process: int = 0):
        self.urls = list(urls)
        self.clients = [RegisterClient(history_dir, first_process + i, clients, self.urls[i % len(self.urls)], keys,
                                       seed * 1000 + i, serializable, timeout) for i in range(clients)]

    def processes_of(self, url: str) -> list[int]:
        """The process numbers of the clients that talk to *url*."""
        return [p for c in self.clients if c.url == url for p in c.processes]

    def __enter__(self) -> RegisterWorkload:  # noqa: PYI034
        for client in self.clients:
            client.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        for client in self.clients:
            client.stopping.set()
        for client in self.clients:
            client.thread.join(timeout=30)
            client.close()


def first_write_after(history: Sequence[dict], since: float, processes: Sequence[int] | None = None) -> float | None:
    """Seconds from *since* (monotonic) to the first acknowledged write or CAS invoked at or
    after it (by *processes*, default any); None when there is none."""
    invoked: dict[int, dict] = {}
    for event in history:
        if event["type"] == "invoke":
            invoked[event["process"]] = event
            continue
        start = invoked.pop(event["process"], None)
        if (event["type"] == "ok" and event["f"] in ("write", "cas") and start is not None
                and start["time"] >= since and (processes is None or event["process"] in processes)):
            return round(event["time"] - since, 3)
    return None
