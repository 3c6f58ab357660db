"""A real moto server on 127.0.0.1 standing in for EC2, for the EC2 cluster tests.

``moto_server`` (session scope) starts ``moto.server`` on a free loopback port with
AMI and key-pair validation on, so unknown ones fail as on AWS. ``moto_ec2``
(function scope) resets its state, points boto3 at it through AWS_ENDPOINT_URL with
dummy credentials, and gives a ready EC2 config: a real AMI of the server, an
imported key pair and a subnet. Nothing leaves loopback.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.sshd import free_port, keygen

REGION = "us-east-1"


@dataclass
class MotoServer:
    endpoint: str
    process: subprocess.Popen

    def reset(self) -> None:
        urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST"),
                               timeout=10).read()


def _wait_http(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto server exited with status {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto server at {url} did not answer")


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    port = free_port()
    env = dict(os.environ, MOTO_ENABLE_AMI_VALIDATION="true", MOTO_ENABLE_KEYPAIR_VALIDATION="true")
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                   env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = MotoServer(f"http://127.0.0.1:{port}", process)
    try:
        _wait_http(f"{server.endpoint}/moto-api/data.json", process)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class MotoEc2:
    """boto3 pointed at moto, a client, and what a valid config needs."""

    server: MotoServer
    env: dict
    client: object
    ami: str
    key_name: str
    subnet_id: str
    owner: str

    def config_text(self, **overrides: object) -> str:
        """YAML of a valid EC2 config, with *overrides* (None drops a key)."""
        import yaml

        values = {"region": REGION, "ami": self.ami, "instance_type": "t3.micro", "key_name": self.key_name,
                  "user": "admin", "subnet_id": self.subnet_id, "tags": {"team": "tests"},
                  "ttl_minutes": 60, "ssh_wait_seconds": 0}
        values.update(overrides)
        return yaml.safe_dump({k: v for k, v in values.items() if v is not None})

    def write_config(self, path: Path, **overrides: object) -> Path:
        path.write_text(self.config_text(**overrides))
        return path

    def instances(self, states: tuple[str, ...] = ("pending", "running", "stopping", "stopped")) -> list[dict]:
        """Instances of this test's owner in *states*."""
        pages = self.client.get_paginator("describe_instances").paginate(Filters=[
            {"Name": "tag:ducktape:owner", "Values": [self.owner]},
            {"Name": "instance-state-name", "Values": list(states)}])
        return [i for page in pages for r in page["Reservations"] for i in r["Instances"]]


@pytest.fixture
def moto_ec2(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> MotoEc2:
    import boto3

    moto_server.reset()
    owner = f"pytest-{os.getpid()}"
    env = {"AWS_ENDPOINT_URL": moto_server.endpoint, "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION, "DUCKTAPE_EC2_OWNER": owner,
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
           "AWS_EC2_METADATA_DISABLED": "true"}
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("ec2", region_name=REGION)
    ami = client.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    key_name = "ducktape-test"
    key = keygen(tmp_path / "ec2_key")
    client.import_key_pair(KeyName=key_name, PublicKeyMaterial=Path(f"{key}.pub").read_bytes())
    vpc = client.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    subnet = client.create_subnet(VpcId=vpc, CidrBlock="10.77.1.0/24")["Subnet"]["SubnetId"]
    return MotoEc2(moto_server, env, client, ami, key_name, subnet, owner)


def wait_for(predicate, what: str, timeout: float = 60) -> None:
    """Poll *predicate* until it is true; AssertionError naming *what* after *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def ec2_cli(args: list[str], env: dict, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``ducktape-cluster <args>`` against moto (env from MotoEc2.env)."""
    return subprocess.run([sys.executable, "-m", "ducktape.cluster.local_cluster.cli", *args], cwd=cwd, check=False,
                          env=dict(os.environ, **env), capture_output=True, text=True, timeout=timeout)


class Ec2Proxy:
    """A loopback HTTP proxy in front of moto that changes the answer to chosen EC2 actions.

    ``fail[action] = (status, code, message)`` answers that action with the error
    document EC2 sends (for errors moto cannot produce, such as quota and capacity);
    ``hold`` is a set of actions whose requests are never answered, ``hold_after[action] = first``
    holds *action* only once *first* was seen (e.g. DescribeInstances after RunInstances). Everything else
    is forwarded to moto unchanged. boto3 reaches it through AWS_ENDPOINT_URL.
    """

    def __init__(self, upstream: str):
        import http.server
        import threading

        self.upstream = upstream
        self.fail: dict[str, tuple[int, str, str]] = {}
        self.hold: set[str] = set()
        self.hold_after: dict[str, str] = {}
        self.seen: list[str] = []
        self.released = threading.Event()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.relay(self, body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def relay(self, handler: object, body: bytes) -> None:
        from urllib.parse import parse_qs

        action = parse_qs(body.decode()).get("Action", ["?"])[0]
        self.seen.append(action)
        if action in self.hold or self.hold_after.get(action, "-") in self.seen:
            self.released.wait(600)
            return
        if action in self.fail:
            status, code, message = self.fail[action]
            document = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
                        f"<Message>{message}</Message></Error></Errors>"
                        "<RequestID>5f1a2b3c-0000-4000-8000-000000000000</RequestID></Response>").encode()
            self._answer(handler, status, {"Content-Type": "text/xml;charset=UTF-8"}, document)
            return
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in ("host", "content-length")}
        request = urllib.request.Request(self.upstream + handler.path, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                self._answer(handler, reply.status, dict(reply.headers.items()), reply.read())
        except urllib.error.HTTPError as err:
            self._answer(handler, err.code, dict(err.headers.items()), err.read())

    @staticmethod
    def _answer(handler: object, status: int, headers: dict, body: bytes) -> None:
        handler.send_response(status)
        for key, value in headers.items():
            if key.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def ec2_proxy(moto_ec2: MotoEc2) -> Iterator[Ec2Proxy]:
    """An Ec2Proxy in front of this test's moto; ``moto_ec2.env`` is left pointing at moto itself."""
    proxy = Ec2Proxy(moto_ec2.server.endpoint)
    try:
        yield proxy
    finally:
        proxy.close()
