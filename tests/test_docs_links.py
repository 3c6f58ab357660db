"""The docs a clone ships point only at files the clone has, and their examples match the program (issue 15, item 11)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.suites import REPO_ROOT, run_ducktape

DOCS = sorted([REPO_ROOT / "README.md", *(REPO_ROOT / "docs").glob("*.md")])
MD_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HTML_REF = re.compile(r"(?:src|href)=\"([^\"]+)\"")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
REPO_DIRS = ("docs/", "ducktape/", "tests/", "bench/", "examples/", "systests/")
# Files of the development setup that a clone does not have.
NOT_IN_A_CLONE = re.compile(r"\.\./shared|\bDESIGN\.md\b|\bSTYLE\.md\b|ducktape-contract|\bthe contract\b|"
                            r"\bcontract (?:§|section|\d)", re.IGNORECASE)


def _doc_id(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT))


def _link_targets(doc: Path) -> list[str]:
    text = doc.read_text(encoding="utf-8")
    return [m.group(1) for pattern in (MD_LINK, HTML_REF) for m in pattern.finditer(text)]


def _path_mentions(doc: Path) -> list[str]:
    """Code spans naming a file or directory of the repository (``docs/cli.md``, ``tests/support/netns.py``)."""
    found = []
    for span in CODE_SPAN.findall(doc.read_text(encoding="utf-8")):
        span = span.strip().split("::")[0]
        if span.startswith(REPO_DIRS) and not re.search(r"[\s*{}<>|$…]|\.\.\.", span):
            found.append(span.rstrip("/"))
    return found


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_every_link_resolves_inside_the_repository(doc):
    missing = []
    for target in _link_targets(doc):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # a URL, or an anchor in the same page
        path = (doc.parent / target.split("#")[0]).resolve()
        if not path.is_relative_to(REPO_ROOT) or not path.exists():
            missing.append(target)
    assert not missing, f"{_doc_id(doc)} links to files a clone does not have: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_every_repository_path_mentioned_exists(doc):
    missing = [p for p in _path_mentions(doc) if not (REPO_ROOT / p).exists()]
    assert not missing, f"{_doc_id(doc)} names paths that do not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_no_doc_refers_to_files_outside_the_clone(doc):
    hits = [m.group(0) for m in NOT_IN_A_CLONE.finditer(doc.read_text(encoding="utf-8"))]
    assert not hits, f"{_doc_id(doc)} refers to files a clone does not have: {hits}"


def test_the_cli_error_example_is_the_real_message(tmp_path):
    work = tmp_path / "kafka"
    work.mkdir()
    proc = run_ducktape(["tests/kafkatest/tests/core/replication_tset.py"], cwd=work)
    assert proc.returncode == 2
    printed = proc.stderr.replace(str(work.resolve()), "/home/me/kafka").splitlines()
    assert len(printed) == 2, proc.stderr
    cli = (REPO_ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    example = re.search(r"```\n~/kafka\$ ducktape [^\n]*\n(.*?)```", cli, re.DOTALL)
    assert example, "docs/cli.md has no error example"
    assert example.group(1).splitlines() == printed
