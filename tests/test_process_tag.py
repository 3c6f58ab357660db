"""The process tag's shell command on this machine (real processes), and the session record's
notion of a dead driver."""
from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import time

from ducktape.cluster import process_tag
from ducktape.tests.leftovers import RECORD_DIR, SessionRecord, process_start_time


def _spawn(env_tag: str | None) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop(process_tag.TAG_VARIABLE, None)
    if env_tag:
        env[process_tag.TAG_VARIABLE] = env_tag
    return subprocess.Popen(["sleep", "3611"], env=env, start_new_session=True)


def test_kill_command_ends_exactly_the_tagged_processes():
    session = process_tag.new_session_tag()
    mine, sibling, untagged = (_spawn(process_tag.tag_for(session, 1)), _spawn(process_tag.tag_for(session, 12)),
                               _spawn(None))
    try:
        time.sleep(0.1)  # let them exec
        out = subprocess.run(["sh", "-c", process_tag.kill_command(process_tag.tag_pattern(
            process_tag.tag_for(session, 1)))], capture_output=True, text=True, check=True).stdout
        assert process_tag.parse_killed(out) == [f"{mine.pid} sleep"]
        assert mine.wait(timeout=10) == -9
        assert sibling.poll() is None and untagged.poll() is None  # -12 is another test: not a prefix match
        out = subprocess.run(["sh", "-c", process_tag.kill_command(process_tag.session_pattern(session))],
                             capture_output=True, text=True, check=True).stdout
        assert process_tag.parse_killed(out) == [f"{sibling.pid} sleep"]
        assert untagged.poll() is None
    finally:
        for proc in (mine, sibling, untagged):
            proc.kill()
            proc.wait()


def test_only_a_dead_driver_of_this_machine_makes_a_record_stale(tmp_path):
    directory = tmp_path / RECORD_DIR
    directory.mkdir()
    gone = subprocess.Popen(["true"])
    gone.wait()
    records = {
        "dead": {"driver_host": socket.gethostname(), "driver_pid": gone.pid, "driver_start": "1"},
        "alive": {"driver_host": socket.gethostname(), "driver_pid": os.getpid(),
                  "driver_start": process_start_time(os.getpid())},
        "elsewhere": {"driver_host": "some-other-machine", "driver_pid": gone.pid, "driver_start": "1"},
    }
    for name, record in records.items():
        (directory / f"{name}.json").write_text(json.dumps(
            {"session_id": name, "tag": process_tag.new_session_tag(), "hosts": ["h"], **record}))
    (directory / "garbage.json").write_text("{not json")
    session = SessionRecord(str(tmp_path), "me", process_tag.new_session_tag(), logging.getLogger("t"))
    session.open()
    assert [r["session_id"] for r in session.stale] == ["dead"]
