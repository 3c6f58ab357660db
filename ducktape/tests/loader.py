"""Find tests: test symbols (``path[::Class[.method[@json]]]``), directories, globs and YAML suites.

Produces the sorted, de-duplicated list of TestContexts to run. Reading suite files lives in
suite_files.py, subset selection in subsets.py; running is the runner's job.
"""
from __future__ import annotations

import glob
import importlib
import inspect
import json
import os
import re
import sys
import traceback
from collections.abc import Iterable
from logging import Logger
from typing import Any

from ducktape.errors import DucktapeError, UsageError
from ducktape.mark._mark import parametrized
from ducktape.mark.mark_expander import MarkedFunctionExpander
from ducktape.tests import subsets as subsets_mod
from ducktape.tests.suite_files import is_suite_file, read_suites
from ducktape.tests.test import Test
from ducktape.tests.test_context import TestContext
from ducktape.utils.json_input import parse_json_input

DEFAULT_TEST_FILE_PATTERN = r"(^test_.*\.py$)|(^.*_test\.py$)"
DEFAULT_TEST_FUNCTION_PATTERN = "(^test.*)|(.*test$)"
SYMBOL_HINT = "PATH[::Class[.method[@{json}]]], a directory, a glob, or a .yml suite file"
_GLOB_CHARS = re.compile(r"[*?\[]")


class LoaderException(UsageError):
    """Tests could not be loaded as asked (bad path, symbol, suite or module)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message, hint)


class TestLoader:
    """Discover and expand tests for one session."""

    __test__ = False

    def __init__(self, session_context, logger: Logger, repeat: int = 1, injected_args: dict | None = None,
                 cluster: Any = None, subset: int = 0, subsets: int = 1, historical_report: str | None = None):
        if repeat < 1:
            raise LoaderException(f"--repeat must be at least 1, got {repeat}")
        subsets_mod.check_subset(subset, subsets)
        self.session_context = session_context
        self.logger = logger
        self.repeat = repeat
        self.cluster = cluster
        self.subset = subset
        self.subsets = subsets
        self.historical_report = historical_report
        self.injected_args = injected_args
        self.test_file_pattern = DEFAULT_TEST_FILE_PATTERN
        self.test_function_pattern = DEFAULT_TEST_FUNCTION_PATTERN
        self._file_re = re.compile(self.test_file_pattern)
        self._function_re = re.compile(self.test_function_pattern)
        self._expanded: dict[str, list[TestContext]] = {}
        self._sys_path_added: set[str] = set()

    # -- the pipeline ---------------------------------------------------------------------------

    def load(self, symbols: list[str], excluded_test_symbols: list[str] | None = None) -> list[TestContext]:
        """union(suites, symbols) - excluded, one per test_id, sorted by test_id, subset, repeated."""
        suite_files = [s for s in symbols if is_suite_file(s)]
        included: dict[int, TestContext] = {}
        for suite in read_suites(suite_files):
            found = self._load_suite(suite)
            if not found:
                raise LoaderException(f"no tests found in test suite {suite.name!r} ({suite.file})",
                                      hint="check its included/excluded paths (relative to the suite file)")
            included.update((id(c), c) for c in found)
        plain = [s for s in symbols if not is_suite_file(s)]
        included.update((id(c), c) for c in self._load_symbols(plain))
        excluded_ids = {c.test_id for c in self._load_symbols(excluded_test_symbols or [], missing_ok=True)}
        by_id = self._unique_by_test_id((c.test_id, c) for c in included.values())
        tests = [by_id[test_id] for test_id in sorted(by_id) if test_id not in excluded_ids]
        if not tests:
            raise LoaderException("No tests to run!", hint=f"give test paths as {SYMBOL_HINT}")
        self.logger.debug("Discovered these tests: %s", " ".join(sorted(by_id)))
        history = subsets_mod.read_history(self.historical_report) if self.historical_report else None
        selected = subsets_mod.select_subset(tests, self.subset, self.subsets, history)
        self.logger.debug("Selected this subset of tests: %s", " ".join(t.test_id for t in selected))
        return selected * self.repeat

    def _load_suite(self, suite) -> list[TestContext]:
        """The suite's included tests minus its excluded ones; errors name the suite file."""
        try:
            excluded_ids = {c.test_id for c in self._load_symbols(suite.excluded, suite.base_dir, missing_ok=True)}
            included = self._load_symbols(suite.included, suite.base_dir)
        except LoaderException as err:
            raise LoaderException(f"{err.message} (in test suite {suite.name!r} of {suite.file})",
                                  hint="paths in a suite file are relative to the suite file") from err
        return [c for c in included if c.test_id not in excluded_ids]

    def _unique_by_test_id(self, pairs: Iterable[tuple[str, TestContext]]) -> dict[str, TestContext]:
        """One context per test_id; warn when two *different* parametrizations share an id (upstream
        silently kept an arbitrary one; we keep the first found and say so)."""
        by_id: dict[str, TestContext] = {}
        for test_id, ctx in pairs:
            kept = by_id.setdefault(test_id, ctx)
            if kept is not ctx and _identity(kept) != _identity(ctx):
                self.logger.warning(
                    "Tests %s (injected_args=%s) and %s (injected_args=%s) have the same test_id %s after "
                    "escaping; only the first is run. Give them distinguishable parameters.",
                    kept.function_name, kept.injected_args, ctx.function_name, ctx.injected_args, test_id)
        return by_id

    def _load_symbols(self, symbols: Iterable[str], base_dir: str | None = None,
                      missing_ok: bool = False) -> list[TestContext]:
        """Tests named by *symbols*. A path that matches nothing is an error, or only a warning with
        *missing_ok* (exclusions: leaving out something absent is harmless)."""
        found: list[TestContext] = []
        for symbol in symbols:
            found.extend(self._load_symbol(symbol, base_dir, missing_ok))
        return found

    def _load_symbol(self, symbol: str, base_dir: str | None, missing_ok: bool) -> list[TestContext]:
        path, cls_name, method_name, injected_args = self._parse_discovery_symbol(symbol, base_dir)
        try:
            test_files = self._find_test_files(path, symbol)
        except LoaderException as err:
            if not missing_ok:
                raise
            self.logger.warning("Ignoring exclusion: %s", err.message)
            return []
        self._add_top_level_dirs_to_sys_path(test_files)
        found: list[TestContext] = []
        empty = []
        for test_file in test_files:
            contexts = self._select(test_file, cls_name, method_name, injected_args)
            if not contexts:
                empty.append(test_file)
            found.extend(contexts)
        if not found and not missing_ok:  # the error says what the files hold; no warnings before it
            raise self._nothing_found(symbol, path, test_files, cls_name, method_name, injected_args)
        for test_file in empty:
            self.logger.warning("Didn't find any tests in %s", test_file)
        return found

    def _nothing_found(self, symbol: str, path: str, test_files: list[str], cls_name: str, method_name: str,
                       injected_args: Any) -> LoaderException:
        """Why *symbol* names no test, and what the place it names does hold."""
        if not test_files:
            kind = "directory" if os.path.isdir(path) else "path"
            return LoaderException(f"no test files in {kind} {symbol!r}",
                                   hint="test files are named test_*.py or *_test.py, in packages (with __init__.py)")
        everything = [c for f in test_files for c in self._expand_file(f)]
        classes = sorted({c.cls_name for c in everything})
        if not everything:
            return LoaderException(f"no tests in {symbol!r}: no Test subclass with test methods",
                                   hint="a test is a method named test* or *test of a subclass of "
                                        "ducktape.tests.test.Test")
        if cls_name and cls_name not in classes:
            return LoaderException(f"no test class {cls_name!r} in {path!r}",
                                   hint=f"test classes there: {', '.join(classes)}")
        in_class = [c for c in everything if not cls_name or c.cls_name == cls_name]
        methods = sorted({c.function_name for c in in_class})
        owner = f"class {cls_name!r}" if cls_name else repr(path)
        if method_name and method_name not in methods:
            return LoaderException(f"no test method {method_name!r} in {owner}",
                                   hint=f"test methods of {owner}: {', '.join(methods)}")
        known = sorted({json.dumps(c.injected_args, default=repr) for c in in_class if c.function_name == method_name})
        return LoaderException(f"no parametrization of {cls_name}.{method_name} matches {json.dumps(injected_args)}",
                               hint=f"its parameters: {' '.join(known)}")

    # -- symbols and files ----------------------------------------------------------------------

    def _parse_discovery_symbol(self, discovery_symbol: str, base_dir: str | None = None):
        """``path[::Class[.method[@json]]]`` -> (path, cls_name, method_name, injected_args or None)."""
        given = discovery_symbol
        if base_dir:
            discovery_symbol = os.path.join(base_dir, discovery_symbol)
        if "::" not in discovery_symbol:
            return discovery_symbol, "", "", None
        path, _, rest = discovery_symbol.partition("::")
        cls_name, _, method_part = rest.partition(".")
        method_name, _, args_text = method_part.partition("@")
        if not args_text:
            return path, cls_name, method_name, None
        if self.injected_args:
            raise LoaderException(f"Cannot use both global and per-method test parameters: {given!r}",
                                  hint="drop --parameters or the @{...} part of the test symbol")
        injected_args = parse_json_input(
            args_text, (dict, list), error=LoaderException, given=given,
            invalid=("invalid JSON after '@' in test symbol {given!r}: {error}",
                     'path.py::Class.method@{"x": 1} (an object, or a list of objects)'),
            wrong_kind=("parameters after '@' in test symbol {given!r} must be a JSON object or list",
                        'path.py::Class.method@{"x": 1}'))
        return path, cls_name, method_name, injected_args

    def _find_test_files(self, path_or_glob: str, given: str) -> list[str]:
        """Absolute test files for a file, directory or glob; naming something that does not exist is an error."""
        path = os.path.abspath(path_or_glob)
        if os.path.isfile(path):
            return [path]
        if os.path.isdir(path):
            return self._walk(path)
        matches = sorted(glob.glob(path)) if _GLOB_CHARS.search(path) else []
        if not matches:
            raise LoaderException(f"test path does not exist: {given!r}" + ("" if path == given else f" ({path})"),
                                  hint=f"give test paths as {SYMBOL_HINT}")
        files: list[str] = []
        for match in matches:
            if os.path.isdir(match):
                files.extend(self._walk(match))
            elif self._is_test_file(match):
                files.append(os.path.abspath(match))
        return files

    def _walk(self, directory: str) -> list[str]:
        """Test files under *directory*, taken only from directories that have an __init__.py."""
        files = []
        for pwd, dirs, names in os.walk(directory):
            # A walk never enters hidden dirs, caches or virtualenvs: their test files are
            # other projects' (and a broken import is an error here, unlike upstream).
            dirs[:] = sorted(d for d in dirs if not _skip_dir(os.path.join(pwd, d)))
            if "__init__.py" in names:
                files.extend(os.path.abspath(os.path.join(pwd, n)) for n in sorted(names) if self._is_test_file(n))
        return files

    def _is_test_file(self, file_name: str) -> bool:
        return self._file_re.match(os.path.basename(file_name)) is not None

    def _add_top_level_dirs_to_sys_path(self, test_files: list[str]) -> None:
        """Append the nearest ancestor without __init__.py of each file to sys.path (once)."""
        for path in test_files:
            directory = os.path.dirname(path)
            while os.path.exists(os.path.join(directory, "__init__.py")):
                directory = os.path.dirname(directory)
            if directory not in self._sys_path_added:
                self._sys_path_added.add(directory)
                if directory not in sys.path:
                    sys.path.append(directory)

    # -- modules, classes, functions ----------------------------------------------------------

    def discover(self, directory: str, module_name: str, cls_name: str, method_name: str,
                 injected_args: Any = None) -> list[TestContext]:
        """The tests of one file, filtered by class, method and injected args."""
        contexts = self._select(os.path.join(directory, module_name), cls_name, method_name, injected_args)
        if not contexts:
            self.logger.warning("No tests loaded for %s - %s - %s - %s - %s",
                                directory, module_name, cls_name, method_name, injected_args)
        return contexts

    def _select(self, path: str, cls_name: str, method_name: str, injected_args: Any) -> list[TestContext]:
        """The tests of file *path* that match the class, method and injected args given."""
        if not os.path.exists(path):
            raise LoaderException(f"test path does not exist: {path}")
        contexts = self._expand_file(path)
        if cls_name:
            contexts = [t for t in contexts if t.cls_name == cls_name]
        if method_name:
            contexts = [t for t in contexts if t.function_name == method_name]
        if injected_args is not None:
            wanted = injected_args if isinstance(injected_args, list) else [injected_args]
            contexts = [t for t in contexts if t.injected_args in wanted]
        return contexts

    def _expand_file(self, path: str) -> list[TestContext]:
        if path not in self._expanded:
            module = self._import_module(path)
            self._expanded[path] = self._expand_module(module, path)
        return self._expanded[path]

    def _import_module(self, file_path: str):
        """Import *file_path* under the longest dotted name that works (see the contract's naming rule)."""
        pieces = [p for p in file_path[:-3].split("/") if p] if file_path.endswith(".py") else []
        if not pieces or not os.path.isabs(file_path):
            raise LoaderException(f"not a python test file: {file_path!r}", hint="test files end in .py")
        failure: BaseException | None = None
        while pieces:
            module_name = ".".join(pieces)
            try:
                return importlib.import_module(module_name)
            except SystemExit as err:  # a module that exits at import must not end the session (exit 0)
                raise LoaderException(f"test file {_shown(file_path)} called sys.exit({err.code!r}) while being "
                                      "imported", hint="a test module must not exit; move that code into a test") from None
            except Exception as err:  # noqa: BLE001 - any import failure is reported below
                if _is_naming_artifact(err, pieces):
                    self.logger.debug("Failed to import %s (module naming artifact): %s", module_name, err)
                else:
                    self.logger.debug("Failed to import %s: %r", module_name, err)
                    failure = failure or err
            pieces = pieces[1:]
        raise _import_failure(file_path, failure)

    def _expand_module(self, module, file_path: str) -> list[TestContext]:
        contexts: list[TestContext] = []
        for cls in [obj for obj in list(vars(module).values()) if self._is_test_class(obj)]:
            seed = TestContext(session_context=self.session_context, cluster=self.cluster,
                               module=module.__name__, cls=cls, file=file_path)
            contexts.extend(self._expand_class(seed))
        return contexts

    def _expand_class(self, t_ctx: TestContext) -> list[TestContext]:
        contexts: list[TestContext] = []
        for name in dir(t_ctx.cls):
            f = getattr(t_ctx.cls, name, None)
            if self._is_test_function(f):
                expander = MarkedFunctionExpander(t_ctx.session_context, t_ctx.module, t_ctx.cls, f,
                                                  t_ctx.file, t_ctx.cluster)
                try:
                    contexts.extend(expander.expand(self.injected_args))
                except (AssertionError, DucktapeError) as err:
                    raise LoaderException(
                        f"cannot apply the marks of {t_ctx.cls.__name__}.{name} in {_shown(t_ctx.file)}: {err}",
                        hint="@cluster and @ignore(...) go above the @parametrize/@matrix marks they apply to",
                    ) from err
        return contexts

    def _is_test_class(self, obj: Any) -> bool:
        """A leaf subclass of Test (no subclasses imported so far)."""
        return inspect.isclass(obj) and issubclass(obj, Test) and not obj.__subclasses__()

    def _is_test_function(self, function: Any) -> bool:
        if function is None or not (parametrized(function) or callable(function)):
            return False
        name = getattr(function, "__name__", None)
        return isinstance(name, str) and self._function_re.match(name) is not None


def _identity(ctx: TestContext) -> tuple:
    return ctx.file, ctx.cls_name, ctx.function_name, repr(ctx.injected_args)


def _is_naming_artifact(err: Exception, pieces: list[str]) -> bool:
    """True when *err* only says a package prefix of the tried module name does not exist."""
    if not isinstance(err, ImportError) or isinstance(err, SyntaxError):
        return False
    missing = getattr(err, "name", None)
    if not missing:
        match = re.search(r"No module named '?([^\s']+)'?", str(err))
        missing = match.group(1) if match else None
    if not missing:
        return False
    if missing in ".".join(pieces):
        return True
    missing_pieces = missing.split(".")
    return missing_pieces == pieces[-len(missing_pieces):]


def _shown(file_path: str) -> str:
    """*file_path* relative to the current directory when it lies below it."""
    relative = os.path.relpath(file_path)
    return file_path if relative.startswith("..") else relative


def _import_failure(file_path: str, err: BaseException | None) -> LoaderException:
    """One line naming the file, the line that failed and the error."""
    shown = _shown(file_path)
    if err is None:
        return LoaderException(f"cannot import test file {shown}: no module name for it could be imported",
                               hint="check that the file's package directories are importable")
    if isinstance(err, SyntaxError) and err.filename:
        where = f"{err.filename}:{err.lineno}"
        what = f"{type(err).__name__}: {err.msg}"
    else:
        ducktape_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        frames = [f for f in traceback.extract_tb(err.__traceback__)
                  if not f.filename.startswith(("<", ducktape_dir + os.sep))]  # the user's frames
        where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else file_path
        what = f"{type(err).__name__}: {err}"
    exc = LoaderException(f"cannot import test file {shown}: {what} (at {where})",
                          hint="fix the module or leave it out of the test paths; --debug shows the traceback")
    exc.__cause__ = err
    return exc


def _skip_dir(path: str) -> bool:
    """True for directories a directory walk should not enter."""
    name = os.path.basename(path)
    return (name.startswith(".") or name in ("__pycache__", "node_modules", "site-packages")
            or os.path.exists(os.path.join(path, "pyvenv.cfg")))
