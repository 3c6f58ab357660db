"""Which pending test to start next, given the nodes free right now.

Tests wait in one order, largest node request first (stable, so ties keep test_id
order). ``peek`` offers the first test whose cluster spec fits the free nodes, so small
tests fill the gaps a large one leaves. Tests asking for the same spec wait in one queue:
a decision looks at each distinct spec once, never at every pending test, and never at
every node (the cluster's ``available_pool`` answers from its counts). Starting processes
and allocating nodes is the runner's job; this module only decides.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any


class _Queue:
    """Pending tests with one spec, in session order: (position, context) pairs."""

    def __init__(self, spec: Any) -> None:
        self.spec = spec
        self.waiting: deque[tuple[int, Any]] = deque()


class TestScheduler:
    """Pending tests, offered largest-first as the free nodes allow."""

    __test__ = False  # not a pytest test class

    def __init__(self, test_contexts: Sequence[Any], cluster: Any) -> None:
        self.cluster = cluster
        self._queues: dict[str, _Queue] = {}
        self._keys: dict[int, str] = {}  # id(context) -> its queue (``--repeat`` lists a context again)
        ordered = sorted(test_contexts, key=lambda ctx: ctx.expected_num_nodes, reverse=True)
        for position, ctx in enumerate(ordered):
            spec = ctx.expected_cluster_spec
            key = self._keys.setdefault(id(ctx), str(spec))
            self._queues.setdefault(key, _Queue(spec)).waiting.append((position, ctx))
        self._count = len(ordered)

    def __len__(self) -> int:
        return self._count

    def __iter__(self):
        return iter(self._ordered())

    def _ordered(self) -> list:
        entries = sorted(entry for queue in self._queues.values() for entry in queue.waiting)
        return [ctx for _, ctx in entries]

    def shortage(self, test_context: Any) -> str:
        """Why *test_context* can never run on the whole cluster ("" when it can)."""
        return self.cluster.all().nodes.attempt_remove_spec(test_context.expected_cluster_spec)

    def filter_unschedulable_tests(self) -> list:
        """Remove and return the tests whose spec does not fit even the whole cluster."""
        whole = self.cluster.all().nodes
        removed = []
        for key, queue in list(self._queues.items()):
            if not whole.can_remove_spec(queue.spec):
                removed.extend(queue.waiting)
                del self._queues[key]
        self._count -= len(removed)
        return [ctx for _, ctx in sorted(removed)]

    def peek(self) -> Any | None:
        """The first pending test that fits the free nodes, or None."""
        if not self._count:
            return None
        free = self.cluster.available_pool()
        free_count = free.size()
        best: tuple[int, Any] | None = None
        for queue in self._queues.values():
            head = queue.waiting[0]
            if best is not None and head[0] > best[0]:
                continue
            ctx = head[1]
            if ctx.expected_num_nodes <= free_count and free.can_remove_spec(queue.spec):
                best = head
        return None if best is None else best[1]

    def remove(self, test_context: Any) -> None:
        """Take *test_context* out of the pending tests (after the runner started it). Only one
        entry goes: ``--repeat`` lists the very same context several times."""
        key = self._keys.get(id(test_context))
        queue = self._queues.get(key) if key is not None else None
        if queue is None:
            return
        for at, (_, ctx) in enumerate(queue.waiting):  # the head, when it was peeked
            if ctx is test_context:
                del queue.waiting[at]
                self._count -= 1
                break
        if not queue.waiting:
            del self._queues[key]

    def drain_remaining_tests(self) -> list:
        """Remove and return every pending test."""
        remaining = self._ordered()
        self._queues, self._count = {}, 0
        return remaining
