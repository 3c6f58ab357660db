"""The end of a session: the reports, index.html and ``latest`` survive a Ctrl-C while they are
written, a closed stdout, and a sibling session whose report.json is nonsense. Real ``ducktape``
processes on the embedded LocalhostCluster, real pipes and real signals."""
from __future__ import annotations

import errno
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.support.suites import OURS_DUCKTAPE, run_ducktape, write_suite

SUITE = {
    "suite/test_end.py": """
        import time

        from ducktape.mark.resource import cluster
        from ducktape.tests.test import Test


        class EndTest(Test):
            @cluster(num_nodes=1)
            def test_one(self):
                time.sleep(0.3)

            @cluster(num_nodes=1)
            def test_two(self):
                time.sleep(0.3)
        """,
}


def _session_dirs(results: Path) -> list[Path]:
    return sorted(p for p in results.iterdir() if p.is_dir() and not p.is_symlink() and p.name[:1].isdigit())


def _assert_session_complete(results: Path) -> Path:
    """The newest session has every report, ``latest`` points at it, index.html lists it."""
    session = _session_dirs(results)[-1]
    for name in ("report.json", "report.html", "report.xml", "report.txt"):
        assert (session / name).is_file(), f"{name} missing from {session}"
    assert (results / "latest").resolve() == session.resolve()
    assert session.name in (results / "index.html").read_text()
    return session


def _start(suite_dir: Path, **popen) -> subprocess.Popen:
    env = dict(os.environ, HOME=str(suite_dir))
    return subprocess.Popen([*OURS_DUCKTAPE, "suite"], cwd=suite_dir, env=env, text=True, **popen)


def test_a_closed_stdout_costs_neither_latest_nor_the_index(suite_dir: Path):
    """``ducktape ... | head -1``: the console reporters fail on EPIPE, the others still run."""
    write_suite(suite_dir, SUITE)
    proc = _start(suite_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline()  # like head -1: one line, then the pipe is closed
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert proc.wait(timeout=120) == 0, stderr
    assert "Traceback" not in stderr and "Logging error" not in stderr, stderr
    session = _assert_session_complete(suite_dir / "results")
    log = (session / "session_log.info").read_text()
    assert log.count("ConsoleReporter.session_finished failed: Broken pipe") == 1, log
    assert log.count("ProgressReporter.test_finished failed") == 1, log  # once, not once per test
    assert "Traceback" not in log


def test_a_malformed_sibling_report_is_skipped_with_one_line(suite_dir: Path):
    write_suite(suite_dir, SUITE)
    odd = suite_dir / "results" / "odd-session"
    odd.mkdir(parents=True)
    (odd / "report.json").write_text('{"results": 5, "start_time": "yesterday"}')
    for _ in range(2):  # the second run too: one odd sibling must not stick for every later run
        proc = run_ducktape(["suite"], cwd=suite_dir)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        out = proc.stdout + proc.stderr
        assert "Traceback" not in out, out
        notes = [line for line in out.splitlines() if "odd-session" in line]
        assert len(notes) == 1 and "skipped" in notes[0], out
        _assert_session_complete(suite_dir / "results")


@pytest.mark.parametrize("signals", [1, 2])
def test_ctrl_c_while_the_reports_are_written_still_leaves_them(suite_dir: Path, signals: int):
    """The driver is held inside the index writer by a sibling report.json that is a FIFO (the
    read blocks until we write); one or two SIGINTs arrive there; the reports and ``latest`` must all
    be written, and the exit status says the run was interrupted (the tests all passed)."""
    write_suite(suite_dir, SUITE)
    results = suite_dir / "results"
    blocker = results / "zz-blocker"
    blocker.mkdir(parents=True)
    fifo = blocker / "report.json"
    os.mkfifo(fifo)
    proc = _start(suite_dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.append(proc.stdout.read()), daemon=True)
    reader.start()
    held = _open_when_read(fifo, proc)  # the driver is reading it: the reports are under way
    try:
        for _ in range(signals):
            os.kill(proc.pid, signal.SIGINT)
        os.write(held, b"not json")
    except BrokenPipeError:  # the driver died of the signals
        pass
    finally:
        os.close(held)
    status = proc.wait(timeout=120)
    reader.join(timeout=30)
    text = output[0]
    assert status == 1, text  # every report is written, yet the user stopped the run: not a success
    _assert_session_complete(results)
    assert "while writing the session reports" in text and "Traceback" not in text, text


def _open_when_read(fifo: Path, proc: subprocess.Popen, limit: float = 120) -> int:
    """Open *fifo* for writing once a reader has it open (without blocking, so a driver that
    never reads it fails the test instead of hanging it)."""
    deadline = time.monotonic() + limit
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as err:
            if err.errno != errno.ENXIO:  # ENXIO: no reader yet
                raise
        assert proc.poll() is None, "ducktape ended without reading the sibling report.json"
        assert time.monotonic() < deadline, "ducktape never read the sibling report.json"
        time.sleep(0.01)


def test_a_third_ctrl_c_while_the_reports_are_written_aborts_leaving_no_half_file(suite_dir: Path):
    write_suite(suite_dir, SUITE)
    results = suite_dir / "results"
    blocker = results / "zz-blocker"
    blocker.mkdir(parents=True)
    os.mkfifo(blocker / "report.json")
    proc = _start(suite_dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    held = _open_when_read(blocker / "report.json", proc)
    debug_log = _session_dirs(results)[-1] / "session_log.debug"
    try:
        for count in range(1, 4):  # one at a time: signals sent together may arrive as one
            os.kill(proc.pid, signal.SIGINT)
            _wait_for_text(debug_log, f"late signal {count} of 3", proc)
        out, _ = proc.communicate(timeout=120)
    finally:
        os.close(held)
    assert proc.returncode != 0, out
    assert "ducktape: interrupted" in out and "Traceback" not in out, out
    session = _session_dirs(results)[-1]
    assert (session / "report.json").is_file() and (session / "report.html").is_file()  # written before the index
    assert not [p.name for p in [*session.iterdir(), *results.iterdir()] if p.name.endswith(".tmp")]


def _wait_for_text(path: Path, text: str, proc: subprocess.Popen, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while text not in (path.read_text() if path.exists() else ""):
        assert time.monotonic() < deadline, f"{text!r} never appeared in {path}"
        if proc.poll() is not None:
            break  # the last signal ended the run: the log says so or the assertions below will
        time.sleep(0.01)
