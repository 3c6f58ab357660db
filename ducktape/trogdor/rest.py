"""The HTTP side shared by agent and coordinator: a JSON router with bearer-token
auth (or none, when the daemon was started with ``--allow-unauthenticated``),
Trogdor's ``{"code", "message"}`` errors, and a small urllib client.

Standard library only (http.server, urllib), so it runs inside the agent's zip file.
"""
from __future__ import annotations

import hmac
import http.client
import json
import logging
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

from ducktape.trogdor.spec import SpecError, UnknownSpecClass

MAX_BODY = 4 * 1024 * 1024
log = logging.getLogger("trogdor.rest")


class RestError(Exception):
    """An HTTP error with Trogdor's body ``{"code": N, "message": "..."}``."""

    def __init__(self, code: int, message: str, plain: bool = False):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.plain = plain  # the body is the bare message text (Trogdor's bad ``state`` filter)


_KINDS = {int: "an integer", str: "a string", dict: "a JSON object", bool: "true or false"}


class Request:
    """What a route handler sees: path parameters, query parameters and the JSON body."""

    def __init__(self, params: dict[str, str], query: dict[str, list[str]], body: Any):
        self.params = params
        self.query = query
        self.body = body

    def field(self, name: str, kind: type) -> Any:
        """A required body field of the given type, else 400 naming it."""
        if not isinstance(self.body, dict):
            raise RestError(400, "the request body must be a JSON object")
        value = self.body.get(name)
        if kind is int and isinstance(value, float) and value.is_integer():
            value = int(value)
        if value is None or isinstance(value, bool) or not isinstance(value, kind):
            raise RestError(400, f"{name}: required, must be {_KINDS.get(kind, kind.__name__)}")
        return value

    def query_one(self, name: str, kind: type = str, required: bool = False) -> Any:
        values = self.query.get(name)
        if not values:
            if required:
                raise RestError(400, f"{name}: required query parameter")
            return None
        if kind is int:
            try:
                return int(values[-1])
            except ValueError:
                raise RestError(400, f"{name}: must be an integer, got {values[-1]!r}") from None
        return values[-1]


class Router:
    """Routes ``(method, path pattern)`` to handlers; ``{name}`` in a pattern is a parameter."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern, Callable[[Request], Any]]] = []

    def add(self, method: str, pattern: str, handler: Callable[[Request], Any]) -> None:
        regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")
        self._routes.append((method, regex, handler))

    def resolve(self, method: str, path: str) -> tuple[Callable[[Request], Any], dict[str, str]]:
        allowed = []
        for route_method, regex, handler in self._routes:
            match = regex.match(path)
            if match:
                if route_method == method:
                    return handler, {k: urllib.parse.unquote(v) for k, v in match.groupdict().items()}
                allowed.append(route_method)
        if allowed:
            raise RestError(405, f"{method} is not allowed on {path}; use {', '.join(allowed)}")
        raise RestError(404, f"no such resource: {path}")


class RestServer:
    """A threaded HTTP server answering JSON for one ``Router``, behind a bearer token.

    ``token=None`` serves everyone, as Trogdor does; the CLI allows that only when asked.
    """

    def __init__(self, router: Router, token: str | None, bind: str, port: int, name: str):
        self.router = router
        self.token = token
        self.name = name
        server = self

        class _Handler(_JsonHandler):
            rest = server

        self.httpd = ThreadingHTTPServer((bind, port), _Handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.httpd.server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name=f"{self.name}-http", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _JsonHandler(BaseHTTPRequestHandler):
    rest: RestServer
    protocol_version = "HTTP/1.1"
    server_version = "ducktape-trogdor"
    disable_nagle_algorithm = True  # headers and body are separate writes: do not hold the body back

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _serve(self) -> None:
        try:
            status, body = 200, self._dispatch()
        except RestError as e:
            status, body = e.code, e.message if e.plain else {"code": e.code, "message": e.message}
        except UnknownSpecClass as e:  # Trogdor: a class it cannot load is "not implemented"
            status, body = 501, {"code": 501, "message": str(e)}
        except SpecError as e:
            status, body = 400, {"code": 400, "message": str(e)}
        except Exception as e:  # a bug: answer 500 and keep serving
            log.exception("internal error on %s %s", self.command, self.path)
            status, body = 500, {"code": 500, "message": f"internal error: {type(e).__name__}: {e}"}
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if status == 401:
            self.send_header("WWW-Authenticate", "Bearer")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _dispatch(self) -> Any:
        body_bytes = self._read_body()
        if not self._authorized():
            raise RestError(401, "missing or wrong bearer token; hint: send 'Authorization: Bearer <token>' "
                                 "with the token from --token-file")
        url = urllib.parse.urlsplit(self.path)
        handler, params = self.rest.router.resolve(self.command, url.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        body: Any = None
        if body_bytes:
            try:
                body = json.loads(body_bytes)
            except (ValueError, UnicodeDecodeError) as e:
                raise RestError(400, f"the request body is not JSON: {e}") from None
        return handler(Request(params, query, body))

    def _read_body(self) -> bytes:
        length_text = self.headers.get("Content-Length") or "0"
        try:
            length = int(length_text)
        except ValueError:
            self.close_connection = True
            raise RestError(400, f"bad Content-Length: {length_text!r}") from None
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            raise RestError(400, f"the request body must be 0..{MAX_BODY} bytes")
        return self.rfile.read(length) if length else b""

    def _authorized(self) -> bool:
        if self.rest.token is None:
            return True
        header = self.headers.get("Authorization") or ""
        scheme, _, given = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self.rest.token.encode())

    def __getattr__(self, name: str) -> Any:
        """Every method (``do_TRACE``, ``do_FOO``...) gets a JSON answer, never stdlib's HTML."""
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)


class RestClient:
    """A JSON client for one agent or coordinator; raises ``RestError`` or ``OSError``.

    ``token=None`` sends no Authorization header, as Trogdor's own clients do.
    """

    def __init__(self, host: str, port: int, token: str | None, timeout: float = 10):
        self.base = f"http://{_host_for_url(host)}:{port}"
        self.token = token
        self.timeout = timeout

    def call(self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None) -> Any:
        url = self.base + path
        if query:
            url += "?" + urllib.parse.urlencode(query, doseq=True)
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        if self.token is not None:
            request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as e:
            text = e.read().decode(errors="replace")
            try:
                message = json.loads(text).get("message", text)
            except (ValueError, AttributeError):
                message = text
            raise RestError(e.code, message) from None
        except http.client.HTTPException as e:
            # a server that died while answering (headers sent, body cut short: IncompleteRead)
            # is unreachable like one that refused the connection; callers catch OSError
            raise ConnectionError(f"{method} {url}: broken answer: {type(e).__name__}: {e}") from e

    def get(self, path: str, **query: Any) -> Any:
        return self.call("GET", path, query=query)

    def post(self, path: str, body: Any) -> Any:
        return self.call("POST", path, body)

    def put(self, path: str, body: Any) -> Any:
        return self.call("PUT", path, body)

    def delete(self, path: str, **query: Any) -> Any:
        return self.call("DELETE", path, query=query)


def _host_for_url(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def read_token(path: str) -> str:
    """The first line of a token file; ValueError with a hint if it is empty."""
    with open(path, encoding="utf-8") as f:
        token = f.read().strip()
    if not token:
        raise ValueError(f"token file is empty: {path}; hint: write a secret into it, e.g. "
                         "python3 -c 'import secrets; print(secrets.token_hex(16))' > FILE")
    return token
