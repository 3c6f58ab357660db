"""wait_until, PDict, load_function, TemplateRenderer, HttpMixin, in_dir/in_temp_dir."""
from __future__ import annotations

import os
import pickle
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from ducktape.errors import DucktapeError, TimeoutError
from ducktape.template import TemplateRenderer
from ducktape.tests.test import in_dir, in_temp_dir
from ducktape.utils.http_utils import HttpMixin
from ducktape.utils.persistence import PDict, make_dict
from ducktape.utils.util import (
    ducktape_version,
    load_function,
    package_is_installed,
    wait_until,
)
from tests.support.suites import write_suite


def test_wait_until_returns_when_true_and_counts_calls() -> None:
    calls = []

    def ready():
        calls.append(1)
        return len(calls) >= 3

    wait_until(ready, timeout_sec=5, backoff_sec=0.001)
    assert len(calls) == 3


def test_wait_until_timeout_message_and_types() -> None:
    with pytest.raises(TimeoutError, match="never") as info:
        wait_until(lambda: False, timeout_sec=0.05, backoff_sec=0.01, err_msg=lambda: "never happened")
    assert isinstance(info.value, DucktapeError) and isinstance(info.value, RuntimeError)
    assert not isinstance(info.value, __builtins__["TimeoutError"] if isinstance(__builtins__, dict) else
                          __builtins__.TimeoutError)


def test_wait_until_non_positive_timeout_never_calls() -> None:
    calls = []
    with pytest.raises(TimeoutError):
        wait_until(lambda: calls.append(1), timeout_sec=0)
    assert calls == []


def test_wait_until_exceptions() -> None:
    def boom():
        raise ValueError("bad")

    with pytest.raises(ValueError):
        wait_until(boom, timeout_sec=1)
    with pytest.raises(TimeoutError) as info:
        wait_until(boom, timeout_sec=0.05, backoff_sec=0.01, retry_on_exc=True, err_msg="gave up")
    assert isinstance(info.value.__cause__, ValueError)


def test_pdict_is_immutable_and_picklable() -> None:
    d = make_dict(a=1, b=2)
    for mutate in (lambda: d.__setitem__("a", 2), lambda: d.update(a=3), lambda: d.pop("a"), d.clear,
                   lambda: d.__delitem__("a"), d.popitem):
        with pytest.raises(NotImplementedError):
            mutate()
    assert d.get("a") == 1 and d.using(c=3) == {"a": 1, "b": 2, "c": 3} and d.without("a") == {"b": 2}
    assert isinstance(d.using(), PDict) and pickle.loads(pickle.dumps(d)) == d


def test_load_function_and_helpers() -> None:
    assert load_function("os.path.join") is os.path.join
    with pytest.raises(ValueError):
        load_function("os.path.no_such_function")
    assert package_is_installed("json") and not package_is_installed("no_such_package_xyz")
    assert ducktape_version() == "0.17.0+own.1.0.0"


class Greeter(TemplateRenderer):
    GREETING = "hello"

    def __init__(self):
        self.name = "node1"

    def shout(self):
        return "LOUD"


def test_render_template_context() -> None:
    g = Greeter()
    assert g.render_template("{{ GREETING }} {{ name }} {{ shout.__name__ }} {{ missing }}|") == "hello node1 shout |"
    assert g.render_template("{{ name }}", name="override") == "override"


def test_render_file_beside_class(tmp_path, monkeypatch) -> None:
    write_suite(tmp_path, {
        "tplpkg/svc/thing.py": (
            "from ducktape.template import TemplateRenderer\n"
            "class Thing(TemplateRenderer):\n    PORT = 9092\n"),
        "tplpkg/svc/templates/thing.conf": "  {% if PORT %}\nport={{ PORT }}\n  {% endif %}\nid={{ ident }}\n",
    })
    monkeypatch.syspath_prepend(str(tmp_path))
    from tplpkg.svc.thing import Thing

    thing = Thing()
    assert thing.render("thing.conf", ident=7) == "port=9092\nid=7"
    assert thing.template_env.trim_blocks and thing.template_loader is not None
    sys.modules.pop("tplpkg.svc.thing", None)


def test_in_dir_and_in_temp_dir(tmp_path) -> None:
    start = os.getcwd()
    with in_dir(str(tmp_path)):
        assert os.getcwd() == str(tmp_path)
    with in_temp_dir() as tmp:
        assert os.getcwd() == os.path.realpath(tmp)
    assert os.getcwd() == start and not os.path.exists(tmp)


class _Handler(BaseHTTPRequestHandler):
    def do_PUT(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(201)
        self.end_headers()
        self.wfile.write(b"got " + body + b" " + self.headers["X-Test"].encode())

    def log_message(self, *args):
        pass


def test_http_mixin_against_loopback_server() -> None:
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = HttpMixin()
        response = client.http_request(f"127.0.0.1:{server.server_port}/x", "PUT", b"data", {"X-Test": "yes"}, timeout=5)
        assert response.status == 201 and response.read() == b"got data yes"
    finally:
        server.shutdown()
        server.server_close()
