"""`ducktape --collect-only` / `--collect-num-nodes` output equals upstream 0.17.0's, byte for byte.

Expected files were produced by running upstream on tests/data/collect (make_expected.py); only log
timestamps and the absolute run directory are normalised, and "1 tests" reads "1 test".
"""
from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from tests.support.suites import DATA_DIR, copy_data, normalize_output, run_ducktape

CASES_FILE = DATA_DIR / "collect" / "cases.txt"


def _cases() -> list[tuple[str, list[str]]]:
    cases = []
    for line in CASES_FILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, args = line.partition("|")
            cases.append((name.strip(), shlex.split(args)))
    return cases


@pytest.fixture(scope="module")
def collect_copy(tmp_path_factory) -> Path:
    return copy_data("collect", tmp_path_factory.mktemp("parity") / "collect")


@pytest.mark.parametrize(("name", "args"), _cases(), ids=[c[0] for c in _cases()])
def test_collect_output_matches_upstream(name: str, args: list[str], collect_copy: Path) -> None:
    expected = with_plural_agreement((DATA_DIR / "collect" / "expected" / f"{name}.out").read_text())
    proc = run_ducktape(args, collect_copy, env={"DUCKTAPE_COLLECT_FIXTURE": "yes"})
    got = f"exit={proc.returncode}\n" + normalize_output(proc.stdout, collect_copy)
    assert got == expected, proc.stderr


def with_plural_agreement(upstream_output: str) -> str:
    """Upstream's output with our one deliberate difference: "1 test", never "1 tests"
    (docs/compatibility.md)."""
    return (upstream_output.replace("Discovered 1 tests to run", "Discovered 1 test to run")
            .replace("Collected 1 tests:", "Collected 1 test:"))


def test_every_case_has_an_expected_file() -> None:
    names = {name for name, _ in _cases()}
    on_disk = {p.stem for p in (DATA_DIR / "collect" / "expected").glob("*.out")}
    assert names == on_disk
