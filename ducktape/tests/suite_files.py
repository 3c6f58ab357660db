"""Read YAML test-suite files (``.yml`` / ``.yaml``): suites, their included/excluded symbols, imports.

Only reading and validating lives here; turning symbols into tests is the loader's job.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from ducktape.errors import UsageError

SUITE_HINT = ("a suite file maps suite names to a list of test paths, or to {included: [...], excluded: [...]}; "
              "an optional top-level 'import:' names other suite files")


@dataclass(frozen=True)
class Suite:
    """One named suite: symbols relative to *base_dir* (the suite file's directory)."""

    name: str
    file: str
    included: tuple[str, ...]
    excluded: tuple[str, ...]
    base_dir: str


def is_suite_file(symbol: str) -> bool:
    """A command-line argument naming a YAML suite rather than a test path."""
    return symbol.endswith((".yml", ".yaml"))


def read_suites(root_files: list[str]) -> list[Suite]:
    """Every suite in *root_files* and the files they import, each file read once: a file
    that imports itself, or files importing each other in a cycle, give the union of
    their suites, as upstream."""
    contents: dict[str, dict] = {}
    for root in root_files:
        _read_tree(os.path.abspath(root), contents, given=root)
    suites: list[Suite] = []
    for path, content in contents.items():
        suites.extend(_suites_of(path, content))
    return suites


def _read_tree(path: str, contents: dict[str, dict], given: str) -> None:
    if path in contents:
        return
    content = _load_file(path, given)
    contents[path] = content
    imports = content.pop("import", None) or []
    if isinstance(imports, str):
        imports = [imports]
    if not isinstance(imports, list) or not all(isinstance(i, str) for i in imports):
        raise UsageError(f"malformed 'import:' in test suite file {given}: {imports!r}",
                         hint="import: other.yml, or a list of suite file paths relative to this file")
    directory = os.path.dirname(path)
    for name in imports:
        target = os.path.abspath(os.path.join(directory, name))
        if not os.path.isfile(target):
            raise UsageError(f"test suite file {given} imports {name!r}, which does not exist ({target})",
                             hint="import paths are relative to the importing suite file")
        _read_tree(target, contents, given=name)


def _load_file(path: str, given: str) -> dict:
    import yaml

    if not os.path.exists(path):
        raise UsageError(f"test suite file does not exist: {given!r}", hint="give a path relative to the current directory")
    if not os.path.isfile(path):
        raise UsageError(f"test suite path is not a file: {given!r}")
    try:
        with open(path) as fp:
            content = yaml.safe_load(fp)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise UsageError(f"test suite file {given} is not valid YAML{where}: {getattr(err, 'problem', err)}",
                         hint=SUITE_HINT) from err
    if not content:
        raise UsageError(f"test suite file is empty: {given}", hint=SUITE_HINT)
    if not isinstance(content, dict):
        raise UsageError(f"malformed test suite file {given}: expected a mapping of suite names, "
                         f"got {type(content).__name__}", hint=SUITE_HINT)
    return content


def _symbols(value, what: str, suite: str, path: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"malformed {what} list in test suite {suite!r} in {path}: {value!r}", hint=SUITE_HINT)
    return tuple(value)


def _suites_of(path: str, content: dict) -> list[Suite]:
    suites = []
    for name, body in content.items():
        if not body:
            raise UsageError(f"empty test suite {name!r} in {path}", hint=SUITE_HINT)
        if isinstance(body, list):
            included, excluded = _symbols(body, "test", name, path), ()
        elif isinstance(body, dict):
            unknown = set(body) - {"included", "excluded"}
            if unknown:
                raise UsageError(f"unknown key(s) {sorted(unknown)} in test suite {name!r} in {path}", hint=SUITE_HINT)
            included = _symbols(body.get("included"), "included", name, path)
            excluded = _symbols(body.get("excluded"), "excluded", name, path)
        else:
            raise UsageError(f"malformed test suite {name!r} in {path}: {body!r}", hint=SUITE_HINT)
        suites.append(Suite(str(name), path, included, excluded, os.path.dirname(path)))
    return suites
