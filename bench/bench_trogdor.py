"""Trogdor benchmark: agent start time and memory, and the request-latency workload's
maximum request rate on this machine.

1. Agent start: from exec to "listening" (median of --runs), run the way nodes run it
   (``python3 trogdor.pyz agent``) and from the installed package; resident memory
   idle and with 100 NoOp workers.
2. RequestLatency at an unreachable target rate (open loop, so it sends as fast as it
   can): requests per second reached against a loopback TCP listener and a loopback HTTP
   server, each served by its own process.

Upstream ducktape 0.17.0 has no Trogdor (Kafka's is Java and needs a Kafka build), so
these are figures for this machine, not ratios.

    .venv/bin/python bench/bench_trogdor.py [--runs N] [--seconds S]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ducktape.trogdor.pack import build_zipapp
from ducktape.trogdor.rest import RestClient

TOKEN = "bench-token"

SERVERS = {
    "tcp": """
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(4096); print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept(); c.close()
""",
    "http": """
import http.server
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H); s.daemon_threads = True
print(s.server_address[1], flush=True); s.serve_forever()
""",
}


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def start_agent(argv: list[str], work: Path) -> tuple[subprocess.Popen, float, int]:
    token = work / "token"
    token.write_text(TOKEN)
    t0 = time.perf_counter()
    proc = subprocess.Popen([*argv, "agent", "--node-name", "bench", "--bind", "127.0.0.1", "--port", "0",
                             "--token-file", str(token), "--state-dir", str(work / "state")],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - t0
    return proc, elapsed, int(line.rsplit(":", 1)[1])


def bench_start(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pyz = build_zipapp(str(work / "trogdor.pyz"))
        for label, argv in (("python3 trogdor.pyz", ["python3", pyz]),
                            ("python -m ducktape.trogdor", [sys.executable, "-m", "ducktape.trogdor"])):
            times = []
            for i in range(runs):
                run_dir = work / f"{label.split()[0]}-{i}"
                run_dir.mkdir()
                proc, elapsed, port = start_agent(argv, run_dir)
                times.append(elapsed)
                if i == 0:
                    idle = rss_kb(proc.pid)
                    client = RestClient("127.0.0.1", port, TOKEN)
                    for w in range(100):
                        client.post("/agent/worker/create", {"workerId": w, "taskId": f"t{w}", "spec": {
                            "class": "ducktape.trogdor.NoOpTaskSpec", "startMs": int(time.time() * 1000),
                            "durationMs": 600000}})  # from now: a worker whose end has passed never runs
                    loaded = rss_kb(proc.pid)
                proc.terminate()
                proc.wait(30)
            print(f"agent start ({label}): median {statistics.median(times) * 1000:.0f} ms, "
                  f"min {min(times) * 1000:.0f} ms over {runs} runs; RSS idle {idle / 1024:.1f} MiB, "
                  f"with 100 NoOp workers {loaded / 1024:.1f} MiB")
        print(f"agent zip file: {Path(pyz).stat().st_size / 1024:.0f} KiB")


def bench_rate(seconds: float) -> None:
    for protocol, code in SERVERS.items():
        server = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        try:
            port = int(server.stdout.readline())
            target = f"127.0.0.1:{port}" if protocol == "tcp" else f"http://127.0.0.1:{port}/"
            spec = {"class": "ducktape.trogdor.RequestLatencySpec", "clientNode": "bench", "target": target,
                    "protocol": protocol, "targetRate": 1_000_000, "maxInFlight": 32,
                    "durationMs": int(seconds * 1000)}
            out = subprocess.run([sys.executable, "-m", "ducktape.trogdor", "agent", "--node-name", "bench",
                                  "--exec", json.dumps(spec)], capture_output=True, text=True, check=True).stdout
            status = json.loads(out)["status"]
            lat = status["latencyMs"]
            print(f"request-latency max rate ({protocol}, 32 in flight, {seconds:.0f}s): "
                  f"{status['throughput']:.0f} requests/s, {status['errors']} errors; "
                  f"latency p50 {lat['p50']} ms (open loop: includes the backlog)")
        finally:
            server.kill()
            server.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    args, _ = parser.parse_known_args()  # run_all.py passes flags meant for other benches
    bench_start(args.runs)
    bench_rate(args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
