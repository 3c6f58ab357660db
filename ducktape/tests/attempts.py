"""``--deflake``: each attempt of a test keeps its own logs in ``attempt-<n>/`` of the test's directory.

The test logger writes ``test_log.info``/``test_log.debug`` for the whole test; after each attempt
its slice of those files is copied to ``attempt-<n>/``, and whatever the attempt added to the test
directory (the service logs collected for it, under ids that start with the attempt number) is
linked from there, staying where upstream's layout puts it. Reading attempts back, for the
reports, goes through ``attempt_records``: the failures come from the merged summary
(tests/signature.py), the logs from these directories.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from ducktape.tests.reporters.runs import RUN_HEADER, RUN_PASSED
from ducktape.tests.signature import Failure, attempt_blocks, failure_of

TEST_LOGS = ("test_log.info", "test_log.debug")
PREFIX = "attempt-"


def attempt_dir(test_dir: str | Path, number: int) -> Path:
    return Path(test_dir) / f"{PREFIX}{number}"


class AttemptFiles:
    """What a test directory held when an attempt began, so that ``keep`` can file what it added."""

    def __init__(self, test_dir: str | Path) -> None:
        self.test_dir = Path(test_dir)
        self.before = set(os.listdir(self.test_dir)) if self.test_dir.is_dir() else set()
        self.offsets = {name: _size(self.test_dir / name) for name in TEST_LOGS}

    def keep(self, number: int) -> Path:
        """Copy the attempt's part of the test logs to ``attempt-<number>/`` and link what it added there."""
        dest = attempt_dir(self.test_dir, number)
        dest.mkdir(parents=True, exist_ok=True)
        for name, offset in self.offsets.items():
            source = self.test_dir / name
            if source.is_file():
                with open(source, "rb") as src, open(dest / name, "wb") as out:
                    src.seek(offset)
                    shutil.copyfileobj(src, out)
        added = set(os.listdir(self.test_dir)) - self.before - set(TEST_LOGS)
        for name in sorted(added):
            if not name.startswith(PREFIX) and name not in ("report.json", "report.txt", "data.json"):
                # the logs stay where upstream puts them (<test dir>/<service id>/); the attempt links them
                (dest / name).symlink_to(Path(os.pardir) / name)
        return dest


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


@dataclass(frozen=True)
class Attempt:
    """One failed attempt of a deflaked test: its number, its failure and the text it failed with."""

    number: int
    failure: Failure
    text: str


def failed_attempts(summary: str | None, test_file: str | None = None, host_names=()) -> list[Attempt]:
    """The failed attempts recorded in a (merged) summary, by attempt number."""
    found = []
    for numbers, text in attempt_blocks(summary):
        failure = failure_of(text, test_file, host_names)
        found += [Attempt(number, failure, text) for number in numbers]
    return sorted(found, key=lambda attempt: attempt.number)


def attempt_log(test_dir: str | Path, number: int, name: str = "test_log.info") -> str | None:
    """The log an attempt kept, or None when it kept none (a run without ``--deflake``)."""
    try:
        return (attempt_dir(test_dir, number) / name).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def attempt_groups(result: dict) -> list[dict]:
    """A ``report.json`` result's ``--deflake`` attempts grouped by failure signature,
    ``[{"sig", "n": [attempt numbers]}]``, then ``{"sig": "", "n": [the passing attempt]}``;
    [] for a test that ran once."""
    summary = result.get("summary") or ""
    if not any(RUN_HEADER.match(line.strip()) for line in summary.splitlines()):
        return []
    groups: dict[str, list[int]] = {}
    for attempt in failed_attempts(summary, result.get("file_name"), result.get("nodes") or []):
        groups.setdefault(attempt.failure.signature, []).append(attempt.number)
    rows = [{"sig": sig, "n": numbers} for sig, numbers in sorted(groups.items(), key=lambda g: (-len(g[1]), g[1]))]
    passed = RUN_PASSED.match(summary.rstrip().splitlines()[-1].strip())
    if passed:
        rows.append({"sig": "", "n": [int(passed.group(1))]})
    return rows
