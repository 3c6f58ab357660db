"""Headless Debian chromium driven over the DevTools protocol, for tests that look at real pages.

The browser is ``/usr/bin/chromium`` with the project's fixed flags, a fresh ``--user-data-dir``
and ``--remote-debugging-pipe`` (the protocol runs over two inherited pipes, so no port is
opened). It is stopped by its PID. ``chromium`` is the session-wide browser; ``page`` opens a
fresh tab per test and records every network request the page makes.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


class DevToolsError(RuntimeError):
    """A DevTools command failed, or the browser stopped answering."""


class Chromium:
    """One headless chromium process and its DevTools pipe."""

    def __init__(self, extra_flags: list[str] | None = None) -> None:
        self.profile = tempfile.mkdtemp(prefix="ducktape-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_pipes() -> None:  # in the child: the protocol expects fds 3 (in) and 4 (out)
            read_end, write_end = os.dup(to_browser_r), os.dup(from_browser_w)  # off 3/4 first
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        argv = [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-pipe",
                *(extra_flags or []), "about:blank"]
        # preexec_fn runs before our reader thread exists; it only dups two fds.
        self.proc = subprocess.Popen(argv, preexec_fn=wire_pipes, close_fds=False, stdin=subprocess.DEVNULL,  # noqa: PLW1509
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next_id = 0
        self._lock = threading.Condition()
        self._replies: dict[int, dict] = {}
        self.events: list[dict] = []
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    def _read_loop(self) -> None:
        buf = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self._lock:
                    self._closed = True
                    self._lock.notify_all()
                return
            buf += chunk
            *messages, buf = buf.split(b"\0")
            with self._lock:
                for raw in messages:
                    msg = json.loads(raw)
                    if "id" in msg:
                        self._replies[msg["id"]] = msg
                    else:
                        self.events.append(msg)
                self._lock.notify_all()

    _closed = False

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict:
        """Send one command and return its result; raise DevToolsError on an error reply."""
        with self._lock:
            self._next_id += 1
            msg_id = self._next_id
        msg: dict[str, Any] = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        with self._lock:
            while msg_id not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    raise DevToolsError(f"no reply to {method} (browser {'gone' if self._closed else 'silent'})")
                self._lock.wait(left)
            reply = self._replies.pop(msg_id)
        if "error" in reply:
            raise DevToolsError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_event(self, method: str, session: str | None, since: int, timeout: float = 30.0) -> dict:
        """The first event named *method* (for *session*) at or after position *since* in ``events``."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for ev in self.events[since:]:
                    if ev.get("method") == method and ev.get("sessionId") == session:
                        return ev
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    raise DevToolsError(f"no {method} event within {timeout} s")
                self._lock.wait(left)

    def new_page(self, width: int = 1280, height: int = 900) -> Page:
        """Open a blank tab and attach to it."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, target, session)
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=session)
        return page

    def stop(self) -> None:
        """Close the browser politely, then by PID if it lingers; remove the profile."""
        try:
            self.send("Browser.close", timeout=5)
        except (DevToolsError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """One tab: navigate, evaluate JavaScript, list the requests it made."""

    def __init__(self, browser: Chromium, target: str, session: str) -> None:
        self.browser, self.target, self.session = browser, target, session
        self._mark = len(browser.events)

    def goto(self, url: str, ready: str | None = "all", timeout: float = 30.0) -> None:
        """Load *url*, wait for the load event and, if *ready* is set, for ``body[data-ready=ready]``."""
        since = len(self.browser.events)
        self._mark = since
        self.browser.send("Page.navigate", {"url": url}, session=self.session)
        self.browser.wait_event("Page.loadEventFired", self.session, since, timeout)
        if ready:
            self.wait_for(f"document.body && document.body.dataset.ready === {json.dumps(ready)}", timeout)

    def eval(self, expression: str, timeout: float = 30.0) -> Any:
        """Evaluate *expression* in the page and return its JSON value; raise on a thrown exception."""
        res = self.browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                     "awaitPromise": True}, session=self.session, timeout=timeout)
        if "exceptionDetails" in res:
            raise DevToolsError(f"page threw: {res['exceptionDetails']}")
        return res["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30.0) -> Any:
        """Poll *expression* until it is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.eval(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise DevToolsError(f"timed out waiting for {expression}")
            time.sleep(0.02)

    def requests(self) -> list[str]:
        """URLs of every request the page made since the last goto."""
        return [ev["params"]["request"]["url"] for ev in self.browser.events[self._mark:]
                if ev.get("method") == "Network.requestWillBeSent" and ev.get("sessionId") == self.session]

    def console_errors(self) -> list[dict]:
        """Console/log entries at error level since the last goto (e.g. CSP violations)."""
        out = []
        for ev in self.browser.events[self._mark:]:
            if ev.get("sessionId") != self.session:
                continue
            if ev.get("method") == "Log.entryAdded" and ev["params"]["entry"].get("level") == "error":
                out.append(ev["params"]["entry"])
            if ev.get("method") == "Runtime.exceptionThrown":
                out.append(ev["params"]["exceptionDetails"])
        return out

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        """Save a PNG of the viewport (or the whole page)."""
        import base64

        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
        data = self.browser.send("Page.captureScreenshot", params, session=self.session)["data"]
        Path(path).write_bytes(base64.b64decode(data))
        return Path(path)

    def close(self) -> None:
        try:
            self.browser.send("Target.closeTarget", {"targetId": self.target}, timeout=5)
        except DevToolsError:
            pass


@pytest.fixture(scope="session")
def chromium():
    """A headless chromium shared by the test session; stopped by PID at the end."""
    browser = Chromium()
    try:
        yield browser
    finally:
        browser.stop()


@pytest.fixture
def page(chromium):
    """A fresh tab in the shared browser."""
    tab = chromium.new_page()
    try:
        yield tab
    finally:
        tab.close()
