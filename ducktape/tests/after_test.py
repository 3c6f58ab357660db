"""The after-test hooks a session registers: fault healing and the end of leftover processes.

The runner package (tests/runner/) knows nothing of faults or tagged processes; it calls the
hooks of ``AfterTestHooks`` (tests/runner/hooks.py). ``standard_hooks()`` is the list every
session uses; ``run_session`` hands it to ``TestRunner``.
"""
from __future__ import annotations

import logging
from typing import Any

from ducktape.cluster import process_tag
from ducktape.tests.leftovers import LOCAL, end_tagged, node_key
from ducktape.tests.runner.hooks import AfterTestHooks, EndedTest
from ducktape.trogdor.faults import heal_left
from ducktape.trogdor.faults import journal as fault_journal
from ducktape.utils import proc


def standard_hooks(session_logger: logging.Logger) -> AfterTestHooks:
    """Faults healed first in every teardown and listed in the result; faults a dead test
    process left healed from the nodes' ledgers; processes a test left running ended."""
    return AfterTestHooks(
        before_teardown=[("heal faults", fault_journal.heal_active)],
        decorate_result=[_record_faults],
        after_lost=[lambda ended: heal_faults_left(ended, session_logger)],
        after_exit=[end_leftovers],
    )


def _record_faults(result: Any) -> None:
    result.faults, result.series = fault_journal.records(), fault_journal.series()


def heal_faults_left(ended: EndedTest, logger: logging.Logger) -> list[dict]:
    """A test process that died cannot heal its faults: undo them from the nodes' ledgers.
    Returns them as fault records for the test's result."""
    left = heal_left(ended.nodes)
    for record in left:
        problems = record.get("heal_problems")
        record["detail"]["healed_by"] = "the runner, after the test process died"
        logger.log(logging.ERROR if problems else logging.WARNING,
                   f"{ended.test_id}: fault {record['task_id']} left on {', '.join(record['nodes'])} "
                   "by the dead test process " + ("NOT healed: " + "; ".join(problems) if problems else "healed"))
    return left


def end_leftovers(ended: EndedTest) -> tuple[list[str], list[str]]:
    """End the processes carrying the test's tag on its reachable nodes: (ended, failed) lines."""
    search = list(ended.reachable) if ended.search else []
    if search and ended.dirty:
        return end_tagged(search, process_tag.tag_pattern(ended.tag))
    if any(node_key(node) == LOCAL for node in search):  # the embedded cluster: even a clean
        # test's double-forked daemons left its process group; a /proc scan here finds them
        lines = proc.end_with_environ_entry(f"{process_tag.TAG_VARIABLE}={ended.tag}")
        return [f"{LOCAL}: {line}" for line in lines], []
    return [], []
