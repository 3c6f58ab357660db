"""The settings of one ``ducktape`` run, frozen: every option and its command-line default, once.

``command_line`` builds a ``SessionConfig`` from the flags and the config files, then
passes it (or the few values a layer needs) down; no layer below reads a dict of flags
or repeats a default. ``SessionContext`` (the object tests see) is built from it.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ducktape.defaults import TEST_RUNNER_TIMEOUT_MS, ConsoleDefaults


@dataclass(frozen=True)
class SessionConfig:
    """One field per ``ducktape`` option (named as its flag, dashes as underscores), holding the
    command-line default; lists given on the command line are kept as tuples."""

    test_path: tuple[str, ...] = ()  # empty: the current directory (parse_args fills it in)
    exclude: tuple[str, ...] | None = None
    ssh_checker_function: tuple[str, ...] | None = None
    # flags
    collect_only: bool = False
    collect_num_nodes: bool = False
    debug: bool = False
    compress: bool = False
    nested_result_dirs: bool = False
    exit_first: bool = False
    no_teardown: bool = False
    version: bool = False
    skip_nodes_allocation: bool = False
    fail_bad_cluster_utilization: bool = False
    fail_greedy_tests: bool = False
    ignore_node_type: bool = False
    enable_jvm_logs: bool = False
    mux: bool = False
    no_mux: bool = False
    verbose: int = 0
    quiet: int = 0
    # options with a value
    config_file: str = ConsoleDefaults.USER_CONFIG_FILE
    cluster: str = ConsoleDefaults.CLUSTER_TYPE
    default_num_nodes: int | None = None
    cluster_file: str | None = None
    localhost_nodes: int | None = None
    results_root: str = ConsoleDefaults.RESULTS_ROOT_DIRECTORY
    parameters: str | None = None  # the JSON text as given; main parses it for the loader
    globals: Any = None  # the text as given, then (built by main) an immutable dict
    max_parallel: int = 1
    repeat: int = 1
    subsets: int = 1
    subset: int = 0
    historical_report: str | None = None
    sample: int | None = None
    test_runner_timeout: int = TEST_RUNNER_TIMEOUT_MS
    deflake: int = 1
    test_timeout: float | None = None
    quarantine: str | None = None  # the path of the quarantine file; main reads it before anything runs
    quarantine_release_after: int = 5
    collect_logs: str | None = None
    collect_format: str = "text"
    # not a flag: how the session was started, for the reports
    command_line: str | None = None
    # not a flag: whether --cluster was given (command line or config file); without it the
    # cluster class is chosen from what is here (cluster/factory.implicit_cluster)
    cluster_given: bool = False

    @classmethod
    def default(cls, name: str) -> Any:
        """The command-line default of option *name* (the parser's defaults come from here)."""
        return cls.__dataclass_fields__[name].default

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> SessionConfig:
        """The config of parsed *options* (dest -> value); an unknown name is a TypeError, so
        the parser and this class cannot drift apart."""
        return cls(**{name: tuple(value) if isinstance(value, list) else value for name, value in options.items()})

    def replace(self, **changes: Any) -> SessionConfig:
        """A copy with *changes* applied (the config itself never changes)."""
        return dataclasses.replace(self, **changes)

    def session_context_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``SessionContext(session_id=..., results_dir=..., **kwargs)``."""
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
