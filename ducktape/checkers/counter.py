"""check_counter: reads of a counter against the adds that could have preceded them."""
from __future__ import annotations

from collections.abc import Iterable

from ducktape.checkers.operations import Operation, operations
from ducktape.checkers.result import CheckResult

CHECKER = "counter"
_LISTED = 20


def _bounds(read: Operation, adds: list[Operation]) -> tuple[float, float]:
    """Lowest and highest value *read* may see: adds acknowledged before it began surely
    count; adds invoked before it ended that did not fail may or may not."""
    low = high = 0
    for add in adds:
        if add.start > read.end:
            continue
        delta = add.value
        if add.type == "ok" and add.end < read.start:
            low += delta
            high += delta
        else:
            low += min(delta, 0)
            high += max(delta, 0)
    return low, high


def check_counter(history: Iterable[dict]) -> CheckResult:
    """``add`` operations (value: the delta, initial counter 0) and ``read``s (value: the count).
    Every completed read must lie within its bounds; the result lists those that do not."""
    ops = operations(history)
    adds = [op for op in ops if op.f == "add" and op.type != "fail"]
    for add in adds:
        if isinstance(add.value, bool) or not isinstance(add.value, (int, float)):
            raise ValueError(  # noqa: TRY004 - a bad history is a ValueError, as load_history's
                f"operation #{add.index} ({add.describe()}): a counter add's value is a number")
    reads = [op for op in ops if op.f == "read" and op.type == "ok"]
    errors = []
    for read in reads:
        low, high = _bounds(read, adds)
        if not (isinstance(read.result, (int, float)) and low <= read.result <= high):
            errors.append({"op": read.to_json(), "lower": low, "upper": high})
    details = {"reads": len(reads), "adds": len(adds), "errors_count": len(errors), "errors": errors[:_LISTED]}
    if not reads:
        return CheckResult(None, CHECKER, "unknown: no read of the counter completed", details)
    if not errors:
        return CheckResult(True, CHECKER, f"counter ok: {len(reads)} reads within their bounds", details)
    first = errors[0]
    summary = (f"counter invalid: {len(errors)} of {len(reads)} reads out of bounds (e.g. read "
               f"{first['op']['value']!r} by process {first['op']['process']}, expected "
               f"{first['lower']}..{first['upper']})")
    return CheckResult(False, CHECKER, summary, details)
