"""check_set: elements added to a set against a final read of the whole set."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from ducktape.checkers.operations import freeze, operations, thaw
from ducktape.checkers.result import CheckResult

CHECKER = "set"
_LISTED = 20  # elements shown per category; the counts are always whole


def _shown(elements: Iterable[Any]) -> list:
    return sorted((thaw(e) for e in elements), key=repr)[:_LISTED]


def check_set(history: Iterable[dict]) -> CheckResult:
    """``add`` operations (value: the element) and a final ``read`` (value: every element).

    Lost: added ok before the read began, not read. Unexpected: read but never attempted (failed
    adds did not happen). Duplicated: read more than once. Adds of unknown outcome may be
    read or not. Valid is None when no read completed."""
    ops = operations(history)
    reads = [op for op in ops if op.f == "read" and op.type == "ok"]
    if not reads:
        return CheckResult(None, CHECKER, "unknown: no read of the set completed", {"adds": 0})
    final = max(reads, key=lambda op: op.end)
    if not isinstance(final.result, list):
        raise ValueError(  # noqa: TRY004 - a bad history is a ValueError, as load_history's
            f"operation #{final.index} ({final.describe()}): a set read returns a list")
    adds = [op for op in ops if op.f == "add"]
    read = Counter(freeze(v) for v in final.result)
    attempted = {freeze(op.value) for op in adds if op.type != "fail"}
    confirmed = {freeze(op.value) for op in adds if op.type == "ok" and op.end <= final.start}
    lost = confirmed - set(read)
    unexpected = set(read) - attempted
    duplicated = {e for e, n in read.items() if n > 1}
    recovered = {freeze(op.value) for op in adds if op.type == "info"} & set(read)
    valid = not (lost or unexpected or duplicated)
    details = {"adds": len(adds), "ok_adds": sum(op.type == "ok" for op in adds), "read_size": len(final.result),
               "lost_count": len(lost), "lost": _shown(lost),
               "unexpected_count": len(unexpected), "unexpected": _shown(unexpected),
               "duplicated_count": len(duplicated), "duplicated": _shown(duplicated),
               "recovered_count": len(recovered), "op": final.to_json()}
    if valid:
        summary = f"set ok: {len(confirmed)} acknowledged adds all read, {len(recovered)} unknown adds recovered"
    else:
        parts = [f"{n} {what}" for n, what in ((len(lost), "lost"), (len(unexpected), "unexpected"),
                                                (len(duplicated), "duplicated")) if n]
        summary = "set invalid: " + ", ".join(parts) + f" element(s) (e.g. {_example(lost, unexpected, duplicated)})"
    return CheckResult(valid, CHECKER, summary, details)


def _example(*groups: set) -> str:
    for group in groups:
        if group:
            return repr(_shown(group)[0])
    return "-"
