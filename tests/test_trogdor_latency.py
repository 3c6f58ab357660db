"""The request-latency workload against loopback servers with a known, injected delay."""
from __future__ import annotations

import http.server
import json
import socket
import subprocess
import threading
import time

import pytest

from tests.support.trogdor import TROGDOR

DELAY_S = 0.040


class _SlowHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self):
        time.sleep(DELAY_S)
        code = 500 if self.path == "/fail" else 200
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_http():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def run_exec(spec: dict) -> dict:
    full = {"class": "ducktape.trogdor.RequestLatencySpec", "clientNode": "here", **spec}
    result = subprocess.run([*TROGDOR, "agent", "--node-name", "here", "--exec", json.dumps(full)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["status"]


def test_http_percentiles_see_the_injected_delay(slow_http):
    status = run_exec({"target": f"http://127.0.0.1:{slow_http}/", "protocol": "http",
                       "targetRate": 50, "durationMs": 2000})
    latency = status["latencyMs"]
    assert status["errors"] == 0 and status["count"] >= 60, status
    delay_ms = DELAY_S * 1000
    assert latency["min"] >= delay_ms and latency["p50"] >= delay_ms
    assert latency["p50"] <= latency["p95"] <= latency["p99"] <= latency["p99.9"] <= latency["max"]
    assert latency["p50"] < delay_ms + 500  # generous: a loaded 2-core machine, not a timing of our code
    rows = status["perSecond"]
    assert [r["second"] for r in rows][:2] == [0, 1] and sum(r["count"] for r in rows) == status["count"]
    assert all(r["p50Ms"] >= delay_ms for r in rows if r["count"] > r["errors"])


def test_open_loop_counts_a_stall_as_latency(slow_http):
    """One sender and a server slower than the schedule: requests queue behind each other,
    so latency (measured from each request's due time) grows far beyond the server's delay."""
    status = run_exec({"target": f"http://127.0.0.1:{slow_http}/", "protocol": "http",
                       "targetRate": 100, "maxInFlight": 1, "durationMs": 1500})
    assert status["latencyMs"]["max"] > 10 * DELAY_S * 1000, status["latencyMs"]


def test_http_errors_are_counted(slow_http):
    status = run_exec({"target": f"http://127.0.0.1:{slow_http}/fail", "protocol": "http",
                       "targetRate": 20, "durationMs": 600})
    assert status["errors"] == status["count"] > 0 and status["errorSamples"] == ["HTTP 500"]


def test_tcp_connect_target_and_refused_port():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(512)
    port = listener.getsockname()[1]
    try:
        ok = run_exec({"target": f"127.0.0.1:{port}", "targetRate": 100, "durationMs": 800})
    finally:
        listener.close()
    assert ok["errors"] == 0 and ok["count"] >= 40 and ok["latencyMs"]["max"] > 0
    refused = run_exec({"target": f"127.0.0.1:{port}", "targetRate": 50, "durationMs": 400})
    assert refused["errors"] == refused["count"] > 0
    assert refused["errorSamples"][0].startswith("connect:")
