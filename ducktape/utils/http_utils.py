"""HttpMixin: a small urllib helper services mix in (no requests import at start-up)."""
from __future__ import annotations

from typing import Any


class HttpMixin:
    """Adds ``http_request`` to a class; logs through ``self.logger`` when it has one."""

    def http_request(self, url: str, method: str, data: Any = "", headers: dict | None = None,
                     timeout: float | None = None):
        """Send one request and return the urllib response; ``http://`` is added when missing."""
        from urllib.request import Request, build_opener

        if url[0:7].lower() != "http://":
            url = f"http://{url}"
        logger = getattr(self, "logger", None)
        if logger is not None:
            logger.debug("Sending http request. Url: %s, Data: %s, Headers: %s", url, data, headers)
        request = Request(url, data, headers or {})
        request.get_method = lambda: method
        opener = build_opener()
        if timeout is None:
            return opener.open(request)
        return opener.open(request, timeout=timeout)
