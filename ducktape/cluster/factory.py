"""Building the session's cluster from its settings (``--cluster``, ``--cluster-file``,
``--ssh-checker-function``, ``--localhost-nodes``), passed as values: this layer sees no flags."""
from __future__ import annotations

import importlib
import inspect
import logging
import os
from collections.abc import Sequence
from typing import Any

from ducktape.cluster.cluster import Cluster
from ducktape.cluster.cluster_file import settings_kwargs
from ducktape.cluster.localhost import UPSTREAM_NUM_NODES, LocalhostCluster
from ducktape.cluster.vagrant import created_machines
from ducktape.defaults import ConsoleDefaults
from ducktape.errors import UsageError

DEFAULT_CLUSTER = ConsoleDefaults.CLUSTER_TYPE
LOCALHOST_CLUSTER = "ducktape.cluster.localhost.LocalhostCluster"
logger = logging.getLogger("ducktape.cluster")


def load_dotted(path: Any, what: str, flag: str) -> Any:
    """Import ``package.module.Name`` and return ``Name``; UsageError naming *path* otherwise."""
    hint = f"{flag} takes a dotted path such as {DEFAULT_CLUSTER if what == 'class' else 'mypkg.checks.on_ssh_error'}"
    if not isinstance(path, str) or "." not in path.strip("."):
        raise UsageError(f"{flag}: not a dotted {what} path: {path!r}", hint)
    module_name, _, attr = path.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except Exception as err:
        raise UsageError(f"{flag} {path}: cannot import module {module_name!r}: {type(err).__name__}: {err}",
                         hint) from err
    try:
        target = getattr(module, attr)
    except AttributeError:
        raise UsageError(f"{flag} {path}: module {module_name!r} has no {what} {attr!r}", hint) from None
    if not callable(target):
        raise UsageError(f"{flag} {path}: {attr!r} is not a {what}", hint)
    return target


def implicit_cluster(cluster_file: str | None, size: int, notice: logging.Logger) -> str:
    """The class to use when no ``--cluster`` was given: upstream's VagrantCluster when there is
    a cluster file to read or Vagrant machines made from the Vagrantfile here, else the embedded
    LocalhostCluster (a Vagrantfile alone, such as this repository's own, is not a cluster)."""
    if cluster_file and os.path.exists(cluster_file):
        return DEFAULT_CLUSTER
    has_vagrantfile = os.path.exists("Vagrantfile")
    if has_vagrantfile and created_machines():
        return DEFAULT_CLUSTER  # VagrantCluster asks Vagrant which are running (and writes cluster_file)
    if cluster_file:
        raise UsageError(f"--cluster-file {cluster_file}: the file does not exist",
                         "check the path, or make a cluster and its file with 'ducktape-cluster up --nodes 3' "
                         "(writes .ducktape/cluster.json), or leave --cluster-file out to run on this machine")
    why = (f"No --cluster-file and no Vagrantfile in {os.getcwd()}" if not has_vagrantfile else
           f"A Vagrantfile is in {os.getcwd()}, but none of its machines is up ('vagrant up' makes them, "
           f"--cluster {DEFAULT_CLUSTER} insists on them)")
    notice.info("%s: running on LocalhostCluster, %d node%s (every node is this machine; --localhost-nodes N "
                "changes it).", why, size, "" if size == 1 else "s")
    return LOCALHOST_CLUSTER


def _checker_functions(paths: Any) -> list:
    if not paths:
        return []
    if isinstance(paths, str):
        paths = [paths]
    return [load_dotted(p, "function", "--ssh-checker-function") for p in paths]


def make_cluster(cluster: str | None = None, cluster_file: str | None = None,
                 ssh_checker_function: Sequence[str] | str | None = None, *, localhost_nodes: int | None = None,
                 notice_logger: logging.Logger | None = None) -> Cluster:
    """Instantiate the ``--cluster`` class as ``cls(cluster_file=..., [ssh_exception_checks=...])``,
    plus ``settings=`` (the cluster file's ``"settings"`` object) when its constructor names it.

    ``cluster=None`` (no ``--cluster`` given) picks the class with ``implicit_cluster``;
    its notice goes to *notice_logger* (the session log, so the user sees it) or this
    module's logger. A LocalhostCluster (or subclass) gets ``num_nodes=localhost_nodes``
    when set.
    """
    checks = _checker_functions(ssh_checker_function)
    path = cluster or implicit_cluster(cluster_file, localhost_nodes or UPSTREAM_NUM_NODES, notice_logger or logger)
    cls = load_dotted(path, "class", "--cluster")
    if not (inspect.isclass(cls) and issubclass(cls, Cluster)):
        raise UsageError(f"--cluster {path}: {path.rpartition('.')[2]!r} is not a cluster class "
                         "(a subclass of ducktape.cluster.cluster.Cluster)",
                         f"--cluster takes a dotted class path such as {DEFAULT_CLUSTER}")
    kwargs: dict[str, Any] = {"cluster_file": cluster_file, **settings_kwargs(cls, cluster_file)}
    if checks:
        kwargs["ssh_exception_checks"] = checks
    size = localhost_nodes
    if isinstance(cls, type) and issubclass(cls, LocalhostCluster) and size is not None:
        if size < 1:
            raise UsageError(f"--localhost-nodes must be at least 1, got {size}", "--localhost-nodes 4")
        kwargs["num_nodes"] = size
    return cls(**kwargs)
