"""An ExternalCommand workload: clients that read, write and compare-and-set registers over HTTP
and record every operation as JSON lines in $TROGDOR_HISTORY_DIR, written by hand (any language
can), under process ids prefixed with $TROGDOR_HISTORY_PROCESS."""
import json
import os
import random
import sys
import threading
import time
import urllib.request

task = json.loads(sys.stdin.readline())
workload = task["workload"]


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(workload["url"] + path, data=data, method=method)
    with urllib.request.urlopen(request, timeout=2) as answer:
        return json.loads(answer.read())


def client(n):
    process = os.environ["TROGDOR_HISTORY_PROCESS"] + str(n)
    rng = random.Random(workload["seed"] * 100 + n)
    seen = {}
    with open(os.path.join(os.environ["TROGDOR_HISTORY_DIR"], f"{n}.jsonl"), "a") as out:
        def record(kind, f, key, value):
            event = {"process": process, "type": kind, "f": f, "key": key, "value": value,
                     "time": time.monotonic(), "wall": time.time()}
            out.write(json.dumps(event) + "\n")
            out.flush()

        for i in range(workload["ops"]):
            key, f = rng.choice(workload["keys"]), rng.choice(("read", "read", "write", "cas"))
            value = None if f == "read" else (workload["seed"] * 1000 + n) * 10000 + i
            if f == "cas":
                value = [seen.get(key), value]
            record("invoke", f, key, value)
            try:
                if f == "read":
                    seen[key] = call("GET", "/" + key)["value"]
                    record("ok", f, key, seen[key])
                elif f == "write":
                    call("PUT", "/" + key, {"value": value})
                    record("ok", f, key, value)
                else:
                    swapped = call("POST", f"/{key}/cas", {"expected": value[0], "new": value[1]})["ok"]
                    record("ok" if swapped else "fail", f, key, value)
            except OSError:
                record("info", f, key, value)  # a timeout: it may have happened


threads = [threading.Thread(target=client, args=(n,)) for n in range(workload["clients"])]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({"status": {"ops": workload["ops"] * workload["clients"]}}), flush=True)
