#!/usr/bin/env python3
"""An ExternalCommand worker in Python: counts up to workload["count"], one step per
workload["intervalMs"], reporting progress as the task's status.

Protocol: read ONE JSON line from stdin ({"id": ..., "workload": ...}); print JSON
lines to stdout with "status", "log" or "error"; exit 0 when done. SIGTERM means stop.
"""
import json
import signal
import sys
import time

stopping = False


def on_term(signum, frame):
    global stopping
    stopping = True


def say(**message):
    print(json.dumps(message), flush=True)  # one object per line, flushed at once


def main():
    signal.signal(signal.SIGTERM, on_term)
    first = json.loads(sys.stdin.readline())
    workload = first.get("workload") or {}
    count = int(workload.get("count", 10))
    interval = int(workload.get("intervalMs", 100)) / 1000.0
    say(log=f"task {first['id']}: counting to {count}")
    for i in range(1, count + 1):
        if stopping:
            say(log="stopped early", status={"counted": i - 1, "of": count, "stopped": True})
            return 0
        say(status={"counted": i, "of": count})
        time.sleep(interval)
    if workload.get("failAtEnd"):
        say(error="asked to fail at the end")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
