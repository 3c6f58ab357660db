"""Docs that cannot rot: their runnable blocks run, their links resolve, every `ducktape`
flag and every account method is documented.

Runnable blocks are opt-in (``file=PATH``, ``bash run``, ``python run``; see
tests/support/doc_blocks.py). Each document's blocks run in order in one scratch directory
that holds a link to the checkout's ``examples/`` (the docs are written for a reader in the
checkout), with the test's virtualenv active (first on PATH, VIRTUAL_ENV set) and HOME in the scratch directory.
One thing is adapted so that runs can share a machine: ``ducktape-cluster up``/``down``
get a cluster name unique to this test. Like the docs' reader, the test runs as root.
"""
from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ducktape.cluster.linux_remoteaccount import LinuxRemoteAccount
from ducktape.cluster.local_cluster import lifecycle
from tests.support.doc_blocks import docs_with_runnable_blocks, runnable_blocks
from tests.support.netns import remove_abandoned_clusters
from tests.support.suites import REPO_ROOT

DOCS = REPO_ROOT / "docs"
BIN = Path(sys.executable).parent
# written on other branches of this work; allowed to be missing until they are merged
PENDING_DOCS = {"vagrant.md", "ec2.md"}


def shell_preamble(cluster_name: str) -> str:
    return (
        "ducktape-cluster() {\n"
        '  case "$1" in up|down) command ducktape-cluster "$@" --name ' + cluster_name + " ;;\n"
        '  *) command ducktape-cluster "$@" ;; esac\n'
        "}\n"
    )


@pytest.mark.parametrize("doc", docs_with_runnable_blocks(DOCS), ids=lambda p: p.name)
def test_runnable_blocks_of_the_doc_run(doc, tmp_path):
    remove_abandoned_clusters()
    work = tmp_path / "work"
    work.mkdir()
    (work / "examples").symlink_to(REPO_ROOT / "examples")
    env = dict(os.environ, HOME=str(work), PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", VIRTUAL_ENV=sys.prefix)
    cluster_name = f"pytest-{os.getpid()}-docs"
    try:
        for block in runnable_blocks(doc):
            if block.kind == "file":
                target = work / block.path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(block.body)
                continue
            if block.kind == "bash":
                argv = ["bash", "-e", "-o", "pipefail", "-c", shell_preamble(cluster_name) + block.body]
            else:
                argv = [sys.executable, "-c", block.body]
            proc = subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True, timeout=600, check=False)
            assert proc.returncode == 0, (f"{block.where} exited {proc.returncode}\n{block.body}\n"
                                          f"--- stdout\n{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-3000:]}")
    finally:
        lifecycle.down(cluster_name)


def test_every_ducktape_flag_is_documented():
    help_text = subprocess.run([sys.executable, "-m", "ducktape", "--help"], capture_output=True, text=True,
                               check=True).stdout
    flags = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]+)", help_text))
    docs = "".join(p.read_text() for p in DOCS.glob("*.md"))
    documented = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]+)", docs))
    assert len(flags) > 20, help_text
    assert not flags - documented, f"flags in `ducktape --help` that no doc mentions: {sorted(flags - documented)}"


def test_every_account_method_is_in_the_services_guide():
    guide = (DOCS / "writing-services.md").read_text()
    public = [name for name, _ in inspect.getmembers(LinuxRemoteAccount) if not name.startswith("_")]
    missing = [name for name in public if f"`{name}" not in guide]
    assert not missing, f"account methods the services guide does not document: {missing}"
    for name, member in inspect.getmembers(LinuxRemoteAccount, inspect.isfunction):
        if name.startswith("_"):
            continue
        params = [p for p in inspect.signature(member).parameters if p != "self"]
        calls = [[a.split("=")[0].strip() for a in args.split(",") if a.strip()]
                 for args in re.findall(rf"`{name}\(([^`]*)\)`", guide)]
        assert params in calls, f"{name}{inspect.signature(member)} is not in the guide as a call; found {calls}"


def test_docs_link_only_to_files_a_clone_has():
    broken = []
    for doc in sorted(DOCS.glob("*.md")) + [REPO_ROOT / "README.md"]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text()):
            if re.match(r"[a-z]+:", target):
                continue
            path = (doc.parent / target).resolve()
            if not path.exists() and path.name not in PENDING_DOCS:
                broken.append(f"{doc.name} -> {target}")
            if REPO_ROOT not in path.parents:
                broken.append(f"{doc.name} -> {target} (outside the checkout)")
    assert not broken, broken


def test_only_marked_blocks_run(tmp_path):
    doc = tmp_path / "guide.md"
    doc.write_text("text\n\n```python\nraise SystemExit(1)\n```\n\n```bash\nexit 1\n```\n\n"
                   "```python file=pkg/mod.py\nX = 1\n```\n\n```bash run\necho hi\n```\n\n"
                   "```python run\nprint(2)\n```\n\n```console run\n$ nothing\n```\n")
    blocks = runnable_blocks(doc)
    assert [(b.kind, b.path, b.body) for b in blocks] == [
        ("file", "pkg/mod.py", "X = 1\n"), ("bash", "", "echo hi\n"), ("python", "", "print(2)\n")]
    assert [b.where for b in blocks] == ["guide.md:11", "guide.md:15", "guide.md:19"]
