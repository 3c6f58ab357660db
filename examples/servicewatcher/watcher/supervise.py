"""Run one unit detached: ``python -m watcher.supervise UNIT_DIR``.

Forks twice so the caller returns at once and the supervisor belongs to no one (a monitor
that dies does not take its units along). The supervisor writes its pid, runs
``UNIT_DIR/command`` with bash, and when the command ends writes ``result``: its exit
status (negative for a signal), or ``stopped`` when it was asked to stop with SIGTERM.
"""
import os
import signal
import subprocess
import sys
import time


def supervise(directory: str) -> None:
    with open(os.path.join(directory, "command")) as handle:
        command = handle.read()
    stopping = []
    log = open(os.path.join(directory, "output"), "ab")  # noqa: SIM115 - lives as long as the unit
    child = subprocess.Popen(["bash", "-c", command], stdout=log, stderr=log, stdin=subprocess.DEVNULL)

    def stop(*_):
        stopping.append(True)
        child.terminate()

    signal.signal(signal.SIGTERM, stop)
    with open(os.path.join(directory, "pid.tmp"), "w") as handle:
        handle.write(f"{os.getpid()}\n")
    os.replace(os.path.join(directory, "pid.tmp"), os.path.join(directory, "pid"))
    status = child.wait()
    with open(os.path.join(directory, "result"), "w") as handle:
        handle.write("stopped\n" if stopping else f"{status}\n")


def main() -> None:
    directory = os.path.abspath(sys.argv[1])
    if os.fork():
        # wait until the supervisor has written its pid, so state() is right when we return
        pid_file = os.path.join(directory, "pid")
        for _ in range(200):
            if os.path.exists(pid_file):
                break
            time.sleep(0.01)
        os._exit(0)
    os.setsid()
    if os.fork():
        os._exit(0)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    supervise(directory)


if __name__ == "__main__":
    main()
