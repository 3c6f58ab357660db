"""Failure signatures: what two failures have in common once the run-specific details are gone.

A signature is the exception type and message with numbers, durations, hex ids, addresses,
host and node names, temp paths and timestamps replaced by placeholders, plus the innermost
frame of the test's own code (``file.py:function``, no line number). "timed out after 12.3 s
waiting for worker3" and "timed out after 45.1 s waiting for worker1", raised from the same
test function, share one signature. Pure functions over a result's summary text, so reports
written long ago (or by another machine) are grouped the same way.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ducktape.tests.reporters.runs import RUN_HEADER, RUN_PASSED

_TRACEBACK = "Traceback (most recent call last):"
_FRAME = re.compile(r'^  File "(?P<file>[^"]+)", line \d+, in (?P<func>.+)$')
_EXCEPTION_LINE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)(?:: (?P<message>.*))?$")
_SEPARATOR = re.compile(r"^~+$")
_REPR = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit|Timeout|TimedOut|Failure))\(")

# (pattern, placeholder), applied in this order: the wider forms first, bare numbers last.
_NORMALISE = [(re.compile(p, re.IGNORECASE), placeholder) for p, placeholder in (
    (r"\b\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?", "<time>"),
    (r"\b\d{4}-\d{2}-\d{2}\b", "<time>"),
    (r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b", "<time>"),
    (r"(?:/tmp|/var/tmp|/dev/shm)(?:/[^\s'\"(),;:]*)?", "<tmp>"),
    (r"\btmp[a-z0-9_]{6,}\b", "<tmp>"),
    (r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "<hex>"),
    (r"\b0x[0-9a-f]+\b", "<hex>"),
    (r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b", "<hex>"),
    (r"\bip-\d+-\d+-\d+-\d+(?:\.[\w-]+)*", "<host>"),
    (r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b", "<addr>"),
    (r"(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])", "<addr>"),
    (r"\b[\w-]+(?:\.[\w-]+)*\.(?:internal|local|localdomain|lan)\b", "<host>"),
    (r"\b(?:worker|node|host|broker|ducker|knode|server|vm|instance|machine)[-_]?\d+\b", "<host>"),
    (r"\b\d+(?:\.\d+)?\s?(?:ms|us|µs|ns|s|secs?|seconds?|mins?|minutes?|h|hours?)\b", "<duration>"),
    (r"\d+(?:\.\d+)?", "<n>"),
)]


@dataclass(frozen=True)
class Failure:
    """One failure read from a summary: the signature, the raw line that names the error, and the
    exception's type as the traceback wrote it ("" when the summary holds no traceback)."""

    signature: str
    example: str
    kind: str = ""


def normalise(text: str, host_names: Iterable[str] = ()) -> str:
    """*text* with run-specific details replaced by ``<time>``, ``<tmp>``, ``<hex>``, ``<addr>``,
    ``<host>``, ``<duration>`` and ``<n>``. *host_names* (the nodes the test held) are replaced
    first, whatever they look like."""
    for name in sorted({n for n in host_names if n}, key=len, reverse=True):
        text = re.sub(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", "<host>", text)
    for pattern, placeholder in _NORMALISE:
        text = pattern.sub(placeholder, text)
    return text


def attempt_blocks(summary: str | None) -> list[tuple[list[int], str]]:
    """The failures in a (possibly ``--deflake``-merged) summary: ``[(attempt numbers, text)]``.

    A summary of one run is one block for attempt 1; a merged one has a ``runs 1, 2 summary:``
    header per distinct failure and may end with ``run 3: PASSED`` (not a failure)."""
    lines = (summary or "").split("\n")
    if not any(RUN_HEADER.match(line.strip()) for line in lines):
        text = "\n".join(lines).strip("\n")
        return [([1], text)] if text.strip() else []
    blocks: list[tuple[list[int], list[str]]] = []
    for line in lines:
        header = RUN_HEADER.match(line.strip())
        if header:
            blocks.append(([int(n) for n in header.group(1).replace(" ", "").split(",") if n], []))
        elif blocks and not _SEPARATOR.match(line.strip()) and not RUN_PASSED.match(line.strip()):
            blocks[-1][1].append(line)
    return [(runs, "\n".join(body).strip("\n")) for runs, body in blocks]


def failure_of(text: str, test_file: str | None = None, host_names: Iterable[str] = ()) -> Failure:
    """The signature of one failure's text (``repr(error)`` then its traceback, or a plain message)."""
    lines = text.split("\n")
    first = next((line.strip() for line in lines if line.strip()), "(no error message)")
    starts = [i for i, line in enumerate(lines) if line.strip() == _TRACEBACK]
    if not starts:
        kind = _REPR.match(first)  # "ValueError('...')": the repr of the error, without its traceback
        return Failure(normalise(first, host_names), first, kind.group(1) if kind else "")
    block = lines[starts[-1] + 1:]  # the last traceback is the exception that ended the test
    frames = [m for m in (_FRAME.match(line) for line in block) if m]
    error_line = next((line for line in block if line and not line.startswith(" ")), first)
    match = _EXCEPTION_LINE.match(error_line)
    if match:
        kind, message = match.group("type"), (match.group("message") or "")
    else:
        kind, message = "", error_line
    frame = _own_frame(frames, test_file)
    text = f"{kind}: {normalise(message, host_names)}" if kind else normalise(message, host_names)
    where = f" @ {frame}" if frame else ""
    return Failure(text.rstrip(": ") + where, error_line.strip(), kind)


def _own_frame(frames: list[re.Match], test_file: str | None) -> str:
    """``file.py:function`` of the innermost frame in the test's module (else outside any
    installed package or ducktape itself); "" when there is none."""
    own = [f for f in frames if test_file and os.path.abspath(f.group("file")) == os.path.abspath(test_file)]
    if not own:
        own = [f for f in frames if not _library_file(f.group("file"))]
    if not own:
        return ""
    frame = own[-1]
    return f"{os.path.basename(frame.group('file'))}:{frame.group('func')}"


def _library_file(path: str) -> bool:
    """True for frames of installed packages, the standard library and ducktape itself."""
    if "site-packages" in path or "dist-packages" in path or path.startswith("<"):
        return True
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the ducktape package
    stdlib = os.path.dirname(os.__file__)
    return os.path.abspath(path).startswith((here + os.sep, stdlib + os.sep))


def result_failure(summary: str | None, test_file: str | None = None, host_names: Iterable[str] = ()) -> Failure:
    """The failure that ended a test: that of its last failed attempt."""
    blocks = attempt_blocks(summary)
    if not blocks:
        return Failure("(no error message)", "")
    _, text = max(blocks, key=lambda block: max(block[0]))
    return failure_of(text, test_file, host_names)


def failure_groups(results: Iterable[dict]) -> list[dict]:
    """``[{"signature", "example", "test_ids"}]`` of the failed results (dicts as in ``report.json``;
    those that failed carry ``failure``), the group with most results first."""
    groups: dict[str, dict] = {}
    for result in results:
        failure = result.get("failure")
        if not isinstance(failure, dict) or not failure.get("signature"):
            continue
        signature = failure["signature"]
        group = groups.setdefault(signature, {"signature": signature, "example": failure.get("example", ""),
                                              "test_ids": [], "_count": 0})
        group["_count"] += 1
        if result["test_id"] not in group["test_ids"]:
            group["test_ids"].append(result["test_id"])
    ordered = sorted(groups.values(), key=lambda g: (-g["_count"], -len(g["test_ids"]), g["signature"]))
    return [{key: value for key, value in group.items() if key != "_count"} for group in ordered]


def result_failure_dict(result: dict) -> dict:
    """``{"signature", "example"}`` of a failed ``report.json`` result ({} for one that did not fail);
    computed from the summary for reports written before signatures existed."""
    failure = result.get("failure")
    if isinstance(failure, dict):
        return failure
    if str(result.get("test_status", "")).upper() not in ("FAIL", "OFAIL"):
        return {}
    found = result_failure(result.get("summary"), result.get("file_name"), result.get("nodes") or [])
    return {"signature": found.signature, "example": found.example}


def session_failure_groups(report: dict) -> list[dict]:
    """A session ``report.json``'s ``failure_groups``, computed for reports that lack them."""
    groups = report.get("failure_groups")
    if not isinstance(groups, list):
        groups = failure_groups({**r, "failure": result_failure_dict(r)} for r in report.get("results") or []
                                if isinstance(r, dict))
    return [{"signature": str(g["signature"]), "example": str(g.get("example", "")),
             "test_ids": [str(t) for t in g.get("test_ids") or []]}
            for g in groups if isinstance(g, dict) and g.get("signature")]
