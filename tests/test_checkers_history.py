"""Recording histories (HistoryRecorder), loading and merging them (load_history)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading

import pytest

from ducktape.checkers import (
    HistoryRecorder,
    check_linearizable,
    history_dir,
    load_history,
)


class Clock:
    def __init__(self, start=0.0):
        self.now = start

    def __call__(self):
        self.now += 1.0
        return self.now


def test_a_recorder_writes_each_event_as_a_line(tmp_path):
    path = tmp_path / "history" / "0.jsonl"
    with HistoryRecorder(path, 0, clock=Clock()) as rec:
        rec.invoke("write", "x", 1)
        rec.ok()
        rec.invoke("read", "x")
        rec.ok(1)
        rec.invoke("cas", "x", [1, 2])
        rec.fail()
        rec.invoke("write", "x", 3)
        rec.info()
    events = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(e["type"], e["f"], e["value"], e["time"]) for e in events] == [
        ("invoke", "write", 1, 1.0), ("ok", "write", 1, 2.0), ("invoke", "read", None, 3.0), ("ok", "read", 1, 4.0),
        ("invoke", "cas", [1, 2], 5.0), ("fail", "cas", [1, 2], 6.0), ("invoke", "write", 3, 7.0),
        ("info", "write", 3, 8.0)]
    assert all(e["process"] == 0 and e["key"] == "x" and isinstance(e["wall"], float) for e in events)
    assert check_linearizable(load_history(path), "cas-register").valid is True


def test_one_operation_in_flight_per_process(tmp_path):
    rec = HistoryRecorder(tmp_path / "p.jsonl", "client-a")
    with pytest.raises(ValueError, match="no operation in flight"):
        rec.ok()
    rec.invoke("read", "x")
    assert rec.in_flight["f"] == "read"
    with pytest.raises(ValueError, match="already has 'read' in flight"):
        rec.invoke("write", "x", 1)
    rec.fail()
    assert rec.in_flight is None
    with pytest.raises(TypeError, match="process must be"):
        HistoryRecorder(tmp_path / "q.jsonl", 1.5)
    rec.close()


def test_threads_sharing_one_recorder_never_tear_a_line(tmp_path):
    path = tmp_path / "0.jsonl"
    rec = HistoryRecorder(path, 0)
    lock = threading.Lock()  # the workload's own: one operation in flight at a time

    def work():
        for i in range(200):
            with lock:
                rec.invoke("write", "x", i)
                rec.ok()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rec.close()
    assert len(load_history(path)) == 1600


def test_a_killed_client_keeps_every_event_it_recorded(tmp_path):
    path = tmp_path / "7.jsonl"
    script = (
        "import sys, time\n"
        "from ducktape.checkers import HistoryRecorder\n"
        f"rec = HistoryRecorder({str(path)!r}, 7)\n"
        "for i in range(50):\n"
        "    rec.invoke('write', 'x', i); rec.ok()\n"
        "rec.invoke('write', 'x', 50)\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n")
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    events = load_history(path)
    assert len(events) == 101
    assert events[-1]["type"] == "invoke" and events[-1]["value"] == 50
    # the write left in flight may or may not have happened
    assert check_linearizable(events).valid is True


def test_load_history_merges_files_and_directories_by_time(tmp_path):
    a, b = Clock(0.0), Clock(0.5)
    with HistoryRecorder(tmp_path / "h" / "0.jsonl", 0, clock=a) as r0, \
            HistoryRecorder(tmp_path / "h" / "node2" / "1.jsonl", 1, clock=b) as r1:
        for rec in (r0, r1):
            rec.invoke("write", "x", rec.process)
            rec.ok()
    (tmp_path / "h" / "notes.txt").write_text("not a history")
    events = load_history(tmp_path / "h")
    assert [(e["process"], e["time"]) for e in events] == [(0, 1.0), (1, 1.5), (0, 2.0), (1, 2.5)]
    assert load_history(tmp_path / "h" / "0.jsonl", tmp_path / "h" / "node2") == events


def test_equal_times_keep_file_order(tmp_path):
    for name, process in (("a.jsonl", 1), ("b.jsonl", 0)):
        (tmp_path / name).write_text(json.dumps({"process": process, "type": "invoke", "f": "read",
                                                 "key": "x", "value": None, "time": 5}) + "\n")
    assert [e["process"] for e in load_history(tmp_path)] == [1, 0]


@pytest.mark.parametrize("line,message", [
    ("{not json", "not JSON"),
    ('{"process": 0, "type": "invoke", "f": "read"}', "missing 'time'"),
    ('{"process": 0, "type": "done", "f": "read", "time": 1}', '"type" must be one of'),
    ('{"process": 0.5, "type": "ok", "f": "read", "time": 1}', '"process" must be'),
    ('{"process": 0, "type": "ok", "f": "read", "time": "noon"}', '"time" must be a finite number'),
    ('{"process": 0, "type": "ok", "f": "read", "time": 1, "key": [1]}', '"key" must be'),
    ('[1, 2]', "must be a JSON object"),
])
def test_a_bad_line_names_file_and_line(tmp_path, line, message):
    path = tmp_path / "3.jsonl"
    good = json.dumps({"process": 3, "type": "invoke", "f": "read", "key": "x", "value": None, "time": 0})
    path.write_text(good + "\n\n" + line + "\n")
    with pytest.raises(ValueError) as err:
        load_history(path)
    assert str(err.value).startswith(f"{path}:3: ") and message in str(err.value)
    assert "hint:" in str(err.value)


def test_a_missing_path_is_named(tmp_path):
    with pytest.raises(ValueError, match="no history file or directory at .*nowhere"):
        load_history(tmp_path / "nowhere")


def test_history_dir_is_made_under_the_test_results(tmp_path):
    class Context:
        results_dir = str(tmp_path / "results" / "Test" / "test_x" / "1")

    path = history_dir(Context())
    assert path == os.path.join(Context.results_dir, "history") and os.path.isdir(path)
    assert history_dir(Context()) == path
