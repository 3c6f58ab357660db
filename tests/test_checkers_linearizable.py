"""check_linearizable on histories with known answers, simulated ones, and mutated ones."""
from __future__ import annotations

import random

import pytest

from ducktape.checkers import check_linearizable
from tests.support.histories import history, op, simulate


def w(p, v, s, e, kind="ok", key="x"):
    return op(p, "write", key, v, s, e, kind=kind)


def r(p, v, s, e, key="x"):
    return op(p, "read", key, None, s, e, result=v)


def cas(p, expected, new, s, e, kind="ok", key="x"):
    return op(p, "cas", key, [expected, new], s, e, kind=kind)


@pytest.mark.parametrize("model", ["register", "cas-register"])
@pytest.mark.parametrize("ops", [
    [],
    [r(0, None, 0, 1)],  # never written: null
    [w(0, 1, 0, 1), r(1, 1, 2, 3)],
    [w(0, 1, 0, 10), r(1, None, 1, 2), r(2, 1, 3, 4)],  # a slow write seen part-way
    [w(0, 1, 0, 3), w(1, 2, 1, 4), r(2, 1, 5, 6)],  # concurrent writes: 2 may come first
    [w(0, 1, 0, 1), r(1, 1, 1, 2)],  # touching in time counts as concurrent, and here as ordered too
], ids=["empty", "unwritten", "sequential", "slow-write", "concurrent-writes", "touching"])
def test_valid_histories(model, ops):
    result = check_linearizable(history(*ops), model)
    assert result.valid is True, result.summary
    assert result.to_json()["valid"] is True


BOTH = pytest.mark.parametrize("model", ["register", "cas-register"])


@BOTH
def test_a_stale_read_is_invalid_and_explained(model):
    h = history(w(0, 1, 0, 1), w(1, 2, 2, 3), r(2, 1, 4, 5))
    result = check_linearizable(h, model)
    assert result.valid is False
    data = result.to_json()
    assert data["checker"] == "linearizable" and data["key"] == "x"
    assert data["states"] == [2]
    assert data["op"]["f"] == "read" and data["op"]["value"] == 1 and data["op"]["process"] == 2
    assert [o["process"] for o in data["window"]] == [2]
    assert [(o["process"], o["value"]) for o in data["writers"]] == [(1, 2)]  # where state 2 came from
    assert "read x -> 1 by process 2" in result.summary and "cannot follow state(s) 2" in result.summary


@BOTH
def test_a_lost_write_is_invalid(model):
    result = check_linearizable(history(w(0, 1, 0, 1), r(1, None, 2, 3)), model)
    assert result.valid is False
    assert result.to_json()["states"] == [1]


@BOTH
def test_a_new_then_old_read_is_invalid_with_the_slow_write_in_the_window(model):
    h = history(w(0, 1, 0, 10), r(1, 1, 1, 2), r(2, None, 3, 4))
    data = check_linearizable(h, model).to_json()
    assert data["valid"] is False
    assert data["op"]["process"] == 2
    assert data["states"] == [1]


def test_the_window_holds_the_pending_operations_and_every_possible_state():
    # writes 1 and 2 overlap, both done before the read of 3 begins: either may be last
    h = history(w(0, 1, 0, 2), w(1, 2, 1, 3), w(3, 3, 5, 20, kind="info"), r(2, 4, 6, 7))
    data = check_linearizable(h).to_json()
    assert data["valid"] is False
    assert data["states"] == [1, 2]
    window = {(o["process"], o["f"]) for o in data["window"]}
    assert window == {(2, "read"), (3, "write")}


@pytest.mark.parametrize("reads,valid", [
    ([1], True),
    ([None], True),
    ([None, 1], True),  # the unknown write takes effect between the reads
    ([1, None], False),  # once seen it cannot be undone
    ([2], False),
])
@BOTH
def test_an_indeterminate_write_may_or_may_not_have_happened(reads, valid, model):
    ops = [w(0, 1, 0, 1, kind="info")]
    ops += [r(1 + i, v, 2 + 2 * i, 3 + 2 * i) for i, v in enumerate(reads)]
    assert check_linearizable(history(*ops), model).valid is valid


def test_an_invoke_without_completion_counts_as_indeterminate():
    h = history(op(0, "write", "x", 1, 0, None, kind=None), r(1, None, 2, 3), r(2, 1, 4, 5))
    assert check_linearizable(h).valid is True
    h = history(op(0, "write", "x", 1, 0, None, kind=None), r(1, 1, 2, 3), r(2, None, 4, 5))
    assert check_linearizable(h).valid is False


@BOTH
def test_a_failed_write_did_not_happen(model):
    assert check_linearizable(history(w(0, 1, 0, 1, kind="fail"), r(1, None, 2, 3)), model).valid is True
    assert check_linearizable(history(w(0, 1, 0, 1, kind="fail"), r(1, 1, 2, 3)), model).valid is False


@pytest.mark.parametrize("ops,valid", [
    ([cas(0, None, 1, 0, 1), r(1, 1, 2, 3)], True),  # the initial value is null
    ([cas(0, 0, 1, 0, 1)], False),  # expected 0, but the register held null
    ([w(0, 5, 0, 1), cas(1, 5, 6, 2, 3), r(2, 6, 4, 5)], True),
    ([w(0, 5, 0, 1), cas(1, 4, 6, 2, 3, kind="fail"), r(2, 5, 4, 5)], True),
    ([w(0, 5, 0, 1), cas(1, 5, 6, 2, 3, kind="info"), r(2, 6, 4, 5)], True),
    ([w(0, 5, 0, 1), cas(1, 4, 6, 2, 3, kind="info"), r(2, 6, 4, 5)], False),  # could not have applied
    ([w(0, 5, 0, 1), cas(1, 5, 6, 2, 3), cas(2, 5, 7, 4, 5)], False),  # both cannot win
    ([w(0, 5, 0, 1), cas(1, 5, 6, 2, 3), r(2, 5, 4, 5)], False),  # an acknowledged cas lost
    ([w(0, 5, 0, 1), cas(1, 5, 6, 2, 3), r(2, 6, 4, 5), r(3, 5, 6, 7)], False),  # ... or undone
    ([w(0, 5, 0, 1), cas(1, 5, 6, 2, 6), cas(2, 6, 7, 3, 5), r(3, 7, 7, 8)], True),
])
def test_cas_register(ops, valid):
    assert check_linearizable(history(*ops), "cas-register").valid is valid


def test_keys_are_independent_and_the_invalid_one_is_named():
    h = history(w(0, 1, 0, 1, key="a"), w(1, 1, 0, 1, key="b"), r(2, 1, 2, 3, key="a"), r(3, 2, 2, 3, key="b"))
    data = check_linearizable(h).to_json()
    assert data["valid"] is False and data["key"] == "b" and data["invalid_keys"] == ["b"]
    assert data["keys"] == 2


def test_values_compare_as_json_lists_and_objects():
    h = history(w(0, {"a": [1, 2]}, 0, 1), r(1, {"a": [1, 2]}, 2, 3))
    assert check_linearizable(h).valid is True


def test_out_of_time_is_none_not_a_verdict():
    # twenty unknown writes then an impossible read: the search must try every subset of them
    ops = [w(p, p, 0, 1, kind="info") for p in range(20)] + [r(99, 999, 10, 11)]
    result = check_linearizable(history(*ops), time_limit=0.0)
    assert result.valid is None
    assert result.to_json()["undecided_keys"] == ["x"]


def test_bad_input_is_refused_with_the_fix():
    with pytest.raises(ValueError, match='use model="cas-register"'):
        check_linearizable(history(cas(0, None, 1, 0, 1)), "register")
    with pytest.raises(ValueError, match="unknown model 'queue'"):
        check_linearizable([], "queue")
    with pytest.raises(ValueError, match="never invoked"):
        check_linearizable([{"process": 0, "type": "ok", "f": "read", "key": "x", "value": 1, "time": 1}])
    with pytest.raises(ValueError, match="before its invoke"):
        check_linearizable(op(0, "write", "x", 1, 5, 4))
    with pytest.raises(ValueError, match="still in flight"):
        check_linearizable(op(0, "read", "x", None, 0, 1, kind=None) * 2)


@pytest.mark.parametrize("seed", range(8))
def test_simulated_histories_are_linearizable(seed):
    h = simulate(2000, processes=10, keys=20, seed=seed, cas=seed % 2 == 0, info_rate=0.03)
    result = check_linearizable(h, "cas-register" if seed % 2 == 0 else "register")
    assert result.valid is True, result.summary


@pytest.mark.parametrize("seed", range(8))
def test_mutated_histories_are_not(seed):
    rng = random.Random(seed)
    h = simulate(2000, processes=10, keys=20, seed=seed, cas=True)
    reads = [e for e in h if e["f"] == "read" and e["type"] == "ok"]
    bad = rng.choice(reads)
    bad["value"] = 1000 + seed  # a value no client ever wrote
    data = check_linearizable(h, "cas-register").to_json()
    assert data["valid"] is False
    assert data["key"] == bad["key"]
    assert data["op"]["process"] == bad["process"] and data["op"]["end"] == bad["time"]


@pytest.mark.parametrize("seed", range(4))
def test_a_read_moved_past_a_later_write_is_caught(seed):
    """Sequential clients (no overlap) on one key: a read that returns the value before the
    last completed write is stale."""
    rng = random.Random(seed)
    events, value, t = [], None, 0.0
    for i in range(300):
        if rng.random() < 0.5:
            value = i
            events += w(i % 5, i, t, t + 0.5)
        else:
            events += r(i % 5, value, t, t + 0.5)
        t += 1.0
    stale = [k for k in range(1, len(events) - 2, 2) if events[k]["f"] == "read"
             and any(e["f"] == "write" and e["type"] == "ok" and e["time"] < events[k - 1]["time"]
                     for e in events[:k - 1])]
    target = events[rng.choice(stale)]
    writes_before = [e["value"] for e in events if e["f"] == "write" and e["type"] == "ok" and e["time"] < target["time"]]
    current = writes_before[-1]
    target["value"] = writes_before[-2] if len(writes_before) > 1 and writes_before[-2] != current else None
    assert check_linearizable(events).valid is False


@pytest.mark.parametrize("seed", range(4))
def test_the_explaining_sweep_agrees_on_valid_histories(seed):
    from ducktape.checkers.explain import find_anomaly
    from ducktape.checkers.linearizable import searched_operations
    from ducktape.checkers.models import model_named
    from ducktape.checkers.operations import by_key, operations

    h = simulate(1000, processes=10, keys=10, seed=seed, info_rate=0.05)
    for key_ops in by_key(operations(h)).values():
        assert find_anomaly(searched_operations(key_ops), model_named("cas-register")) is None


def _brute_force(ops, model):
    """Linearizable by trying every order: real-time order kept, unknown operations optional."""
    from ducktape.checkers.linearizable import searched_operations

    ops = searched_operations(ops)

    def extend(state, done):
        if all(o.index in done for o in ops if o.end is not None):
            return True
        for o in ops:
            if o.index in done:
                continue
            # o may go next only if no operation left undone completed before o began
            if any(p.end is not None and p.end < o.start for p in ops if p.index not in done and p is not o):
                continue
            accepted, after = model.step(state, o)
            if accepted and extend(after, done | {o.index}):
                return True
        return False

    return extend(None, frozenset())


@pytest.mark.parametrize("seed", range(300))
def test_small_random_histories_agree_with_trying_every_order(seed):
    from ducktape.checkers.explain import find_anomaly
    from ducktape.checkers.linearizable import searched_operations
    from ducktape.checkers.models import model_named
    from ducktape.checkers.operations import operations

    rng = random.Random(seed)
    ops = []
    for p in range(rng.randint(1, 4)):
        t = rng.random()
        for _ in range(rng.randint(1, 2)):
            f = rng.choice(("read", "write", "cas"))
            end = t + rng.random()
            value = [rng.choice((None, 1, 2)), rng.choice((1, 2))] if f == "cas" else rng.choice((1, 2))
            kind = rng.choice(("ok", "ok", "ok", "fail", "info"))
            ops.append(op(p, f, "x", value, t, end, result=rng.choice((None, 1, 2)), kind=kind))
            t = end + rng.random() * 0.3
    h = history(*ops)
    model = model_named("cas-register")
    expected = _brute_force(operations(h), model)
    assert check_linearizable(h, "cas-register").valid is expected
    # the sweep that explains an anomaly finds one exactly when there is one
    assert (find_anomaly(searched_operations(operations(h)), model) is None) is expected


def test_identical_unknown_operations_are_twins():
    from ducktape.checkers.operations import operations
    from ducktape.checkers.search import twins

    h = history(w(0, 1, 0, 1, kind="info"), w(1, 2, 0, 1, kind="info"), w(2, 1, 2, 3, kind="info"),
                w(3, 1, 2, 3), cas(4, 1, 2, 4, 5, kind="info"), cas(5, 1, 2, 6, 7, kind="info"))
    assert twins(operations(h)) == [None, None, 0, None, None, 4]


def test_an_unexplained_anomaly_is_still_invalid(monkeypatch):
    from ducktape.checkers import explain

    monkeypatch.setattr(explain, "MAX_CONFIGURATIONS", 0)  # the explaining sweep gives up at once
    result = check_linearizable(history(w(0, 1, 0, 1), w(1, 2, 2, 3), r(2, 1, 4, 5)))
    data = result.to_json()
    assert result.valid is False and data["window"] == [] and data["op"] is None
    assert "window not found within limits" in result.summary
