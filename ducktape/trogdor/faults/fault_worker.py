"""The one Trogdor worker of every fault spec: applies it on its node in a thread, heals it
through the node's ledger on ``stop`` and, after an agent crash, in ``recover``.
Standard library only."""
from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

from ducktape.trogdor.faults.ledger import Ledger
from ducktape.trogdor.faults.shell import FaultError
from ducktape.trogdor.spec import TaskSpec
from ducktape.trogdor.worker import TaskWorker


def ledger_id(worker_id: int, spec: TaskSpec) -> str:
    """The ledger name of a worker: the same when the agent recovers it after a crash."""
    digest = hashlib.sha1(json.dumps(spec.to_json(), sort_keys=True).encode()).hexdigest()[:10]
    return f"trogdor-{worker_id}-{digest}"



class FaultWorker(TaskWorker):
    """Applies a fault spec on its node in a thread; heals it on stop and on recover."""

    def __init__(self, worker_id: int, spec: TaskSpec):
        super().__init__(worker_id, spec)
        self.ledger_id = ledger_id(worker_id, spec)
        self.thread: threading.Thread | None = None
        self.status: Any = None

    def start(self, platform: Any, status: Any, done: Any) -> None:
        self.status = status
        status.update({"state": "applying", "ledger": self.ledger_id})

        def apply() -> None:
            try:
                ledger = Ledger(platform.run, self.ledger_id, type(self.spec).__name__)
                result = self.spec.apply_on(ledger, platform)
                status.update({"state": "applied", "ledger": self.ledger_id, "result": result})
            except Exception as e:  # noqa: BLE001 - the task ends with the error; stop heals
                status.update({"state": "failed", "ledger": self.ledger_id, "error": str(e)})
                done.complete(f"{type(e).__name__}: {e}")

        self.thread = threading.Thread(target=apply, name=f"fault-{self.ledger_id}", daemon=True)
        self.thread.start()

    def stop(self, platform: Any) -> None:
        if self.thread is not None:
            self.thread.join()
        problems = Ledger(platform.run, self.ledger_id).heal()
        if self.status is not None:
            self.status.update({"state": "healed" if not problems else "not healed", "ledger": self.ledger_id,
                                **({"problems": problems} if problems else {})})
        if problems:
            raise FaultError("; ".join(problems))

    @classmethod
    def recover(cls, platform: Any, worker_id: int, spec: Any) -> None:
        problems = Ledger(platform.run, ledger_id(worker_id, spec)).heal()
        if problems:
            raise FaultError("; ".join(problems))
