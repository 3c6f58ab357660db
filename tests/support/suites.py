"""Helpers to write small ducktape suites into a directory and run a ducktape CLI on them.

Generic on purpose: the runner's tests use them too. ``run_ducktape`` runs our CLI by default;
pass ``exe=UPSTREAM_DUCKTAPE`` to run upstream 0.17.0 on the same input.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bench._upstream import UPSTREAM_VENV

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "tests" / "data"
OURS_DUCKTAPE = [sys.executable, "-m", "ducktape"]
UPSTREAM_DUCKTAPE = [str(UPSTREAM_VENV / "bin" / "ducktape")]  # ./build.sh test installs it
_LOG_STAMP = re.compile(r"^\[(\w+):\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\]: ", re.MULTILINE)


def write_suite(root: Path, files: dict[str, str], packages: bool = True) -> Path:
    """Write *files* (relative path -> source, dedented) under *root*; add ``__init__.py`` to every
    directory holding a .py file when *packages*. Returns *root*."""
    root = Path(root)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        if packages and rel.endswith(".py"):
            init = path.parent / "__init__.py"
            if not init.exists():
                init.write_text("")
    return root


def copy_data(name: str, dest: Path) -> Path:
    """Copy ``tests/data/<name>`` to *dest* (which must not exist) and return *dest*."""
    shutil.copytree(DATA_DIR / name, dest)
    return dest


def run_ducktape(args: list[str] | str, cwd: Path, exe: list[str] | None = None, env: dict | None = None,
                 timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``ducktape <args>`` in *cwd* with HOME set to *cwd* (no user config leaks in); capture text output."""
    if isinstance(args, str):
        args = shlex.split(args)
    full_env = dict(os.environ)
    full_env["HOME"] = str(cwd)
    full_env.update(env or {})
    return subprocess.run([*(exe or OURS_DUCKTAPE), *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def start_until_flag(args: list[str], cwd: Path, limit: float = 60, **popen) -> subprocess.Popen:
    """Start ``ducktape <args>`` in *cwd* with ``STARTED_FLAG`` naming a file a test creates, and
    return once it exists (the test is running): the moment to send the driver a signal."""
    flag = Path(cwd) / "started"
    env = dict(os.environ, HOME=str(cwd), STARTED_FLAG=str(flag))
    proc = subprocess.Popen([*OURS_DUCKTAPE, *args], cwd=cwd, env=env, text=True, **popen)
    deadline = time.monotonic() + limit
    while not flag.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "the test never created its STARTED_FLAG"
        time.sleep(0.02)
    return proc


def normalize_output(text: str, root: Path) -> str:
    """Replace what legitimately differs per run: log timestamps and the absolute run directory."""
    text = _LOG_STAMP.sub(r"[\1:<time>]: ", text)
    return text.replace(str(Path(root).resolve()), "<ROOT>")


@pytest.fixture
def suite_dir(tmp_path: Path) -> Path:
    """An empty directory to write a suite into and run ducktape from."""
    path = tmp_path / "work"
    path.mkdir()
    return path
