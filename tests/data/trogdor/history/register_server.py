"""A register per key over HTTP, for the Trogdor history tests: GET /KEY reads, PUT /KEY writes
{"value"}, POST /KEY/cas compares and sets {"expected", "new"} (RegisterWorkloadSpec's protocol).
Usage: register_server.py HOST PORT [--stale]; prints "listening PORT" once it is. With --stale
it serves reads from a copy refreshed every 0.1 s: the planted bug a checker must find."""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
REGISTERS = {}
COPY = {"values": {}, "taken": 0.0}
STALE = "--stale" in sys.argv


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

    def do_GET(self):
        key = self.path.strip("/")
        with LOCK:
            if STALE and time.monotonic() - COPY["taken"] > 0.1:
                COPY["values"], COPY["taken"] = dict(REGISTERS), time.monotonic()
            self._answer({"value": (COPY["values"] if STALE else REGISTERS).get(key)})

    def do_PUT(self):
        value = self._body()["value"]
        with LOCK:
            REGISTERS[self.path.strip("/")] = value
            self._answer({"ok": True})

    def do_POST(self):
        body, key = self._body(), self.path.strip("/").split("/")[0]
        with LOCK:
            swapped = REGISTERS.get(key) == body["expected"]
            if swapped:
                REGISTERS[key] = body["new"]
            self._answer({"ok": swapped})


server = ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), Handler)
print("listening", server.server_address[1], flush=True)
server.serve_forever()
