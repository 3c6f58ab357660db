"""Round trips of every event kind through encode/decode, and rejection of bad messages."""
from __future__ import annotations

import json
import multiprocessing

import pytest

from ducktape.tests import events


@pytest.mark.parametrize(
    "event",
    [
        events.started(1234),
        events.heartbeat(),
        events.phase("setUp"),
        events.service("Svc-0-1", ["worker1", "worker2"]),
        events.finished({"test_id": "a.B.test_c", "test_status": "PASS"}, interrupted=True, unreachable=["w3"]),
    ],
    ids=lambda e: e["event"],
)
def test_round_trip(event):
    assert events.decode(events.encode(event)) == event


def test_every_kind_has_a_round_trip_case():
    kinds = {"started", "heartbeat", "phase", "service", "finished"}
    assert set(events.FIELDS) == kinds


def test_round_trip_over_a_real_pipe():
    parent, child = multiprocessing.Pipe(duplex=False)
    child.send_bytes(events.encode(events.service("S-0-9", ["n1"])))
    got = events.decode(parent.recv_bytes())
    assert got["event"] == "service" and got["service_id"] == "S-0-9" and got["nodes"] == ["n1"]


def test_unserialisable_values_become_strings():
    got = events.decode(events.encode(events.finished({"data": {1, 2}})))
    assert got["result"]["data"] in ("{1, 2}", "{2, 1}")


def test_unknown_tag_is_named():
    with pytest.raises(events.EventError, match="'bogus'"):
        events.decode(json.dumps({"event": "bogus", "time": 1}).encode())


def test_missing_field_is_named():
    with pytest.raises(events.EventError, match="service_id"):
        events.decode(json.dumps({"event": "service", "time": 1, "nodes": []}).encode())


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"\xff\xfe"])
def test_garbage_is_rejected(raw):
    with pytest.raises(events.EventError):
        events.decode(raw)


def test_a_write_error_crosses_the_pipe_with_its_errno():
    import errno

    sent = events.finished({"test_id": "t"}, write_error=OSError(errno.ENOSPC, "No space left on device"))
    err = events.write_error(events.decode(events.encode(sent)))
    assert (err.errno, err.strerror) == (errno.ENOSPC, "No space left on device")
    assert events.write_error(events.decode(events.encode(events.finished({})))) is None
