"""The test process's first moments after the fork: every fork-safety rule in one place.

The driver forks (``multiprocessing`` "fork" context) so that a test process inherits the
loaded, expanded TestContext and every imported module for free. A fork copies memory but
only the calling thread, and shares every open file descriptor; each rule below undoes one
way that could hurt. ``run_test_process`` applies them in order, then runs ``RunnerClient``.

1. Own process group (``os.setpgrp``). The driver ends a test by SIGKILLing its group, which
   takes every local process the test started with it; and a terminal's Ctrl-C reaches the
   driver first, which decides whom to tell.
2. Process tag in the environment (cluster/process_tag.py). Every command the test runs,
   here or on a node, carries it, so what a test leaves behind can be found and ended.
3. Default SIGINT handler. The driver's handler (runner/signals.py) is inherited; until
   RunnerClient installs its own, a Ctrl-C here must simply raise KeyboardInterrupt.
4. Close the driver's ends of every pipe (this test's and the other tests'). Only the driver
   then holds them, so when the driver dies the test's next send fails at once and the test
   tears down instead of running on for nobody.
5. Keep the inherited nodes alive, untouched (``_INHERITED``). Their accounts may hold SSH
   connections the driver opened and still uses: closing them here (a finalizer would)
   writes on the driver's streams. They are referenced forever and never used.
6. Use a pickle round trip of the nodes instead. Accounts pickle without connections (the
   contract), so the test opens its own. An account class that refuses to pickle is used
   as inherited rather than failing the test.
7. Hand each account the TCP connection the driver dialled ahead for its host
   (cluster/spares.py) through the account's private ``_use_predialled``: private because
   only this hand-over may call it, and probed with ``hasattr`` because third-party account
   classes (``--cluster``) do not have it and simply dial themselves.
8. ``connect_together``: the first account to connect starts the others' handshakes too.
9. A thread excepthook that logs to the test log, not raw on the inherited stderr.
10. ``os._exit`` at the end: threads a test left behind must not delay the exit (it also
    skips the ``atexit`` handlers inherited from the driver).

Rules that live elsewhere, because they guard a module's own state, are listed here too:

- ``cluster/remoteaccount.py`` registers ``os.register_at_fork`` to replace a lock another
  thread may have held at fork time, and abandons (keeps, never uses) a connection whose
  owner pid is not the current process.
- ``runner/driver.py`` imports ``FiniteSubcluster`` and ``ServiceRegistry`` at module level,
  once, so no test process pays for (or races on) importing them after the fork.
"""
from __future__ import annotations

import logging
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from ducktape.tests.runner.hooks import AfterTestHooks
from ducktape.tests.runner.runner_client import RunnerClient

_INHERITED: list = []  # rule 5: the driver's nodes, never collected in a test process


def _disconnected_copy(nodes: list) -> list:
    """Rule 6: the nodes as a pickle round trip leaves them (accounts without connections)."""
    try:
        return pickle.loads(pickle.dumps(nodes))
    except Exception:  # noqa: BLE001 - fall back to the inherited objects rather than fail the test
        return nodes


def _thread_exception_logger(logger: logging.Logger) -> Callable[[Any], None]:
    """A ``threading.excepthook`` that logs a thread's uncaught exception to the test log (files and
    console, in the console's format) instead of printing it raw on stderr over the progress line."""
    def hook(args: Any) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        logger.error("thread %s ended with %s", name, args.exc_type.__name__,
                     exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
    return hook


def run_test_process(ctx: Any, index: int, nodes: list, session_context: Any, conn: Any, others: list,
                     deflake_num: int, timeout: float | None, heartbeat_interval: float, tag: str = "",
                     predialled: dict | None = None, hooks: AfterTestHooks | None = None) -> None:
    """Entry point of a forked test process: the rules above in order, then the test.
    *others* are the driver's ends of the pipes; *tag* marks every process the test starts;
    *predialled* maps hostnames to sockets the driver dialled ahead to their sshd."""
    from ducktape.cluster.finite_subcluster import FiniteSubcluster
    from ducktape.cluster.process_tag import TAG_VARIABLE
    from ducktape.cluster.remoteaccount import connect_together

    os.setpgrp()  # 1
    if tag:
        os.environ[TAG_VARIABLE] = tag  # 2
    signal.signal(signal.SIGINT, signal.default_int_handler)  # 3
    for other in others:  # 4
        other.close()
    _INHERITED.append(nodes)  # 5
    ctx.cluster = FiniteSubcluster(_disconnected_copy(nodes))  # 6
    for node in ctx.cluster.nodes:  # 7
        sock = (predialled or {}).get(node.account.hostname)
        if sock is not None and hasattr(node.account, "_use_predialled"):
            node.account._use_predialled(sock)
    connect_together([node.account for node in ctx.cluster.nodes])  # 8
    ctx.test_index = index
    threading.excepthook = _thread_exception_logger(ctx.logger)  # 9
    RunnerClient(ctx, index, session_context, conn, deflake_num, timeout, heartbeat_interval, hooks).run()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # 10
