"""``ducktape``: parse flags, open the session, load the tests, then collect or hand over to the runner.

Every error about what the user gave ends here as one ``ducktape: <message>`` line (plus ``hint:``)
on stderr and exit status 2; a traceback is shown only with ``--debug``.
"""
from __future__ import annotations

import dataclasses
import os
import random
import shlex
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from ducktape.errors import USAGE_EXIT, UsageError
from ducktape.session_config import SessionConfig
from ducktape.utils.json_input import parse_json_input
from ducktape.utils.plural import counted


def main(argv: list[str] | None = None) -> int:
    """Run the ``ducktape`` command with *argv* (default: sys.argv[1:]); return the exit status."""
    import click

    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        return _main(argv)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as err:
        _report(err.format_message(), "run 'ducktape --help' for the accepted options", argv, err)
        return USAGE_EXIT
    except UsageError as err:
        _report(err.message, err.hint, argv, err)
        return getattr(err, "exit_status", USAGE_EXIT)  # an EC2 refusal that is not bad input says 1
    except KeyboardInterrupt:
        print("ducktape: interrupted", file=sys.stderr)
        return 1
    finally:
        _settle_stdout()


def _settle_stdout() -> None:
    """Flush stdout; when it is closed (``ducktape ... | head``), point it at /dev/null so the
    interpreter's own flush at exit prints no traceback."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass


def _report(message: str, hint: str | None, argv: list[str], err: BaseException) -> None:
    if any(len(arg) > 4 and "--debug".startswith(arg) for arg in argv):  # --debug or a prefix such as --deb
        traceback.print_exception(type(err), err, err.__traceback__, file=sys.stderr)
    print(f"ducktape: {message}", file=sys.stderr)
    if hint:
        print(f"hint: {hint}", file=sys.stderr)


def _main(argv: list[str]) -> int:
    from ducktape.command_line.parse_args import (
        COMMAND_LINE,
        create_ducktape_parser,
        parse_args_with_sources,
    )

    if not argv:
        import click

        command = create_ducktape_parser()
        with click.Context(command, info_name="ducktape") as ctx:
            print(command.get_help(ctx))
        return 0
    args, sources = parse_args_with_sources(argv)
    if args["version"]:
        from ducktape import OWN_VERSION, UPSTREAM_VERSION
        from ducktape.utils.util import ducktape_version

        print(f"{ducktape_version()} (this ducktape {OWN_VERSION}, compatible with upstream ducktape {UPSTREAM_VERSION})")
        return 0
    args["command_line"] = shlex.join(["ducktape", *argv])
    args["cluster_given"] = "cluster" in sources
    sources = {name: where for name, where in sources.items() if where != COMMAND_LINE}
    with named_source(sources.get("parameters")):
        injected_args = parse_parameters(args["parameters"])
    with named_source(sources.get("globals")):
        args["globals"] = get_user_defined_globals(args["globals"])
    config = SessionConfig.from_options(args)  # the one settings object; nothing below sees *args*
    quarantine = _read_quarantine(config.quarantine, sources.get("quarantine"))
    session_context, session_logger = open_session(config)
    _log_configuration(session_logger, config)
    from ducktape.tests.loggermaker import close_logger

    try:
        return _load_and_run(config, injected_args, session_context, session_logger, quarantine)
    except BaseException:
        if not (config.collect_only or config.collect_num_nodes):  # those made no directory
            from ducktape.tests.session import discard_unused_session_dir

            close_logger(session_logger)
            discard_unused_session_dir(session_context.results_dir)
        raise
    finally:
        close_logger(session_logger)


def _read_quarantine(path: str | None, where: str | None) -> list:
    """``--quarantine``: its entries, read before the session starts, so a bad file costs nothing."""
    if path is None:
        return []
    from ducktape.tests.quarantine import read_quarantine

    with named_source(where):
        return read_quarantine(path)


def _load_and_run(config: SessionConfig, injected_args: dict | None, session_context, session_logger,
                  quarantine: list | None = None) -> int:
    from ducktape.tests.loader import TestLoader

    loader = TestLoader(session_context, session_logger, repeat=config.repeat, injected_args=injected_args,
                        subset=config.subset, subsets=config.subsets, historical_report=config.historical_report)
    tests = loader.load(list(config.test_path), excluded_test_symbols=_listed(config.exclude))
    session_logger.info("Discovered %s to run", counted(len(tests), "test"))
    if config.collect_only:
        from ducktape.command_line.collect import print_collected

        print_collected(tests, config.collect_format)
        return 0
    if config.collect_num_nodes:
        print(sum(test.expected_num_nodes for test in tests))
        return 0
    tests = sample_tests(tests, config.sample)
    from ducktape.tests.session_run import run_session

    return run_session(config, session_context, session_logger, tests, quarantine=quarantine)


def _listed(values: tuple[str, ...] | None) -> list[str] | None:
    return None if values is None else list(values)


@contextmanager
def named_source(where: str | None) -> Iterator[None]:
    """A UsageError about a value a config file gave names the file (``where``)."""
    try:
        yield
    except UsageError as err:
        if where is None:
            raise
        raise UsageError(f"{where}: {err.message}", err.hint) from err


def parse_parameters(text: str | None) -> dict | None:
    """``--parameters``: a JSON object of keyword arguments, or None."""
    if text is None:
        return None
    return parse_json_input(text, (dict,),
                            invalid=("--parameters is not valid JSON: {error}: {text!r}", '--parameters \'{"x": 1, "y": "a"}\''),
                            wrong_kind=("--parameters must be a JSON object, got {kind}: {text!r}", '--parameters \'{"x": 1}\''))


def get_user_defined_globals(globals_str: str | None):
    """``--globals``: a JSON object inline or in a file, as an immutable dict (empty when absent)."""
    from ducktape.utils.persistence import make_dict

    if globals_str is None:
        return make_dict()
    source = f"--globals {globals_str!r}"
    if os.path.isfile(globals_str):
        source = f"globals file {globals_str}"
        try:
            with open(globals_str) as fp:
                text = fp.read()
        except OSError as err:
            raise UsageError(f"cannot read {source}: {err}") from None
    else:
        text = globals_str
    value = parse_json_input(text, (dict,), source=source,
                             invalid=("{source} is neither valid JSON nor a path to a JSON file: {error}",
                                      '--globals \'{"key": "value"}\' or --globals path/to/globals.json'),
                             wrong_kind=("{source} must hold a JSON object, not {kind}", '--globals \'{"key": "value"}\''))
    return make_dict(**value)


def open_session(config: SessionConfig):
    """Allocate the session id and directory, build the SessionContext and the session logger.

    ``--collect-only`` and ``--collect-num-nodes`` run nothing: they take no session id,
    create no directory and log to the console only."""
    from ducktape.defaults import ConsoleDefaults
    from ducktape.tests.session import (
        SessionContext,
        SessionLoggerMaker,
        allocate_session,
    )

    if config.collect_only or config.collect_num_nodes:
        return _listing_session(config)
    try:
        session_id, results_dir = allocate_session(ConsoleDefaults.SESSION_ID_FILE, config.results_root)
    except OSError as err:
        raise UsageError(f"cannot create the session directory under --results-root {config.results_root!r}: "
                         f"{err}") from None
    session_context = SessionContext.from_config(config, session_id=session_id, results_dir=results_dir)
    return session_context, SessionLoggerMaker(session_context).logger


def _listing_session(config: SessionConfig):
    """The session of a run that only lists tests: no id, no directory, console logging
    (stderr under ``--collect-format json``, so stdout stays pure JSON)."""
    import logging

    from ducktape.defaults import ConsoleDefaults
    from ducktape.tests.session import SessionContext

    session_context = SessionContext.from_config(config, session_id="collect-only",
                                                 results_dir=os.path.join(config.results_root, "collect-only"))
    session_logger = logging.getLogger(f"ducktape.collect-only.{os.getpid()}.session_logger")
    session_logger.setLevel(logging.DEBUG)
    session_logger.propagate = False
    json_out = config.collect_only and config.collect_format == "json"
    handler = logging.StreamHandler(sys.stderr if json_out else sys.stdout)
    handler.setLevel(logging.DEBUG if config.debug else logging.INFO)
    handler.setFormatter(logging.Formatter(ConsoleDefaults.SESSION_LOG_FORMATTER))
    session_logger.addHandler(handler)
    return session_context, session_logger


def _log_configuration(session_logger, config: SessionConfig) -> None:
    """The session's settings, one debug line per SessionConfig field, in its order."""
    for field in dataclasses.fields(config):
        session_logger.debug("Configuration: %s=%s", field.name, getattr(config, field.name))


def sample_tests(tests: list, sample: int | None) -> list:
    """``--sample N``: N tests at random (all of them when N is not smaller than the list)."""
    if sample is None:
        return tests
    if sample < 0:
        raise UsageError(f"--sample must not be negative, got {sample}")
    if sample >= len(tests):
        print(f"sample size {sample} greater than number of tests {len(tests)}; running all tests")
        return tests
    print(f"Running a sample of {counted(sample, 'test')}")
    return random.sample(tests, sample)
