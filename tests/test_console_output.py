"""The console, as a person at a terminal sees it (a real pty) and as CI sees it (a pipe): one line
format for driver and test processes, colour on a terminal only (NO_COLOR honoured), nothing written
over the live progress line, the running tests named on it, ``-v``/``-q`` (issue 15, item 7)."""
from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import termios
import time
from pathlib import Path

import pytest

from tests.support.suites import OURS_DUCKTAPE, run_ducktape, write_suite

ERASE = "\r\x1b[K"
COLOUR = re.compile(r"\x1b\[[\d;]*m")
ONE_FORMAT = re.compile(r"^\[(DEBUG|INFO|WARNING|ERROR|CRITICAL):\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\]: ")
ANY_LOG_LINE = re.compile(r"^\[(DEBUG|INFO|WARNING|ERROR|CRITICAL)\b")

SUITE = {"con/test_con.py": """
    import threading
    import time

    from ducktape.mark import timeout
    from ducktape.mark.resource import cluster
    from ducktape.tests.test import Test


    class ConsoleTest(Test):
        @cluster(num_nodes=1)
        def test_thread_dies(self):
            self.logger.info("info line from the test")
            worker = threading.Thread(target=self._boom, name="worker-7")
            worker.start()
            worker.join()

        def _boom(self):
            raise RuntimeError("worker exploded")

        @cluster(num_nodes=1)
        def test_slow(self):
            time.sleep(1.5)

        @cluster(num_nodes=1)
        def test_fails(self):
            raise AssertionError("plainly wrong")

        @timeout(0.5)
        @cluster(num_nodes=1)
        def test_hangs(self):
            time.sleep(60)
    """}


def run_in_pty(args: list[str], cwd: Path, env: dict | None = None, limit: float = 120) -> tuple[int, str]:
    """Run ducktape with a 200-column pseudo-terminal as stdin, stdout and stderr; return (status, output)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    full_env.update({"HOME": str(cwd), "TERM": "xterm", **(env or {})})
    proc = subprocess.Popen([*OURS_DUCKTAPE, *args], cwd=cwd, env=full_env, stdin=slave, stdout=slave,
                            stderr=slave, start_new_session=True)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + limit
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: every writer has closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        status = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return status, b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def suite(tmp_path_factory) -> Path:
    return write_suite(tmp_path_factory.mktemp("console"), SUITE)


@pytest.fixture(scope="module")
def on_terminal(suite) -> str:
    status, out = run_in_pty(["con", "--max-parallel", "2"], suite)
    assert status == 1, out
    return out


def _lines(out: str) -> list[str]:
    """Console lines as they end up on screen: each live-line erase starts a fresh line, colour removed."""
    text = COLOUR.sub("", out).replace("\r\n", "\n").replace(ERASE, "\n")
    return [line.strip("\r") for line in text.split("\n") if line.strip("\r")]


def test_driver_and_test_process_lines_share_one_format(on_terminal):
    log_lines = [line for line in _lines(on_terminal) if ANY_LOG_LINE.match(line)]
    assert any("Discovered 4 tests" in line for line in log_lines)  # a driver line
    test_lines = [line for line in log_lines if "ConsoleTest.test_" in line]
    assert test_lines, on_terminal
    bad = [line for line in log_lines if not ONE_FORMAT.match(line)]
    assert not bad, bad
    assert any(re.match(ONE_FORMAT.pattern + r"con\.test_con\.ConsoleTest\.test_thread_dies: thread worker-7 "
                                             r"ended with RuntimeError", line) for line in log_lines), log_lines


def test_a_thread_traceback_is_logged_and_never_written_over_the_live_line(on_terminal):
    assert "Exception in thread" not in on_terminal  # Python's raw stderr report
    plain = COLOUR.sub("", on_terminal)
    start = plain.index("thread worker-7 ended with RuntimeError")
    record_start = plain.rindex("[ERROR:", 0, start)
    assert plain[record_start - len(ERASE):record_start] == ERASE  # the live line was erased first
    assert "RuntimeError: worker exploded" in plain[start:]


def test_the_live_line_names_the_running_tests(on_terminal):
    assert re.search(r"\| running: [^\r\n]*ConsoleTest\.test_slow \(\d:\d\d\)", COLOUR.sub("", on_terminal))


def test_colour_on_a_terminal(on_terminal):
    assert "\x1b[31;1mFAIL\x1b[0m" in on_terminal  # the failure line and the tables
    assert "\x1b[33mWARNING\x1b[0m" in on_terminal or "\x1b[31;1mERROR\x1b[0m" in on_terminal


def test_timeout_message_says_where_the_stacks_are(on_terminal):
    plain = COLOUR.sub("", on_terminal)
    assert "the stack of every thread was written to test_log.info" in plain
    assert "written just above" not in plain


def test_no_colour_with_no_color_or_off_a_terminal(suite):
    status, out = run_in_pty(["con", "--max-parallel", "2"], suite, env={"NO_COLOR": "1"})
    assert status == 1, out
    assert not COLOUR.search(out), repr(out[:500])
    assert ERASE in out  # still a live line
    proc = run_ducktape(["con", "--max-parallel", "2"], cwd=suite)
    assert proc.returncode == 1
    assert "\x1b" not in proc.stdout + proc.stderr


def test_quiet_and_verbose(suite):
    quiet = run_ducktape(["con", "-q"], cwd=suite)
    assert quiet.returncode == 1
    assert "[INFO:" not in quiet.stdout
    progress = [line for line in quiet.stdout.splitlines() if re.match(r"^\[\d/4\] ", line)]
    assert progress and all(" PASS " not in line for line in progress)
    assert any("FAIL   con.test_con.ConsoleTest.test_fails" in line for line in progress)
    assert "info line from the test" not in quiet.stdout

    normal = run_ducktape(["con"], cwd=suite)
    assert "[INFO:" in normal.stdout and "info line from the test" not in normal.stdout
    assert any(" PASS " in line for line in normal.stdout.splitlines() if re.match(r"^\[\d/4\] ", line))

    verbose = run_ducktape(["con", "-v"], cwd=suite)
    lines = [line for line in verbose.stdout.splitlines() if "info line from the test" in line]
    assert len(lines) == 1 and ONE_FORMAT.match(lines[0]), verbose.stdout
    assert "con.test_con.ConsoleTest.test_thread_dies: info line from the test" in lines[0]


def test_the_session_log_files_keep_upstreams_formats(suite):
    run_ducktape(["con", "-q"], cwd=suite)
    latest = suite / "results" / "latest"
    assert ONE_FORMAT.match((latest / "session_log.info").read_text().splitlines()[0])
    test_log = next(latest.glob("**/test_thread_dies/**/test_log.info")).read_text()
    assert re.search(r"^\[INFO  - \d{4}-.* - lineno:\d+\]: info line from the test$", test_log, re.MULTILINE)
    assert not COLOUR.search(test_log) and "\r" not in test_log
