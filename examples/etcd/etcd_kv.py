"""A minimal etcd v3 key-value client over etcd's HTTP/JSON gateway, with ``requests``.

Keys and values travel base64-encoded (``/v3/kv/range``, ``/v3/kv/put``, ``/v3/kv/txn``);
values here are JSON (small integers). Errors say whether the request may have taken
effect: ``NotSent`` (it never reached etcd) or ``Unknown`` (it might have been applied).
"""
from __future__ import annotations

import base64
import errno
import json
from typing import Any

import requests


class NotSent(Exception):
    """The request never reached etcd (connection refused, connect timeout): it did not happen."""


class Unknown(Exception):
    """No answer, or an error answer: the request may or may not have taken effect."""


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _refused(err: requests.ConnectionError) -> bool:
    cause = err.args[0] if err.args else None
    reason = getattr(cause, "reason", cause)
    return "NewConnectionError" in type(reason).__name__ or getattr(reason, "errno", None) == errno.ECONNREFUSED


class EtcdKv:
    """One member's key-value API; one HTTP session (one client connection) per instance."""

    def __init__(self, url: str, timeout: float = 1.0):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def _call(self, path: str, body: dict) -> dict:
        try:
            reply = self.session.post(f"{self.url}/v3/kv/{path}", json=body, timeout=self.timeout)
        except requests.ConnectTimeout as err:
            raise NotSent(f"connect timeout to {self.url}") from err
        except requests.ConnectionError as err:
            if _refused(err):
                raise NotSent(f"{self.url} refused the connection") from err
            raise Unknown(f"{self.url}: {type(err).__name__}") from err
        except requests.RequestException as err:  # read timeout and the like
            raise Unknown(f"{self.url}: {type(err).__name__}") from err
        try:
            answer = reply.json()
        except ValueError:
            answer = {}
        if not reply.ok or "error" in answer:
            raise Unknown(f"{self.url}: HTTP {reply.status_code} {answer.get('error') or answer.get('message', '')}")
        return answer

    def get(self, key: str, serializable: bool = False) -> Any:
        """The value of *key* (None when absent); *serializable* reads the member's local copy."""
        answer = self._call("range", {"key": _b64(key), "serializable": serializable})
        kvs = answer.get("kvs") or []
        return json.loads(base64.b64decode(kvs[0]["value"])) if kvs else None

    def put(self, key: str, value: Any) -> None:
        self._call("put", {"key": _b64(key), "value": _b64(json.dumps(value))})

    def cas(self, key: str, expected: Any, new: Any) -> bool:
        """Set *key* to *new* if its value is *expected* (an absent key never matches)."""
        answer = self._call("txn", {
            "compare": [{"key": _b64(key), "result": "EQUAL", "target": "VALUE", "value": _b64(json.dumps(expected))}],
            "success": [{"request_put": {"key": _b64(key), "value": _b64(json.dumps(new))}}],
        })
        return bool(answer.get("succeeded"))

    def close(self) -> None:
        self.session.close()
