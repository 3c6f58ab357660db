"""The after-test hook list: what else happens around a test's end, registered from outside.

The runner knows how to fork, watch and reap a test process; it does not know about faults
or about the processes a test may leave on its nodes. Those jobs register here, and the
session (``tests/session_run.py`` through ``tests/after_test.py``) hands the filled list to
``TestRunner``. Each hook runs inside a step that logs its failure and goes on, so one broken
hook never costs a result or a node.

The four points, in the order a test meets them:

``before_teardown``  (test process) ``(name, fn)`` steps run first in the teardown, before
                     ``tearDown``: services stop and logs copy over a healthy network.
``decorate_result``  (test process) ``fn(result)`` adds to the result before it is written.
``after_lost``       (driver) ``fn(ended) -> list[dict]``: the process died without a result;
                     what a dead process cannot do, done for it; returns fault records.
``after_exit``       (driver) ``fn(ended) -> (ended_lines, failed_lines)``: the process is
                     gone, its nodes are about to go back to the pool.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class EndedTest:
    """What a driver-side hook learns of a test whose process has exited."""

    test_id: str
    index: int
    nodes: list  # every node the test held
    reachable: tuple  # those still answering after the test: only these are worth a look
    tag: str  # the process tag every process of the test carries (cluster/process_tag.py)
    dirty: bool  # it may have left processes: a clean FINISHED clears it
    search: bool  # False under --no-teardown: leave what the test left for the user to see


@dataclass
class AfterTestHooks:
    """The hook list; empty by default (a bare ``TestRunner`` runs tests and nothing else)."""

    before_teardown: list[tuple[str, Callable[[], Any]]] = field(default_factory=list)
    decorate_result: list[Callable[[Any], None]] = field(default_factory=list)
    after_lost: list[Callable[[EndedTest], list[dict]]] = field(default_factory=list)
    after_exit: list[Callable[[EndedTest], tuple[list[str], list[str]]]] = field(default_factory=list)


def run_after_lost(hooks: AfterTestHooks, ended: EndedTest, logger: logging.Logger) -> list[dict]:
    """The ``after_lost`` hooks in order; the fault records they return."""
    records: list[dict] = []
    for hook in hooks.after_lost:
        try:
            records.extend(hook(ended))
        except Exception as err:  # noqa: BLE001 - one broken hook must not cost the result
            logger.error(f"{ended.test_id}: after-test hook {hook!r} failed: {err!r}")
    return records


def run_after_exit(hooks: AfterTestHooks, ended: EndedTest) -> tuple[list[str], list[str]]:
    """The ``after_exit`` hooks in order: (processes ended, where no one could look) lines."""
    found: list[str] = []
    failed: list[str] = []
    for hook in hooks.after_exit:
        try:
            more_found, more_failed = hook(ended)
        except Exception as err:  # noqa: BLE001 - the nodes go back to the pool whatever a hook does
            more_found, more_failed = [], [f"after-test hook {hook!r} failed: {err!r}"]
        found.extend(more_found)
        failed.extend(more_failed)
    return found, failed
