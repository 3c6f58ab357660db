"""NodeGroup: one command (or one function) on many nodes at once, one outcome per node.

A fault injector that cuts three links, a workload started on every agent, a cleanup
on every machine: each wants every node tried, all at the same time, and every
node's failure reported, not only the first raised. ``NodeGroup(nodes).run(cmd)``
runs *cmd* on each node in its own thread and returns a ``GroupResult``: one
``NodeOutcome`` per member, in member order, holding the CommandResult or the error.
``call(fn)`` does the same for any function of a member, and ``each(fn)`` tries the
members one after the other where steps must not overlap; both gather outcomes the
same way, so every caller (services, the service registry, faults, EC2's SSH wait)
reports failures alike.
Members are cluster nodes (anything with an ``account``) or accounts themselves, so
a group works the same over SSH nodes and local runners. The threads are daemons: a
node that never answers cannot keep the interpreter alive; bound commands with
*timeout_sec*.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ducktape.cluster.command import CommandResult
from ducktape.errors import DucktapeError
from ducktape.utils.plural import counted


def account_of(member: Any) -> Any:
    """The account of a node, or *member* itself when it is an account."""
    return getattr(member, "account", member)


@dataclass(frozen=True)
class NodeOutcome:
    """What happened on one member: *value* (a CommandResult for ``run``) or *error*."""

    member: Any
    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        """True when the call returned and, for a command, exited 0."""
        if self.error is not None:
            return False
        return self.value.ok if isinstance(self.value, CommandResult) else True

    @property
    def name(self) -> str:
        return str(account_of(self.member))


class NodeGroupError(DucktapeError):
    """Some members of a group failed; every failure is listed, one line each."""

    def __init__(self, failed: list[NodeOutcome]):
        self.failed = failed
        lines = [f"{o.name}: {_describe(o)}" for o in failed]
        super().__init__(f"{counted(len(failed), 'node')} failed:\n" + "\n".join(lines))


def _describe(outcome: NodeOutcome) -> str:
    if outcome.error is not None:
        return f"{type(outcome.error).__name__}: {outcome.error}"
    return f"exit status {outcome.value.exit_status}"


class GroupResult(Sequence):
    """One NodeOutcome per member, in member order."""

    def __init__(self, outcomes: list[NodeOutcome]):
        self._outcomes = outcomes

    def __getitem__(self, index: Any) -> Any:
        return self._outcomes[index]

    def __len__(self) -> int:
        return len(self._outcomes)

    def __iter__(self) -> Iterator[NodeOutcome]:
        return iter(self._outcomes)

    def __repr__(self) -> str:
        return f"<GroupResult {len(self.succeeded)} ok, {len(self.failed)} failed>"

    @property
    def succeeded(self) -> list[NodeOutcome]:
        return [o for o in self._outcomes if o.ok]

    @property
    def failed(self) -> list[NodeOutcome]:
        return [o for o in self._outcomes if not o.ok]

    @property
    def ok(self) -> bool:
        return not self.failed

    def raise_if_failed(self) -> GroupResult:
        """Raise one NodeGroupError naming every failed member; return self when none failed."""
        if self.failed:
            raise NodeGroupError(self.failed)
        return self


class NodeGroup:
    """Members (nodes or accounts) that commands are run on together."""

    def __init__(self, members: Iterable[Any]):
        self.members = list(members)

    def __len__(self) -> int:
        return len(self.members)

    def call(self, fn: Callable[[Any], Any], name: str = "call",
             watch: Callable[[], None] | None = None, watch_every: float = 0.2) -> GroupResult:
        """``fn(member)`` for every member at once; its return value or its exception, per member.

        With *watch*, the calling thread calls it every *watch_every* seconds while members are
        still running (progress reports); either way it only waits, so Ctrl-C reaches it."""
        slots: list[NodeOutcome | None] = [None] * len(self.members)

        def one(index: int, member: Any) -> None:
            try:
                slots[index] = NodeOutcome(member, value=fn(member))
            except BaseException as err:  # noqa: BLE001 - kept for this member, never raised from a thread
                slots[index] = NodeOutcome(member, error=err)

        threads = [threading.Thread(target=one, args=(i, m), daemon=True,
                                    name=f"ducktape-group-{name}-{account_of(m)}")
                   for i, m in enumerate(self.members)]
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(watch_every if watch is not None else None)
                if watch is not None:
                    watch()
        return GroupResult([slot for slot in slots if slot is not None])

    def each(self, fn: Callable[[Any], Any], catch: type[BaseException] = Exception) -> GroupResult:
        """``fn(member)`` for one member after the other, in member order, for steps that must
        not overlap (a service's own stop_node, services stopped in dependency order). Every
        member is tried; an error of type *catch* is that member's outcome, any other goes up."""
        outcomes = []
        for member in self.members:
            try:
                outcomes.append(NodeOutcome(member, value=fn(member)))
            except catch as err:
                outcomes.append(NodeOutcome(member, error=err))
        return GroupResult(outcomes)

    def run(self, cmd: str, allow_fail: bool = True, combine_stderr: bool = False,
            timeout_sec: float | None = None) -> GroupResult:
        """``account.run(cmd)`` on every member at once. With *allow_fail* (the default) a
        non-zero exit is an outcome that is not ok; without it, a RemoteCommandError."""
        return self.call(lambda member: account_of(member).run(
            cmd, allow_fail=allow_fail, combine_stderr=combine_stderr, timeout_sec=timeout_sec), name="run")
