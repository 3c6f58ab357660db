"""``--quarantine FILE``: tests a team knows are broken, silenced without editing their code.

The file is a YAML list of ``{test: <symbol or glob>, reason: ..., until: YYYY-MM-DD}`` entries
(``until`` optional). A matching test still runs and is reported as ``@ok_to_fail`` ones are
(OPASS/OFAIL), so it never fails the session. An entry past its ``until`` date no longer applies
and is reported; a quarantined test that passed its last N runs is reported as ready to release.
Reading and matching live here; the runner only sees ``TestContext.quarantine``.
"""
from __future__ import annotations

import datetime
import fnmatch
import os
from collections.abc import Iterable
from dataclasses import dataclass

from ducktape.errors import UsageError

ENTRY_KEYS = ("test", "reason", "until")
FORM = "expected entries like {test: tests/x_test.py::XTest.test_y, reason: ..., until: 2026-12-31}"


@dataclass(frozen=True)
class QuarantineEntry:
    """One entry of the file: which tests (a symbol or a glob), why, and until when (inclusive)."""

    test: str
    reason: str
    until: datetime.date | None = None
    number: int = 0  # 1-based position in the file, for messages

    def expired(self, today: datetime.date) -> bool:
        return self.until is not None and today > self.until

    def matches(self, test_id: str, file: str | None, cls_name: str, function_name: str) -> bool:
        """True when the entry names this test: a test id (or glob of ids, or a prefix ending at a
        dot), or a ``path.py[::Class[.method]]`` symbol (paths relative to the current directory)."""
        pattern = self.test.split("@", 1)[0]  # parameters in a symbol: every parametrization matches
        if ".py" not in pattern:
            return (fnmatch.fnmatchcase(test_id, pattern) or test_id.startswith(pattern + ".")
                    or fnmatch.fnmatchcase(test_id, pattern + ".*"))
        path, _, member = pattern.partition("::")
        if file is None or not fnmatch.fnmatchcase(os.path.abspath(file), os.path.abspath(path)):
            return False
        return not member or any(fnmatch.fnmatchcase(name, member)
                                 for name in (cls_name, f"{cls_name}.{function_name}"))

    def to_json(self) -> dict:
        found = {"test": self.test, "reason": self.reason}
        if self.until is not None:
            found["until"] = self.until.isoformat()
        return found


def read_quarantine(path: str) -> list[QuarantineEntry]:
    """The entries of quarantine file *path*; anything wrong is one UsageError line naming the entry."""
    import yaml

    try:
        with open(path, encoding="utf-8") as fp:
            content = yaml.safe_load(fp)
    except OSError as err:
        raise UsageError(f"cannot read quarantine file {path}: {err.strerror or err}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise UsageError(f"quarantine file {path} is not valid YAML{where}: {getattr(err, 'problem', err)}") from None
    if content is None:
        return []
    if not isinstance(content, list):
        raise UsageError(f"quarantine file {path} must be a YAML list of entries, not a {type(content).__name__}; {FORM}")
    return [_entry(path, number, raw) for number, raw in enumerate(content, start=1)]


def _entry(path: str, number: int, raw: object) -> QuarantineEntry:
    def bad(problem: str) -> UsageError:
        return UsageError(f"quarantine file {path}, entry {number} ({_short(raw)}): {problem}; {FORM}")

    if not isinstance(raw, dict):
        raise bad("not a mapping")
    unknown = sorted(str(key) for key in raw if key not in ENTRY_KEYS)
    if unknown:
        raise bad(f"unknown key {', '.join(unknown)}")
    test, reason, until = raw.get("test"), raw.get("reason"), raw.get("until")
    if not isinstance(test, str) or not test.strip():
        raise bad('"test" must be a test symbol or glob')
    if not isinstance(reason, str) or not reason.strip():
        raise bad('"reason" must say why the test is quarantined')
    if until is not None and not isinstance(until, datetime.date):
        try:
            until = datetime.date.fromisoformat(str(until))
        except ValueError:
            raise bad(f'"until" must be a date YYYY-MM-DD, got {until!r}') from None
    if isinstance(until, datetime.datetime):
        until = until.date()
    return QuarantineEntry(test.strip(), reason.strip(), until, number)


def _short(raw: object) -> str:
    text = repr(raw)
    return text if len(text) <= 80 else text[:77] + "..."


def apply_quarantine(tests: Iterable, entries: list[QuarantineEntry], today: datetime.date) -> None:
    """Set ``ctx.quarantine`` (the first entry in force that names it) on each test context."""
    active = [entry for entry in entries if not entry.expired(today)]
    for ctx in tests:
        ctx.quarantine = next((entry.to_json() for entry in active
                               if entry.matches(ctx.test_id, ctx.file, ctx.cls_name, ctx.function_name)), None)


def quarantine_report(entries: list[QuarantineEntry], results: Iterable, history: list[dict],
                      today: datetime.date, release_after: int) -> dict:
    """What the session summary says about the quarantine: the entries that expired, and the
    quarantined tests whose last *release_after* runs (earlier sessions in *history*, oldest first,
    each ``{"tests": {test_id: status}}``, then this one) all passed."""
    results = list(results)
    quarantined = sorted({r.test_id for r in results if getattr(r, "quarantine", None)})
    ready = []
    for test_id in quarantined:
        runs = [s["tests"][test_id] for s in history if test_id in s.get("tests", {})]
        runs += [str(r.test_status).upper() for r in results if r.test_id == test_id]
        runs = [status for status in runs if status != "IGNORE"]
        if release_after > 0 and len(runs) >= release_after and all(
                status in ("PASS", "OPASS") for status in runs[-release_after:]):
            ready.append(test_id)
    return {
        "expired": [entry.to_json() for entry in entries if entry.expired(today)],
        "quarantined": quarantined,
        "ready_to_release": ready,
        "release_after": release_after,
    }


def quarantine_lines(report: dict | None) -> list[str]:
    """The summary lines for a session's ``quarantine`` report (none when nothing to say)."""
    if not report:
        return []
    lines = [f"quarantined:      {len(report['quarantined'])}"]
    for entry in report["expired"]:
        lines.append(f"quarantine expired: {entry['test']} (until {entry['until']}: {entry['reason']}); "
                     "no longer applied")
    for test_id in report["ready_to_release"]:
        lines.append(f"quarantine release: {test_id} passed its last {report['release_after']} runs; "
                     "ready to remove from the quarantine file")
    return lines


def merged_quarantine_report(reports: list[dict | None]) -> dict | None:
    """One quarantine report for a merged session from its inputs' (None when no input had one):
    expired entries and quarantined tests of every input; a test is ready to release when some
    input found it ready and no input ran it quarantined without finding it ready."""
    found = [r for r in reports if isinstance(r, dict)]
    if not found:
        return None
    expired: list[dict] = []
    for report in found:
        expired += [entry for entry in report.get("expired") or [] if entry not in expired]
    quarantined = sorted({str(t) for r in found for t in r.get("quarantined") or []})
    ready = {str(t) for r in found for t in r.get("ready_to_release") or []}
    not_ready = {str(t) for r in found for t in r.get("quarantined") or []
                 if t not in (r.get("ready_to_release") or [])}
    return {
        "expired": expired,
        "quarantined": quarantined,
        "ready_to_release": sorted(ready - not_ready),
        "release_after": max(int(r.get("release_after") or 0) for r in found),
    }
