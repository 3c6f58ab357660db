"""The layers, read from the import graph: imports only point down.

Every module under ``ducktape/`` is parsed with ``ast`` (function-local imports
included, since a lazy import is still a dependency) and each rule names the
modules that break it, so a failure says which import to move.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import ducktape

PACKAGE_DIR = Path(ducktape.__file__).parent

# The settings and errors every layer may use; they import nothing else from ducktape.
BOTTOM = ("ducktape.errors", "ducktape.defaults", "ducktape.session_config")
# Test-side modules of the trogdor package: they run in the driver, not on the node.
TROGDOR_TEST_SIDE = ("ducktape.trogdor.service", "ducktape.trogdor.faults.context", "ducktape.trogdor.faults.nemesis")
# Carried into the agent's zipapp beside ducktape.trogdor (pack.CARRIED): stdlib-only itself.
AGENT_CARRIED = ("ducktape.checkers.recorder",)
# Copied to nodes and run by another python3 there, never imported by the agent (checked in
# tests/test_faults_specs.py): the one module that may use a Debian package, fusepy.
NODE_HELPER_IMPORTS = {"ducktape.trogdor.faults.fuse_passthrough": {"fusepy", "fuse"}}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, module: str) -> set[str]:
    """Every module *path* imports, absolute, wherever the import statement sits."""
    names: set[str] = set()
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            names.add(name)
            # ``from ducktape import cluster`` imports the submodule: count it too
            names.update(f"{name}.{alias.name}" for alias in node.names)
    names.discard("__future__")
    return names


def import_graph() -> dict[str, set[str]]:
    return {_module_name(path): _imports(path, _module_name(path)) for path in sorted(PACKAGE_DIR.rglob("*.py"))}


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _breaches(modules: dict[str, set[str]], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(f"{module} imports {name}" for module, names in modules.items() for name in names
                  if any(_within(name, package) for package in forbidden))


GRAPH = import_graph()


def test_the_graph_sees_every_kind_of_import():
    """The parser must see function-local and relative imports, or the rules below prove nothing."""
    assert "ducktape.tests.loader" in GRAPH["ducktape.command_line.main"]  # imported inside a function
    assert len(GRAPH) > 100


def test_cluster_imports_nothing_above_it():
    cluster = {m: n for m, n in GRAPH.items() if _within(m, "ducktape.cluster")}
    assert cluster, "no modules found under ducktape/cluster"
    assert _breaches(cluster, ("ducktape.command_line", "ducktape.tests", "ducktape.services",
                               "ducktape.trogdor", "ducktape.mark", "ducktape.jvm_logging")) == []


def test_services_import_nothing_of_the_runner():
    services = {m: n for m, n in GRAPH.items() if _within(m, "ducktape.services") or m == "ducktape.jvm_logging"}
    assert "ducktape.services.service" in services
    assert _breaches(services, ("ducktape.command_line", "ducktape.tests", "ducktape.trogdor")) == []


def test_only_the_entry_point_imports_command_line():
    below = {m: n for m, n in GRAPH.items()
             if not _within(m, "ducktape.command_line") and m != "ducktape.__main__"}
    assert _breaches(below, ("ducktape.command_line",)) == []


def test_the_bottom_modules_import_only_each_other():
    for module in BOTTOM:
        assert module in GRAPH, f"{module} is missing"
        above = sorted(n for n in GRAPH[module] if _within(n, "ducktape") and not any(_within(n, b) for b in BOTTOM))
        assert above == [], f"{module} imports {above}"


def test_trogdor_agent_side_needs_only_the_stdlib():
    """The agent ships to nodes as a zipapp: stdlib, ducktape.trogdor and the recorder only."""
    agent = {m: n for m, n in GRAPH.items() if _within(m, "ducktape.trogdor") and m not in TROGDOR_TEST_SIDE}
    assert "ducktape.trogdor.agent" in agent
    foreign = sorted(f"{m} imports {n}" for m, names in agent.items() for n in names
                     if n.split(".")[0] not in sys.stdlib_module_names and not _within(n, "ducktape.trogdor")
                     and n not in NODE_HELPER_IMPORTS.get(m, ()) and not any(_within(n, c) for c in AGENT_CARRIED))
    assert foreign == []
    # the zip file leaves the test side out, so the agent side must not import it
    assert sorted(f"{m} imports {n}" for m, names in agent.items() for n in names if n in TROGDOR_TEST_SIDE) == []


def test_checkers_need_only_the_stdlib():
    """Checkers are pure functions over histories, usable anywhere; recorder.py runs on nodes alone."""
    checkers = {m: n for m, n in GRAPH.items() if _within(m, "ducktape.checkers")}
    assert "ducktape.checkers.search" in checkers
    foreign = sorted(f"{m} imports {n}" for m, names in checkers.items() for n in names
                     if n.split(".")[0] not in sys.stdlib_module_names and not _within(n, "ducktape.checkers"))
    assert foreign == []
    recorder = sorted(n for n in GRAPH["ducktape.checkers.recorder"] if n.split(".")[0] not in sys.stdlib_module_names)
    assert recorder == []


RUNNER = "ducktape.tests.runner"
# what code outside the runner package may import from it: the package itself (TestRunner,
# run_and_report, ...), the hook list the session fills, and the re-export of upstream's path
RUNNER_PUBLIC = (RUNNER, f"{RUNNER}.hooks")


def test_the_runner_package_knows_nothing_of_faults_or_the_session():
    """Fault healing and leftovers register on the after-test hook list (tests/after_test.py)."""
    runner = {m: n for m, n in GRAPH.items() if _within(m, RUNNER)}
    assert f"{RUNNER}.driver" in runner and f"{RUNNER}.fork_safety" in runner
    assert _breaches(runner, ("ducktape.trogdor", "ducktape.command_line", "ducktape.tests.session_run",
                              "ducktape.tests.after_test", "ducktape.tests.runner_client")) == []


def test_only_the_runner_package_reaches_into_the_runner_package():
    outside = {m: {n for n in names if _within(n, RUNNER) and n in GRAPH and n not in RUNNER_PUBLIC}
               for m, names in GRAPH.items() if not _within(m, RUNNER)}  # (modules, not names in them)
    reaching = sorted(f"{m} imports {', '.join(sorted(n))}" for m, n in outside.items() if n)
    assert reaching == [("ducktape.tests.runner_client imports ducktape.tests.runner.outcome, "
                         "ducktape.tests.runner.runner_client, ducktape.tests.runner.signals")]


def test_one_place_in_a_running_session_notifies_reporters():
    session_side = {m: n for m, n in GRAPH.items() if _within(m, RUNNER) or m == "ducktape.tests.session_run"}
    notifying = sorted(m for m, names in session_side.items() if "ducktape.tests.reporters.base.notify" in names)
    assert notifying == [f"{RUNNER}.reporting"]


def test_the_session_run_uses_only_the_runners_public_surface():
    """session_run wires the pieces; the disk reserve and the signal scope are the runner's own."""
    tree = ast.parse((PACKAGE_DIR / "tests" / "session_run.py").read_text(encoding="utf-8"))
    reached = sorted({f"{ast.unparse(n.value)}.{n.attr}" for n in ast.walk(tree) if isinstance(n, ast.Attribute)
                      and n.attr in ("disk", "holding_signals", "reporting", "signals", "record")})
    assert reached == []
