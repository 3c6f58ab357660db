"""examples/etcd's client against a real single-member etcd on loopback: get, put and CAS over
the HTTP/JSON gateway, and errors that say whether a request may have taken effect (a refused
connection did not; a member that stopped answering may have applied it)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

import pytest

from examples.etcd.etcd_kv import EtcdKv, NotSent, Unknown


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def etcd(tmp_path):
    client, peer = _free_port(), _free_port()
    url = f"http://127.0.0.1:{client}"
    log = open(tmp_path / "etcd.log", "wb")  # noqa: SIM115 - closed after the process ends
    proc = subprocess.Popen(
        ["/usr/bin/etcd", "--name", "solo", "--data-dir", str(tmp_path / "data"),
         "--listen-client-urls", url, "--advertise-client-urls", url,
         "--listen-peer-urls", f"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
         "--initial-cluster", f"solo=http://127.0.0.1:{peer}"],
        stdout=subprocess.DEVNULL, stderr=log)
    try:
        kv = EtcdKv(url, timeout=1.0)
        deadline = time.monotonic() + 30
        while True:
            try:
                kv.put("ready", 1)
                break
            except (NotSent, Unknown):
                assert time.monotonic() < deadline, (tmp_path / "etcd.log").read_text()[-2000:]
                time.sleep(0.1)
        yield proc, kv
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGCONT)
            proc.kill()
        proc.wait()
        log.close()


def test_get_put_and_cas(etcd):
    _proc, kv = etcd
    assert kv.get("x") is None
    assert kv.cas("x", None, 1) is False, "a missing key never matches"
    kv.put("x", 5)
    assert kv.get("x") == 5 and kv.get("x", serializable=True) == 5
    assert kv.cas("x", 4, 6) is False and kv.get("x") == 5
    assert kv.cas("x", 5, 6) is True and kv.get("x") == 6


def test_a_member_that_stops_answering_gives_an_unknown_outcome(etcd):
    proc, kv = etcd
    kv.get("x")  # an open connection, as a busy client has
    os.kill(proc.pid, signal.SIGSTOP)
    try:
        with pytest.raises(Unknown):
            kv.put("x", 1)
        with pytest.raises(Unknown):
            EtcdKv(kv.url, timeout=0.5).put("x", 2)  # a new connection: the kernel still accepts it
    finally:
        os.kill(proc.pid, signal.SIGCONT)


def test_a_refused_connection_is_a_request_never_sent(etcd):
    proc, kv = etcd
    kv.get("x")
    proc.kill()
    proc.wait()
    with pytest.raises(NotSent, match="refused"):
        kv.put("x", 1)
