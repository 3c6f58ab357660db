"""Write the self-contained HTML report: ``report.html`` per session and ``index.html`` per results root.

Each page is one file: the CSS and JS from ``ducktape/templates/report/`` are inlined, the results
are embedded as JSON in a non-executed script tag, and a Content-Security-Policy forbids every
request to another host. The page renders the data with DOM APIs only (never ``innerHTML``), so
whatever a test writes into its id, parameters or error text stays text. Deciding *what* a test
result is belongs to ``tests/result``; this module only shapes the session report for the page.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import os
import re
from pathlib import Path
from typing import Any

import ducktape
from ducktape.defaults import SESSION_FILE
from ducktape.tests.attempts import attempt_groups
from ducktape.tests.history import (
    flaky_by_suite_version,
    recurring_signatures,
    suite_key,
)
from ducktape.tests.quarantine import quarantine_lines
from ducktape.tests.reporters.base import write_atomic
from ducktape.tests.reporters.runs import deflake_attempts, repeat_numbers
from ducktape.tests.signature import result_failure_dict, session_failure_groups
from ducktape.tests.status import status_of
from ducktape.tests.suite_version import suite_text
from ducktape.utils.plural import counted

TEMPLATE_DIR = Path(ducktape.__file__).resolve().parent / "templates" / "report"
MAX_FILES_PER_TEST = 200
INDEX_SESSIONS = 20
INDEX_CACHE = ".ducktape-index-cache.json"
REPORT_SCRIPTS = ("common.js", "faults.js", "history.js", "timeline.js", "details.js", "since.js", "report.js")  # one inline script, in this order
INDEX_SCRIPTS = ("common.js", "index.js")
STATUS_KEYS = {
    "PASS": "num_passed", "FAIL": "num_failed", "IGNORE": "num_ignored",
    "FLAKY": "num_flaky", "OPASS": "num_opassed", "OFAIL": "num_ofailed",
}


def write_html_report(session_dir: Path, report: dict, since: dict | None = None, file_tree: dict | None = None) -> Path:
    """Write ``<session_dir>/report.html`` from the session ``report.json`` dict; return its path.
    *since* is the comparison with the previous session (``tests.compare.since_last_run``);
    *file_tree* (``{dir: (files, subdirs)}``, sorted) saves listing directories already listed."""
    session_dir = Path(session_dir)
    tests = _tests_view(session_dir, report, file_tree or {})
    payload = {"session": _session_view(report), "tests": tests, "groups": _groups_view(report, tests),
               "since": since}
    title = f"ducktape report {payload['session']['id']}"
    return _write_page(session_dir / "report.html", REPORT_SCRIPTS, title, payload)


def write_results_index(results_root: Path, skipped: list[str] | None = None, known: dict | None = None) -> Path:
    """Write ``<results_root>/index.html`` listing every session found there; return its path.

    A session whose report.json cannot be read or makes no sense is left out; when *skipped*
    is given, one line naming it is appended there. *known* maps session dir names to their
    report.json as already in memory (the session just written), so it is not read again."""
    results_root = Path(results_root)
    sessions = _load_index_summaries(results_root, skipped if skipped is not None else [], known or {})
    sessions.sort(key=lambda s: (s["start"] or 0, s["dir"]), reverse=True)
    payload = {"root": str(results_root), **_history_view(sessions, results_root)}
    return _write_page(results_root / "index.html", INDEX_SCRIPTS, "ducktape results", payload)


def earlier_sessions(results_root: str | Path, current_dir: str | Path | None = None) -> list[dict]:
    """The index's summary of every session under *results_root* but *current_dir*, oldest first:
    ``{"dir", "id", "start", "tests": {test_id: status}, "suite", "groups", ...}``."""
    root = Path(results_root)
    if not root.is_dir():
        return []
    current = Path(current_dir).name if current_dir is not None else None
    sessions = [s for s in _load_index_summaries(root, []) if s["dir"] != current]
    sessions.sort(key=lambda s: (s["start"] or 0, s["dir"]))
    return sessions


def _history_view(sessions: list[dict], results_root: Path) -> dict:
    """Sessions without their per-test maps, plus one status column per recent session.

    Test ids are listed once; each recent session carries a list of statuses aligned with them
    ("" where it did not run the test), so the page stays small with many sessions and tests.
    Recurring signatures count a merged session once, not again through its inputs beside it.
    """
    recent = sessions[:INDEX_SESSIONS]
    ids = sorted({test_id for s in recent for test_id in s["tests"]})
    listed = []
    for number, s in enumerate(sessions):
        row = {key: value for key, value in s.items() if key not in ("tests", "groups", "inputs")}
        row["total"] = s["total"]
        if number < INDEX_SESSIONS:
            row["statuses"] = [s["tests"].get(test_id, "") for test_id in ids]
        listed.append(row)
    return {"sessions": listed, "test_ids": ids, "recent": len(recent),
            "flaky": flaky_by_suite_version(sessions),
            "signatures": recurring_signatures(_without_merged_inputs(sessions, results_root))}


def _without_merged_inputs(sessions: list[dict], results_root: Path) -> list[dict]:
    """*sessions* but those that a merged session among them was made from (its shards): their
    results are in the merged session already."""
    merged = {os.path.realpath(d) for s in sessions for d in s.get("inputs") or []}
    if not merged:
        return sessions
    root = os.path.realpath(results_root)
    return [s for s in sessions if os.path.join(root, s["dir"]) not in merged]


# ----------------------------------------------------------------------------------------------
# page assembly


def _write_page(path: Path, script_names: tuple[str, ...], title: str, payload: dict) -> Path:
    """Inline CSS, JS and data into the page template and write it atomically."""
    script = "\n".join((TEMPLATE_DIR / name).read_text(encoding="utf-8") for name in script_names)
    page = (TEMPLATE_DIR / "report.html").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    parts = {
        "__TITLE__": html.escape(title),
        "__SCRIPT_HASH__": f"'sha256-{digest}'",
        "/*__CSS__*/": (TEMPLATE_DIR / "report.css").read_text(encoding="utf-8"),
        "__DATA__": embed_json(payload),
        "/*__SCRIPT__*/": script,
    }
    # One pass over the template only, so marker-like text inside the data is never replaced.
    page = re.sub("|".join(re.escape(marker) for marker in parts), lambda m: parts[m.group(0)], page)
    write_atomic(path, page)
    return path


def embed_json(value: Any) -> str:
    """JSON text that is inert inside a ``<script>`` element: no ``<`` can close the tag or open a comment."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


# ----------------------------------------------------------------------------------------------
# session report


def _session_view(report: dict) -> dict:
    """The session-level facts shown in the header and summary."""
    ctx = report.get("session_context") or {}
    counts = {status: report.get(key, 0) or 0 for status, key in STATUS_KEYS.items()}
    command = ctx.get("command_line") or ctx.get("cmdline") or ctx.get("argv")
    if isinstance(command, (list, tuple)):
        command = " ".join(str(part) for part in command)
    return {
        "id": str(ctx.get("session_id") or Path(str(ctx.get("results_dir") or "session")).name),
        "version": report.get("ducktape_version"),
        "start": _num(report.get("start_time")),
        "stop": _num(report.get("stop_time")),
        "duration": _num(report.get("run_time_seconds")),
        "counts": counts,
        "expected": report.get("expected_test_count") or ctx.get("expected_test_count"),
        "cluster_num_nodes": report.get("cluster_num_nodes"),
        "utilization": _num(report.get("cluster_utilization")),
        "parallelism": _num(report.get("parallelism")),
        "command": command,
        "results_dir": ctx.get("results_dir"),
        "suite": _suite_text(report),
        "notes": quarantine_lines(report.get("quarantine") if isinstance(report.get("quarantine"), dict) else None),
        "interrupted": bool(report.get("interrupted")),
        "cut_short": [str(test_id) for test_id in report.get("interrupted_tests") or []],
        "not_started": [str(test_id) for test_id in report.get("not_started") or []],
    }


def _suite_text(report: dict) -> str | None:
    """The session's suite version for the header; for a merged session whose inputs ran different
    versions, each input's."""
    own = suite_text(report.get("suite_version"))
    merged_from = (report.get("session_context") or {}).get("merged_from")
    if own or not isinstance(merged_from, list):
        return own
    versions = [(str(m.get("shard")), suite_text(m.get("suite_version"))) for m in merged_from if isinstance(m, dict)]
    if not any(text for _, text in versions):
        return None
    return "differs by input: " + ", ".join(f"{shard} {text or 'unknown'}" for shard, text in versions)


def _tests_view(session_dir: Path, report: dict, file_tree: dict | None = None) -> list[dict]:
    """One compact dict per test result, with the files found in its directory."""
    results = report.get("results") or []
    runs = repeat_numbers((str(r.get("test_id", "")), _index(r.get("test_index"))) for r in results)
    rows = []
    for number, result in enumerate(results):
        rel = _relative_dir(session_dir, result)
        rows.append({
            "k": number,
            "id": str(result.get("test_id", "")),
            "mod": str(result.get("module_name") or ""),
            "cls": str(result.get("cls_name") or ""),
            "fn": str(result.get("function_name") or ""),
            "st": str(result.get("test_status", "")).upper(),
            "s": _num(result.get("start_time")),
            "e": _num(result.get("stop_time")),
            "d": _num(result.get("run_time_seconds")),
            "a": result.get("injected_args"),
            "n": [str(node) for node in result.get("nodes") or []],
            "nu": result.get("nodes_used"),
            "na": result.get("nodes_allocated"),
            "m": result.get("summary") or "",
            "run": list(runs[number]) if runs[number][1] > 1 else None,
            "att": deflake_attempts(result.get("summary")),
            "atg": attempt_groups(result),
            "sig": result_failure_dict(result).get("signature", ""),
            "q": result["quarantine"].get("reason") if isinstance(result.get("quarantine"), dict) else None,
            "desc": result.get("description") or "",
            "data": result.get("data"),
            "svc": result.get("services") or [],
            "dir": rel,
            "f": _list_files(os.path.join(session_dir, rel), file_tree) if rel is not None else [],
            "fl": _faults_view(result.get("faults")),
            "sr": result.get("series") or [],
            "hi": result.get("history"),
            "sh": result.get("shard"),
        })
    return rows


def _groups_view(report: dict, tests: list[dict]) -> list[dict]:
    """The session's failure groups, largest first: signature, example line, how many results."""
    groups = session_failure_groups(report)
    counts: dict[str, int] = {}
    for row in tests:
        if row["sig"]:
            counts[row["sig"]] = counts.get(row["sig"], 0) + 1
    return [{"sig": g["signature"], "ex": g["example"], "ids": len(g["test_ids"]), "n": counts.get(g["signature"], 0)}
            for g in groups]


def _index(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _faults_view(faults: Any) -> list[dict]:
    """The faults a test applied (``report.json`` ``faults``), as the page draws them."""
    return [{"kind": str(f.get("kind", "")), "n": [str(n) for n in f.get("nodes") or []], "s": _num(f.get("start")),
             "e": _num(f.get("end")), "task": f.get("task_id"),
             **({"detail": f["detail"]} if f.get("kind") == "schedule" else {})}
            for f in faults or [] if isinstance(f, dict)]


def _relative_dir(session_dir: Path, result: dict) -> str | None:
    """The test's directory relative to the session dir, as a posix path without trailing slash."""
    rel = result.get("relative_results_dir")
    if not rel and result.get("results_dir"):
        try:
            rel = os.path.relpath(str(result["results_dir"]), str(session_dir))
        except ValueError:
            return None
    if not rel:
        return None
    rel = str(rel)
    if os.sep != "/" or "//" in rel or "/." in rel or rel.startswith("."):  # the rare one that needs normalising
        rel = Path(rel).as_posix()
    rel = rel.strip("/")
    return None if rel.startswith("..") else rel


def _list_files(test_dir: str, file_tree: dict | None) -> list[str]:
    """Files under a test directory (relative posix paths, sorted), at most MAX_FILES_PER_TEST;
    from *file_tree* when it lists the directory, in the order of the walk below."""
    if file_tree and test_dir in file_tree:
        return _tree_files(test_dir, "", file_tree, [])
    found: list[str] = []
    top = test_dir
    for root, dirs, files in os.walk(top):
        dirs.sort()
        base = "" if root == top else os.path.relpath(root, top).replace(os.sep, "/") + "/"
        for name in sorted(files):
            found.append(base + name)
            if len(found) >= MAX_FILES_PER_TEST:
                return found
    return found


def _tree_files(directory: str, base: str, file_tree: dict, found: list[str]) -> list[str]:
    files, subdirs = file_tree.get(directory, ((), ()))
    for name in files:
        found.append(base + name)
        if len(found) >= MAX_FILES_PER_TEST:
            return found
    for name in subdirs:
        _tree_files(os.path.join(directory, name), f"{base}{name}/", file_tree, found)
        if len(found) >= MAX_FILES_PER_TEST:
            return found
    return found


def _num(value: Any) -> float | None:
    """A finite float, or None for missing/unset values (upstream writes -1 for unset times)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None


# ----------------------------------------------------------------------------------------------
# results index


def _load_index_summaries(results_root: Path, skipped: list[str], known: dict | None = None) -> list[dict]:
    """A summary of each session dir under the root, reusing a cache keyed by report.json's stat."""
    cache_path = results_root / INDEX_CACHE
    try:
        cache = json.loads(cache_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cache = {}
    fresh: dict[str, dict] = {}
    summaries = []
    for entry in sorted(os.scandir(results_root), key=lambda e: e.name):
        if entry.is_symlink() or not entry.is_dir():
            continue
        report_path = Path(entry.path) / "report.json"
        if not report_path.exists():  # killed before its reports (or still running): its record says so
            report_path = Path(entry.path) / SESSION_FILE
        try:
            stat = report_path.stat()
        except OSError:
            continue
        stamp = [stat.st_mtime_ns, stat.st_size]
        cached = cache.get(entry.name) if isinstance(cache, dict) else None
        if (isinstance(cached, dict) and cached.get("stamp") == stamp and isinstance(cached.get("summary"), dict)
                and "inputs" in cached["summary"]):  # entries cached before merge inputs are read again
            summary = cached["summary"]
        else:
            try:
                summary = (_report_summary(entry.name, known[entry.name]) if entry.name in (known or {})
                           else _session_summary(entry.name, report_path))
            except Exception as err:  # noqa: BLE001 - one odd report.json must not cost the whole index
                summary = None
                skipped.append(f"results index: skipped {report_path}: not a session report ({err!r})")
            if summary is None:
                continue
        fresh[entry.name] = {"stamp": stamp, "summary": summary}
        summaries.append(summary)
    try:
        tmp = cache_path.with_name(f"{cache_path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(fresh), encoding="utf-8")
        os.replace(tmp, cache_path)
    except OSError:
        pass
    return summaries


def _session_summary(dir_name: str, report_path: Path) -> dict | None:
    """What the index needs from one session's report.json; None when it is unreadable."""
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return _report_summary(dir_name, report, report_path.name == SESSION_FILE) if isinstance(report, dict) else None


def _report_summary(dir_name: str, report: dict, record_only: bool = False) -> dict:
    view = _session_view(report)
    tests: dict[str, str] = {}
    results = report.get("results") or []
    for result in results:
        test_id = str(result.get("test_id", ""))
        status = str(result.get("test_status", "")).upper()
        if not status_of(tests.get(test_id, "")).fails_run:  # a FAIL in any run stays
            tests[test_id] = status
    return {
        "dir": dir_name, "id": view["id"], "start": view["start"], "duration": view["duration"],
        "counts": view["counts"], "version": view["version"], "tests": tests, "total": len(results),
        "suite": suite_key(report.get("suite_version")),
        "groups": [[g["signature"], g["test_ids"]] for g in session_failure_groups(report)],
        "incomplete": _incomplete(report, record_only, len(results)),
        "inputs": _merge_inputs(report),
    }


def _incomplete(report: dict, record_only: bool, total: int) -> str:
    """Why a session's results are not the whole run ("" when they are)."""
    if record_only:
        return "no session report: the run was killed or is still running (ducktape-report rebuild <dir>)"
    expected = report.get("expected_test_count")
    short = isinstance(expected, int) and total < expected
    if report.get("interrupted"):
        return f"interrupted: {total} of {counted(expected, 'test')} finished" if short \
            else "interrupted: the run was stopped before its end"
    return f"incomplete: {total} of {counted(expected, 'test')} finished" if short else ""


def _merge_inputs(report: dict) -> list[str]:
    """The session directories a merged session was made from ([] for a session that ran)."""
    merged_from = (report.get("session_context") or {}).get("merged_from")
    if not isinstance(merged_from, list):
        return []
    return [str(m["dir"]) for m in merged_from if isinstance(m, dict) and m.get("dir")]
