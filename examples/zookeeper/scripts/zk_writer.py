"""Write znodes one after another and read each back; print one JSON line per attempt.

Runs on a cluster node (copied there by ZkClientService) with a Python that has kazoo.

    zk_writer.py HOSTS PATH PID_FILE RECORD_FILE   write PATH/0000000001, ... until SIGTERM
    zk_writer.py HOSTS PATH --list                 print the children of PATH as one JSON line

Each attempt prints (and appends to RECORD_FILE) {"n", "start", "end", "ok", "error"}: ok means ZooKeeper acknowledged
the write and the read returned the same value.
"""
import json
import os
import signal
import sys
import time

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException
from kazoo.handlers.threading import KazooTimeoutError


def emit(record, record_file=None):
    line = json.dumps(record)
    print(line, flush=True)
    if record_file is not None:
        record_file.write(line + "\n")
        record_file.flush()


def write_until_stopped(zk, path, record_file):
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    zk.ensure_path(path)
    n = 0
    while not stopping:
        n += 1
        value = str(n).encode()
        start = time.time()
        try:
            created = zk.create(f"{path}/{n:010d}", value)
            ok = zk.get(created)[0] == value
            emit({"n": n, "start": start, "end": time.time(), "ok": ok, "error": None if ok else "read differs"},
                 record_file)
        except (KazooException, KazooTimeoutError) as err:
            emit({"n": n, "start": start, "end": time.time(), "ok": False, "error": type(err).__name__}, record_file)
            time.sleep(0.1)
        time.sleep(0.02)


def main():
    hosts, path = sys.argv[1], sys.argv[2]
    zk = KazooClient(hosts=hosts, timeout=4.0, connection_retry={"max_tries": -1, "max_delay": 0.5})
    zk.start(timeout=30)
    try:
        if "--list" in sys.argv[3:]:
            emit(sorted(int(child) for child in zk.get_children(path)))
        else:
            pid_file, record_path = sys.argv[3], sys.argv[4]
            with open(pid_file, "w") as out:
                out.write(f"{os.getpid()}\n")
            with open(record_path, "a") as record_file:
                write_until_stopped(zk, path, record_file)
    finally:
        zk.stop()
        zk.close()


if __name__ == "__main__":
    main()
