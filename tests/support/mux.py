"""``DUCKTAPE_TEST_MUX=1``: run a pytest session with every RemoteAccount of the pytest
process going through a session multiplexer, to check that each account verb behaves the
same over the mux (``DUCKTAPE_TEST_MUX=1 pytest tests/test_remote_account*.py``)."""
from __future__ import annotations

import os

import pytest

from ducktape.cluster.mux import SessionMux


@pytest.fixture(scope="session", autouse=True)
def mux_for_this_process():
    if os.environ.get("DUCKTAPE_TEST_MUX") != "1":
        yield None
        return
    handle = SessionMux()
    handle.start([], include_self=True)
    try:
        yield handle
    finally:
        handle.stop()
