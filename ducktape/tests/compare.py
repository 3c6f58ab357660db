"""Compare two sessions of one suite: what newly fails, is fixed, still fails, is flaky, new, gone, slower.

Works on the result dicts of session reports (``report.json`` ``results``), so a merged
session compares like any other. A test id with several results in one session (``--repeat``,
overlapping shards) counts as flaky there when some of them failed and some passed.
``previous_session`` finds the session a report is compared with "since last run".
Reading sessions is ``session_reader``'s job; printing is the caller's.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ducktape.defaults import SESSION_FILE
from ducktape.tests.signature import result_failure_dict
from ducktape.tests.status import status_of

SLOWER_RATIO = 1.5  # "slower" needs both: at least this many times the base duration ...
SLOWER_SECONDS = 10.0  # ... and at least this many seconds more
CATEGORIES = ("newly_failing", "fixed", "still_failing", "flaky", "new", "gone", "slower")
TITLES = {"newly_failing": "newly failing", "fixed": "fixed", "still_failing": "still failing", "flaky": "flaky",
          "new": "new", "gone": "gone", "slower": "slower"}


@dataclass(frozen=True)
class Outcome:
    """One test id in one session: ``fail``, ``flaky``, ``pass``, ``ofail`` or ``ignore``, its mean
    run time (None when it did not run), the first line of its error and that error's failure
    signature (tests/signature.py; "" when it did not fail)."""

    status: str
    seconds: float | None
    error: str
    signature: str = ""


@dataclass(frozen=True)
class Change:
    """One line of a comparison: the test, its outcome on each side ("" when absent), its times, and
    the failure signature on each side ("" where it did not fail)."""

    test_id: str
    base: str
    new: str
    error: str = ""
    base_seconds: float | None = None
    new_seconds: float | None = None
    base_signature: str = ""
    new_signature: str = ""
    base_error: str = ""

    @property
    def same_signature(self) -> bool | None:
        """Whether a test that failed on both sides failed the same way; None unless it did fail on both."""
        if not (self.base_signature and self.new_signature):
            return None
        return self.base_signature == self.new_signature


@dataclass(frozen=True)
class Comparison:
    """BASE against NEW, one tuple of changes per category, each sorted by test id."""

    base_id: str
    new_id: str
    base_tests: int
    new_tests: int
    newly_failing: tuple = field(default=())
    fixed: tuple = field(default=())
    still_failing: tuple = field(default=())
    flaky: tuple = field(default=())
    new: tuple = field(default=())
    gone: tuple = field(default=())
    slower: tuple = field(default=())

    @property
    def exit_status(self) -> int:
        """1 when something newly fails (what CI gates on), else 0."""
        return 1 if self.newly_failing else 0

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in CATEGORIES}

    def to_json(self) -> dict:
        doc = {"base_session": {"session_id": self.base_id, "tests": self.base_tests},
               "new_session": {"session_id": self.new_id, "tests": self.new_tests}, "counts": self.counts()}
        for name in CATEGORIES:
            doc[name] = [{**asdict(change), "same_signature": change.same_signature} for change in getattr(self, name)]
        return doc


def outcomes(results: list[dict]) -> dict[str, Outcome]:
    """Each test id of a session's results, folded into one Outcome."""
    grouped: dict[str, list[dict]] = {}
    for result in results:
        grouped.setdefault(str(result.get("test_id", "")), []).append(result)
    return {test_id: _fold(runs) for test_id, runs in grouped.items()}


def _fold(runs: list[dict]) -> Outcome:
    statuses = [str(r.get("test_status", "")).lower() for r in runs]
    failed = [r for r, s in zip(runs, statuses) if status_of(s).fails_run]
    passed = any(s in ("pass", "flaky") for s in statuses)
    if failed:
        status = "flaky" if passed else "fail"
    elif "flaky" in statuses:
        status = "flaky"
    elif "pass" in statuses or "opass" in statuses:
        status = "pass"
    elif "ofail" in statuses:
        status = "ofail"
    else:
        status = "ignore"
    times = [r.get("run_time_seconds") for r in runs if status_of(r.get("test_status", "")) != "ignore"]
    times = [float(t) for t in times if isinstance(t, (int, float)) and not isinstance(t, bool) and t >= 0]
    seconds = sum(times) / len(times) if times else None
    erring = failed or [r for r, s in zip(runs, statuses) if s in ("flaky", "ofail")]
    if not erring:
        return Outcome(status, seconds, "")
    signature = result_failure_dict(erring[0]).get("signature", "") if failed else ""
    return Outcome(status, seconds, error_line(erring[0].get("summary")), str(signature))


def error_line(summary: str | None) -> str:
    """The line of a summary that names the error: not a deflake header, not a bare "Traceback"."""
    lines = [line for line in str(summary or "").splitlines() if line.strip()]
    lines = [line for line in lines if not _is_run_header(line.strip())]
    if not lines:
        return ""
    if not lines[0].strip().startswith("Traceback (most recent call last)"):
        return lines[0].strip()
    unindented = [line for line in lines[1:] if not line[:1].isspace()]
    return (unindented[-1] if unindented else lines[0]).strip()


def _is_run_header(line: str) -> bool:
    from ducktape.tests.reporters.runs import RUN_HEADER

    return bool(RUN_HEADER.match(line))


def compare(base_results: list[dict], new_results: list[dict], base_id: str = "base",
            new_id: str = "new") -> Comparison:
    """BASE's results against NEW's (see the module docstring for the categories)."""
    base, new = outcomes(base_results), outcomes(new_results)
    found: dict[str, list[Change]] = {name: [] for name in CATEGORIES}
    for test_id in sorted(set(base) | set(new)):
        was, now = base.get(test_id), new.get(test_id)
        change = Change(test_id, was.status if was else "", now.status if now else "",
                        (now or was).error, was.seconds if was else None, now.seconds if now else None,
                        was.signature if was else "", now.signature if now else "", was.error if was else "")
        if now is None:
            found["gone"].append(change)
            continue
        if was is None:
            found["new"].append(change)
        if now.status == "fail":
            found["still_failing" if was and was.status == "fail" else "newly_failing"].append(change)
        elif now.status == "pass" and was and was.status == "fail":
            found["fixed"].append(change)
        if now.status == "flaky":
            found["flaky"].append(change)
        if _slower(was, now):
            found["slower"].append(change)
    return Comparison(base_id, new_id, len(base), len(new), **{name: tuple(found[name]) for name in CATEGORIES})


def _slower(was: Outcome | None, now: Outcome) -> bool:
    if was is None or was.seconds is None or now.seconds is None:
        return False
    return now.seconds >= SLOWER_RATIO * was.seconds and now.seconds - was.seconds >= SLOWER_SECONDS


def comparison_text(comparison: Comparison) -> str:
    """What ``ducktape-report compare`` prints: a counts line, then each non-empty category."""
    counts = comparison.counts()
    lines = [(f"compared {comparison.base_id} ({comparison.base_tests} tests) with "
             f"{comparison.new_id} ({comparison.new_tests} tests)"),
             ", ".join(f"{n} {TITLES[name]}" for name, n in counts.items())]
    for name in CATEGORIES:
        changes = getattr(comparison, name)
        if not changes:
            continue
        lines.append("")
        lines.append(f"{TITLES[name]} ({len(changes)}):")
        for change in changes:
            lines.append("  " + _change_line(name, change))
    return "\n".join(lines)


def _change_line(category: str, change: Change) -> str:
    if category == "slower":
        ratio = change.new_seconds / change.base_seconds if change.base_seconds else float("inf")
        return f"{change.test_id}  {change.base_seconds:.1f} s -> {change.new_seconds:.1f} s ({ratio:.1f}x)"
    statuses = f"{change.base or '-'} -> {change.new or '-'}"
    error = f"  {change.error}" if change.error and category in ("newly_failing", "still_failing", "flaky") else ""
    if category == "still_failing" and change.same_signature is not None:
        if change.same_signature:
            error = f"  same signature: {change.error}"
        else:
            error = f"  new signature: {change.error}  (was: {change.base_error})"
    return f"{change.test_id}  [{statuses}]{error}"


def previous_session(results_root: Path, session_dir: Path, start: float | None) -> Path | None:
    """The session of *results_root* that started last before *start* (not *session_dir* itself,
    not a hidden or linked directory); None when there is none. Start times come from each
    session's small session.json, or its report.json (sessions written by upstream)."""
    if start is None:
        return None
    best: tuple[float, str] | None = None
    try:
        entries = list(os.scandir(results_root))
    except OSError:
        return None
    own = os.path.realpath(session_dir)
    for entry in entries:
        if entry.name.startswith(".") or entry.is_symlink() or not entry.is_dir():
            continue
        if os.path.realpath(entry.path) == own or not os.path.isfile(os.path.join(entry.path, "report.json")):
            continue
        began = _start_time(Path(entry.path))
        if began is not None and began < start and (best is None or (began, entry.name) > best):
            best = (began, entry.name)
    return Path(results_root) / best[1] if best else None


def _start_time(session_dir: Path) -> float | None:
    for name in (SESSION_FILE, "report.json"):
        try:
            record = json.loads((session_dir / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        start = record.get("start_time") if isinstance(record, dict) else None
        if isinstance(start, (int, float)) and not isinstance(start, bool) and start >= 0:
            return float(start)
    return None


SINCE_LIMIT = 100  # tests listed per category on the HTML page; the counts are always whole


def since_last_run(results_root: Path, session_dir: Path, report: dict) -> dict | None:
    """The comparison of a session report with the previous session of its results root, as the
    HTML report shows it ("since last run"); None when there is no earlier readable session."""
    from ducktape.errors import UsageError
    from ducktape.tests.session_reader import read_session

    start = report.get("start_time")
    start = float(start) if isinstance(start, (int, float)) and start >= 0 else None
    previous = previous_session(Path(results_root), Path(session_dir), start)
    if previous is None:
        return None
    new_id = str((report.get("session_context") or {}).get("session_id") or Path(session_dir).name)
    try:
        before = read_session(previous)
        doc = compare(before.results, report.get("results") or [], before.session_id, new_id).to_json()
    except (UsageError, ValueError, TypeError, AttributeError, KeyError):
        return None  # an odd earlier session must not cost this session its report
    for name in CATEGORIES:
        doc[name] = doc[name][:SINCE_LIMIT]
    doc["base_session"]["dir"] = os.path.relpath(previous, session_dir)
    return doc
