"""The ``ducktape`` command line (click): flags, argparse-style abbreviations, config-file layering.

Layers, later wins: ./.ducktape/config, then the user config file (``--config-file``, default
~/.ducktape/config), then the command line. A layer contributes only the options it *gives*, so the
command line can set an option back to its default (upstream compared values against defaults).
"""
from __future__ import annotations

import os
from typing import Any

import click
from click.core import ParameterSource

from ducktape.defaults import ConsoleDefaults
from ducktape.errors import UsageError
from ducktape.session_config import SessionConfig

# Options taking a variable number of values, argparse style: name -> minimum count.
VARIADIC = {"--exclude": 0, "--ssh-checker-function": 1}
COLLECT_LOGS_CHOICES = ("always", "on-failure", "never")

_FLAGS = [
    ("--collect-only", "display collected tests, but do not run."),
    ("--collect-num-nodes", "display total number of nodes requested by all tests, but do not run anything."),
    ("--debug", "pipe more verbose test output to stdout."),
    ("--compress", "compress remote logs before collection (the originals are removed)."),
    ("--nested-result-dirs", "one results directory per injected parameter: <cls>/<method>/k1=v1/k2=v2/<index>/."),
    ("--exit-first", "exit after first failure."),
    ("--no-teardown", "don't stop services or clean nodes after a test (for debugging one test)."),
    ("--version", "display version."),
    ("--skip-nodes-allocation", "accepted for compatibility; no effect."),
    ("--fail-bad-cluster-utilization", "fail a test that used fewer nodes than its @cluster asked for."),
    ("--fail-greedy-tests", "fail tests that have no (or an empty) @cluster annotation."),
    ("--ignore-node-type", "ignore node_type in @cluster requests; any node of the right OS will do."),
    ("--enable-jvm-logs", "collect JVM logs (GC, stdout/stderr, heap dumps) from every service."),
    ("--mux", "test processes reach SSH nodes through one connection per node held for the whole session (default)."),
    ("--no-mux", "each test process logs in to its nodes itself (overrides --mux and the cluster file)."),
]

_VALUES: list[tuple[str, Any, str]] = [  # name, type, help; the default is SessionConfig's
    ("--config-file", str, "path to the user configuration file."),
    ("--cluster", str, "cluster class (package.module.Class) to allocate nodes from."),
    ("--default-num-nodes", int, "nodes a test without @cluster reserves (default: the whole cluster)."),
    ("--cluster-file", str, "JSON file describing the cluster's nodes (read by JsonCluster/VagrantCluster)."),
    ("--localhost-nodes", int, "size of the embedded LocalhostCluster (default: what --max-parallel needs)."),
    ("--results-root", str, "directory holding one subdirectory per session."),
    ("--parameters", str, "inject these arguments (a JSON object) into the selected test(s)."),
    ("--globals", str, "user globals: a JSON object, or the path of a file holding one."),
    ("--max-parallel", click.IntRange(min=1), "upper bound on the number of tests run at the same time."),
    ("--repeat", int, "run every selected test this many times."),
    ("--subsets", int, "split the sorted tests into this many subsets ..."),
    ("--subset", int, "... and run this one (0-based)."),
    ("--historical-report", str, "report.json (path or http(s) URL) of an earlier run: balance subsets by run time."),
    ("--sample", int, "run a random sample of this many tests."),
    ("--test-runner-timeout", click.IntRange(min=1), "ms the driver waits for any sign of life from running tests."),
    ("--deflake", int, "run a failing test up to this many times in total; a later pass is FLAKY."),
    ("--quarantine", str, "YAML list of {test, reason, until} entries: matching tests run but never fail the session."),
    ("--quarantine-release-after", click.IntRange(min=1),
     "a quarantined test that passed this many runs in a row is reported as ready to release."),
    ("--test-timeout", click.FloatRange(min=0, min_open=True), "per-test time limit in seconds (a test's @timeout mark wins)."),
    ("--collect-logs", click.Choice(COLLECT_LOGS_CHOICES),
     ("which service logs to copy: always, on-failure (only from failed tests), never "
      "(default: all on failure, otherwise those collected by default or marked).")),
    ("--collect-format", click.Choice(("text", "json")),
     "--collect-only output: text (upstream's) or json (one object per line per test)."),
]


def create_ducktape_parser() -> click.Command:
    """The ``ducktape`` click command; parse with ``parse_args`` (config files, abbreviations)."""
    params: list[click.Parameter] = [
        click.Argument(["test_path"], nargs=-1, metavar="[TEST_PATH]..."),
        click.Option(["--exclude"], multiple=True, metavar="SYMBOL...",
                     help="test symbols to leave out (takes every following argument; put test paths first)."),
        click.Option(["--ssh-checker-function"], multiple=True, metavar="DOTTED...",
                     help="functions f(exception, account) called on SSH errors."),
    ]
    params += [click.Option([name], is_flag=True, default=SessionConfig.default(_dest(name)), help=text)
               for name, text in _FLAGS]
    # short options only: a long --verbose would make --ver, an abbreviation of --version, ambiguous
    params += [click.Option(["verbose", "-v"], count=True, default=SessionConfig.default("verbose"),
                            help="more console output: test processes' INFO lines, a line per finished test; "
                                 "-vv adds DEBUG."),
               click.Option(["quiet", "-q"], count=True, default=SessionConfig.default("quiet"),
                            help="less console output: warnings and failures only; -qq errors only.")]
    for name, kind, text in _VALUES:
        default = SessionConfig.default(_dest(name))
        params.append(click.Option([name], type=kind, default=default, help=text, show_default=default is not None))
    return click.Command("ducktape", params=params, add_help_option=True,
                         context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
                         help="Discover and run your tests. TEST_PATH: PATH[::Class[.method[@{json}]]], "
                              "a directory, a glob, or a .yml suite file (default: the current directory).")


def _long_names(command: click.Command) -> list[str]:
    return [opt for p in command.params for opt in getattr(p, "opts", []) if opt.startswith("--")] + ["--help"]


def expand_abbreviations(argv: list[str], long_names: list[str]) -> list[str]:
    """Replace unambiguous prefixes of long options by the full name (argparse's allow_abbrev)."""
    out: list[str] = []
    for i, token in enumerate(argv):
        if token == "--":
            return out + argv[i:]
        if token.startswith("--"):
            name, eq, value = token.partition("=")
            if name not in long_names:
                matches = [n for n in long_names if n.startswith(name)]
                if len(matches) > 1:
                    raise UsageError(f"ambiguous option: {name} could match {', '.join(matches)}",
                                     hint="type more of the option name")
                if matches:
                    token = matches[0] + eq + value
        out.append(token)
    return out


def spread_variadic(argv: list[str]) -> tuple[list[str], set[str]]:
    """``--exclude a b`` -> ``--exclude a --exclude b`` (values run to the next option, like argparse).

    Returns the new argv and the options given with no values at all.
    """
    out: list[str] = []
    empty: set[str] = set()
    i = 0
    while i < len(argv):
        token = argv[i]
        i += 1
        if token == "--":
            out += argv[i - 1:]
            break
        if token not in VARIADIC:
            out.append(token)
            continue
        values = []
        while i < len(argv) and not (argv[i].startswith("-") and len(argv[i]) > 1):
            values.append(argv[i])
            i += 1
        if len(values) < VARIADIC[token]:
            raise UsageError(f"option {token} expects at least one argument", hint=f"{token} package.module.function")
        if not values:
            empty.add(token)
        for value in values:
            out += [token, value]
    return out, empty


def _dest(option: str) -> str:
    return option.lstrip("-").replace("-", "_")


def parse_layer(command: click.Command, argv: list[str], where: str = "") -> dict[str, Any]:
    """The options *argv* gives explicitly (dest -> value); defaults are not included."""
    argv, empty = spread_variadic(expand_abbreviations(argv, _long_names(command)))
    try:
        ctx = command.make_context("ducktape", list(argv), resilient_parsing=False)
    except click.UsageError as err:
        if where:
            raise UsageError(f"{where}: {err.format_message()}") from err
        raise
    given: dict[str, Any] = {}
    for name, value in ctx.params.items():
        if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE:
            given[name] = list(value) if isinstance(value, tuple) else value
    if "test_path" in given and not given["test_path"]:
        del given["test_path"]
    for option in empty:
        given[_dest(option)] = []
    return given


def defaults(command: click.Command) -> dict[str, Any]:
    """Every dest with its built-in default (upstream's values: lists/None, not click's tuples)."""
    values: dict[str, Any] = {}
    for param in command.params:
        if param.name == "test_path":
            values[param.name] = [os.getcwd()]
        elif getattr(param, "multiple", False):
            values[param.name] = None
        else:
            values[param.name] = param.default
    return values


def config_file_to_args_list(config_file: str) -> list[str]:
    """A config file's lines as arguments: blank lines and ``#`` comments skipped, each line split on
    whitespace (no shell quoting, as upstream: ``--parameters {"x":1}`` keeps its quotes)."""
    with open(config_file) as fp:
        lines = [line for line in fp if line.strip() and not line.lstrip().startswith("#")]
    return [piece for line in lines for piece in line.split()]


def parse_args(args: list[str]) -> dict[str, Any]:
    """The merged options of ./.ducktape/config, the user config file and *args* (later wins)."""
    return parse_args_with_sources(args)[0]


COMMAND_LINE = "command line"


def parse_args_with_sources(args: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """``parse_args`` plus where each given option came from: ``config file <path>`` when a
    config file gave it and the command line did not (errors in its value then name the
    file), else ``COMMAND_LINE``."""
    command = create_ducktape_parser()
    command_line = parse_layer(command, args)
    for arg in command_line.get("test_path", []):
        if not arg.strip():
            raise UsageError(f"empty test path {arg!r}", hint="give test paths as PATH[::Class[.method]], a directory, "
                                                              "a glob or a .yml suite file; none runs the current directory")
    merged = defaults(command)
    sources: dict[str, str] = {}
    user_file = os.path.expanduser(command_line.get("config_file", ConsoleDefaults.USER_CONFIG_FILE))
    if "config_file" in command_line and not os.path.isfile(user_file):
        raise UsageError(f"--config-file {command_line['config_file']!r}: no such file",
                         hint="give an existing file of ducktape options, or leave --config-file out")
    for path in (ConsoleDefaults.PROJECT_CONFIG_FILE, user_file):
        if os.path.isfile(path):
            where = f"config file {path}"
            layer = parse_layer(command, config_file_to_args_list(path), where=where)
            merged.update(layer)
            sources.update(dict.fromkeys(layer, where))
    merged.update(command_line)
    sources.update(dict.fromkeys(command_line, COMMAND_LINE))
    return merged, sources
