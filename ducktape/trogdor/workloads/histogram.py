"""A log-bucketed latency histogram (HDR style): bounded relative error, no upper cap.

Values are non-negative integers (microseconds here). Below 2**(SUB_BITS+1) each value
has its own bucket; above, a bucket spans 2**shift values where shift grows with the
value's magnitude, so every bucket is at most 1/2**SUB_BITS of its lower bound wide:
with SUB_BITS = 7 a reported percentile is within 0.8% of the true one. Buckets live
in a dict, so memory grows with the number of distinct buckets, not with the range.
"""
from __future__ import annotations

import threading

SUB_BITS = 7


def bucket_of(value: int) -> int:
    """The lower bound of the bucket holding ``value``."""
    shift = value.bit_length() - (SUB_BITS + 1)
    if shift <= 0:
        return value
    return (value >> shift) << shift


def bucket_top(low: int) -> int:
    """The largest value in the bucket starting at ``low``."""
    shift = low.bit_length() - (SUB_BITS + 1)
    return low if shift <= 0 else low + (1 << shift) - 1


class Histogram:
    """Counts, min, max, mean and percentiles of recorded values; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[int, int] = {}
        self.count = 0
        self.total = 0
        self.min: int | None = None
        self.max = 0

    def record(self, value: int) -> None:
        value = max(0, int(value))
        low = bucket_of(value)
        with self._lock:
            self._buckets[low] = self._buckets.get(low, 0) + 1
            self.count += 1
            self.total += value
            self.max = max(self.max, value)
            self.min = value if self.min is None else min(self.min, value)

    def percentile(self, p: float) -> int:
        """The value at percentile ``p`` (0..100): the top of its bucket, at most the max."""
        with self._lock:
            if not self.count:
                return 0
            rank = max(1, -(-self.count * p // 100))  # ceil, at least the first value
            seen = 0
            for low in sorted(self._buckets):
                seen += self._buckets[low]
                if seen >= rank:
                    return min(bucket_top(low), self.max)
            return self.max

    def mean(self) -> float:
        return self.total / self.count if self.count else 0.0
