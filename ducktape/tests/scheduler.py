"""Which pending test to start next, given the nodes free right now.

Tests wait in one list, largest node request first (stable, so ties keep test_id
order). ``peek`` offers the first test whose cluster spec fits the free nodes, so small
tests fill the gaps a large one leaves. Starting processes and allocating nodes is the
runner's job; this module only decides.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class TestScheduler:
    """Pending tests, offered largest-first as the free nodes allow."""

    __test__ = False  # not a pytest test class

    def __init__(self, test_contexts: Sequence[Any], cluster: Any) -> None:
        self.cluster = cluster
        self._pending = sorted(test_contexts, key=lambda ctx: ctx.expected_num_nodes, reverse=True)

    def __len__(self) -> int:
        return len(self._pending)

    def __iter__(self):
        return iter(list(self._pending))

    def shortage(self, test_context: Any) -> str:
        """Why *test_context* can never run on the whole cluster ("" when it can)."""
        return self.cluster.all().nodes.attempt_remove_spec(test_context.expected_cluster_spec)

    def filter_unschedulable_tests(self) -> list:
        """Remove and return the tests whose spec does not fit even the whole cluster."""
        whole = self.cluster.all().nodes
        unschedulable = [ctx for ctx in self._pending if not whole.can_remove_spec(ctx.expected_cluster_spec)]
        self._pending = [ctx for ctx in self._pending if all(ctx is not u for u in unschedulable)]
        return unschedulable

    def peek(self) -> Any | None:
        """The first pending test that fits the free nodes, or None."""
        if not self._pending:
            return None
        free = self.cluster.available().nodes
        free_count = free.size()
        for ctx in self._pending:
            if ctx.expected_num_nodes <= free_count and free.can_remove_spec(ctx.expected_cluster_spec):
                return ctx
        return None

    def remove(self, test_context: Any) -> None:
        """Take *test_context* out of the pending list (after the runner started it). Only one
        entry goes: ``--repeat`` lists the very same context several times."""
        for position, ctx in enumerate(self._pending):
            if ctx is test_context:
                del self._pending[position]
                return

    def drain_remaining_tests(self) -> list:
        """Remove and return every pending test."""
        remaining, self._pending = self._pending, []
        return remaining
