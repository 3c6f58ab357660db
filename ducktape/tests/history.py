"""A results root read as a history: which tests are flaky on one suite version, and which failure
signatures keep coming back. Pure functions over the index's per-session summaries
(``{"dir", "start", "tests": {test_id: status}, "suite", "groups": [[signature, [test ids]]]}``);
finding and caching those summaries is tests/reporters/html_report's job.
"""
from __future__ import annotations

from typing import Any


def suite_key(version: Any) -> str | None:
    """The suite version two sessions must share for a pass and a fail to make a test flaky:
    the commit of a clean checkout; None when unknown or the checkout had local changes."""
    if not isinstance(version, dict) or version.get("dirty") or not version.get("commit"):
        return None
    return str(version["commit"])


def flaky_by_suite_version(sessions: list[dict]) -> dict[str, str]:
    """Test id -> suite version, for tests that passed in one session and failed in another
    (or were FLAKY) on the same clean suite version."""
    outcomes: dict[tuple[str, str], set[str]] = {}
    for s in sessions:
        if not s.get("suite"):
            continue
        for test_id, status in s["tests"].items():
            outcomes.setdefault((test_id, s["suite"]), set()).add(status)
    flaky: dict[str, str] = {}
    for (test_id, suite), seen in outcomes.items():
        if "FLAKY" in seen or ({"FAIL", "OFAIL"} & seen and {"PASS", "OPASS"} & seen):
            flaky[test_id] = suite
    return flaky


def recurring_signatures(sessions: list[dict]) -> list[dict]:
    """Each failure signature across sessions: how many tests and sessions showed it, first and
    last seen (session start) and the last session's directory, the most widespread first."""
    seen: dict[str, dict] = {}
    for s in sessions:
        for signature, test_ids in s.get("groups") or []:
            entry = seen.setdefault(signature, {"sig": signature, "tests": set(), "sessions": 0,
                                                "since": s["start"], "last": s["start"], "last_dir": s["dir"]})
            entry["tests"].update(test_ids)
            entry["sessions"] += 1
            if s["start"] is not None and (entry["since"] is None or s["start"] < entry["since"]):
                entry["since"] = s["start"]
            if s["start"] is not None and (entry["last"] is None or s["start"] >= entry["last"]):
                entry["last"], entry["last_dir"] = s["start"], s["dir"]
    rows = [{**e, "tests": len(e["tests"])} for e in seen.values()]
    rows.sort(key=lambda e: (-e["sessions"], -e["tests"], e["sig"]))
    return rows
