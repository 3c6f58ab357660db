"""No module extends another object by assigning over its methods; hooks do that job.

The scan reads every module under ducktape/ and flags: an assignment to ``x.name``
where *x* is not the module's own ``self``/``cls`` and *name* is a method some ducktape
class defines (``registry.append = …``, ``service.start_node = …``); any ``setattr``
whose attribute name is not a literal, or is such a method; and ``types.MethodType``,
the tool for binding a replacement.
"""
from __future__ import annotations

import ast
from pathlib import Path

import ducktape

PACKAGE = Path(ducktape.__file__).parent


def _modules() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(), str(path)) for path in sorted(PACKAGE.rglob("*.py"))}


def _is_property(func: ast.FunctionDef) -> bool:
    """A property (or its setter): assigning to it sets data, it does not replace behaviour."""
    return any(ast.unparse(d).endswith(("property", ".setter", ".getter", ".deleter")) for d in func.decorator_list)


# the methods hooks now stand for: always methods, even where another class has a field so named
HOOKED = frozenset({"run", "ssh", "ssh_output", "ssh_capture", "start_node", "clean_node", "free", "append"})


def _methods_of(tree: ast.Module) -> set[str]:
    return {f.name for cls in ast.walk(tree) if isinstance(cls, ast.ClassDef) for f in cls.body
            if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
            and not f.name.startswith("__") and not _is_property(f)}


def _method_names(trees: dict[Path, ast.Module]) -> set[str]:
    """HOOKED, and the names a ducktape class defines as a method and no class uses as
    a data field (``self.error = …`` somewhere makes ``error`` data)."""
    methods: set[str] = set()
    fields: set[str] = set()
    for tree in trees.values():
        methods |= _methods_of(tree)
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            fields.update(n.target.id for n in cls.body if isinstance(n, ast.AnnAssign)
                          and isinstance(n.target, ast.Name))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                for target in getattr(node, "targets", None) or [node.target]:
                    if isinstance(target, ast.Attribute) and _own(target.value):
                        fields.add(target.attr)
    return (methods - fields) | HOOKED


def _own(target: ast.expr) -> bool:
    return isinstance(target, ast.Name) and target.id in ("self", "cls")


def _patches(tree: ast.Module, methods: set[str]) -> list[str]:
    found = []
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        for target in targets:
            if (isinstance(target, ast.Attribute) and target.attr in methods
                    and not _own(target.value)):
                found.append(f"{node.lineno}: assigns {ast.unparse(target)}")
        if isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            if func == "setattr" and len(node.args) >= 2 and not _own(node.args[0]):
                name = node.args[1]
                if not isinstance(name, ast.Constant) or name.value in methods:
                    found.append(f"{node.lineno}: {ast.unparse(node)}")
            if func.endswith("MethodType"):
                found.append(f"{node.lineno}: binds a method with {func}")
    return found


def test_no_module_assigns_over_another_objects_methods():
    trees = _modules()
    methods = _method_names(trees)
    assert {"append", "start_node", "clean_node", "ssh", "ssh_output", "ssh_capture", "run"} <= methods
    found = [f"{path.relative_to(PACKAGE.parent)}:{line}"
             for path, tree in trees.items() for line in _patches(tree, methods)]
    assert found == []


def test_the_scan_catches_the_patterns_it_forbids():
    methods = {"append", "ssh", "start_node"}
    bad = ast.parse(
        "registry.append = wrapped\n"
        "setattr(account, 'ssh', wrapped)\n"
        "setattr(account, name, wrapped)\n"
        "setattr(self, name, value)\n"  # an object setting its own fields: allowed
        "service.start_node = types.MethodType(f, service)\n"
        "self.ssh = other\n"       # an object's own attribute: allowed
        "account.logger = None\n"  # data, not a method: allowed
    )
    assert sorted(line.split(":")[0] for line in _patches(bad, methods)) == ["1", "2", "3", "5", "5"]


def test_the_scan_covers_the_runner_and_reporting_packages():
    """The runner package and the hook list that replaced its direct calls are scanned too."""
    trees = _modules()
    scanned = {path.relative_to(PACKAGE).as_posix() for path in trees}
    assert {"tests/runner/driver.py", "tests/runner/fork_safety.py", "tests/runner/runner_client.py",
            "tests/runner/hooks.py", "tests/after_test.py", "tests/reporters/base.py"} <= scanned
    # what the session adds to a test's end goes on the hook lists (data), never over a method
    hooks = next(c for c in ast.walk(trees[PACKAGE / "tests/runner/hooks.py"])
                 if isinstance(c, ast.ClassDef) and c.name == "AfterTestHooks")
    assert not any(isinstance(f, ast.FunctionDef) for f in hooks.body)
