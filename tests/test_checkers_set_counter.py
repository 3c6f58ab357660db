"""check_set and check_counter on histories with known answers."""
from __future__ import annotations

import pytest

from ducktape.checkers import check_counter, check_set
from tests.support.histories import history, op


def add(p, v, s, e, kind="ok"):
    return op(p, "add", None, v, s, e, kind=kind)


def read(p, v, s, e):
    return op(p, "read", None, None, s, e, result=v)


def test_a_set_read_holding_every_acknowledged_add_is_valid():
    h = history(add(0, 1, 0, 1), add(1, 2, 0, 1), add(2, 3, 0, 1, kind="info"), add(3, 4, 0, 1, kind="info"),
                read(0, [1, 2, 3], 5, 6))
    result = check_set(h)
    assert result.valid is True
    data = result.to_json()
    assert data["checker"] == "set" and data["recovered_count"] == 1 and data["lost_count"] == 0


def test_set_anomalies_are_counted_and_listed():
    h = history(add(0, 1, 0, 1), add(1, 2, 0, 1), add(2, 3, 0, 1, kind="fail"), add(3, 4, 0, 1),
                read(0, [1, 3, 4, 4, 9], 5, 6))
    result = check_set(h)
    data = result.to_json()
    assert result.valid is False
    assert (data["lost"], data["unexpected"], data["duplicated"]) == ([2], [3, 9], [4])
    assert result.summary.startswith("set invalid: 1 lost, 2 unexpected, 1 duplicated")


def test_an_add_acknowledged_after_the_read_began_is_not_lost():
    assert check_set(history(add(0, 1, 0, 10), read(1, [], 5, 6))).valid is True


def test_the_last_read_is_the_final_one_and_no_read_is_unknown():
    h = history(add(0, 1, 0, 1), read(1, [], 0.5, 0.6), read(1, [1], 2, 3))
    assert check_set(h).valid is True
    assert check_set(history(add(0, 1, 0, 1))).valid is None


@pytest.mark.parametrize("reads,valid", [
    ([(0, 0, 1)], True),
    ([(3, 10, 11)], True),  # 1 + 2 acknowledged before
    ([(2, 10, 11)], False),  # an acknowledged add of 2 is missing
    ([(8, 10, 11)], True),  # the unknown add of 5 happened
    ([(9, 10, 11)], False),  # more than every add could make
    ([(1, 1.5, 1.6)], True),  # concurrent with the add of 2, before it
    ([(10, 30, 31)], True),  # the add still running at the read's start may count
])
def test_counter_reads_lie_between_their_bounds(reads, valid):
    ops = [add(0, 1, 0, 1), add(1, 2, 1, 2), add(2, 5, 3, 4, kind="info"), add(3, 7, 3, 4, kind="fail"),
           add(4, 2, 29, 40)]
    ops += [read(9, v, s, e) for v, s, e in reads]
    result = check_counter(history(*ops))
    assert result.valid is valid, result.summary
    if not valid:
        assert result.to_json()["errors"][0]["lower"] == 3 and result.to_json()["errors"][0]["upper"] == 8


def test_negative_deltas_widen_the_bounds_downwards():
    h = history(add(0, 5, 0, 1), add(1, -3, 2, 4, kind="info"), read(2, 2, 3, 5))
    assert check_counter(h).valid is True
    h = history(add(0, 5, 0, 1), add(1, -3, 2, 4, kind="info"), read(2, 1, 3, 5))
    assert check_counter(h).valid is False


def test_counter_without_reads_is_unknown_and_bad_deltas_are_named():
    assert check_counter(history(add(0, 1, 0, 1))).valid is None
    with pytest.raises(ValueError, match="a counter add's value is a number"):
        check_counter(history(add(0, "one", 0, 1)))
