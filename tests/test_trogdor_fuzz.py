"""The agent's and coordinator's REST APIs fuzzed from their own OpenAPI documents
(schemathesis, a bounded number of examples, loopback only): never a 5xx (but Trogdor's 501
for an unknown spec class), never a crash,
and every error is Trogdor's ``{"code", "message"}`` (but for its plain-text bad-state answer)."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from ducktape.trogdor import openapi
from tests.support.trogdor import TOKEN, TrogdorCluster

AGENT = schemathesis.openapi.from_dict(openapi.agent_document()).exclude(path_regex="shutdown")
COORDINATOR = schemathesis.openapi.from_dict(openapi.coordinator_document()).exclude(path_regex="shutdown")
FUZZ = settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@pytest.fixture(scope="module")
def daemons(tmp_path_factory):
    cluster = TrogdorCluster(tmp_path_factory.mktemp("trogdor-fuzz"))
    agent = cluster.agent("n1")
    coordinator = cluster.coordinator([agent])
    yield {"agent": agent, "coordinator": coordinator}
    alive = {d.role: d.proc.poll() is None for d in cluster.daemons}
    cluster.stop_all()
    assert alive == {"agent": True, "coordinator": True}, "a daemon died under fuzzing"


def check(daemon, case) -> None:
    response = case.call(base_url=f"http://127.0.0.1:{daemon.port}", headers={"Authorization": f"Bearer {TOKEN}"},
                         timeout=10)
    what = (case.method, case.formatted_path, case.query, case.body, response.text)
    if response.status_code == 400 and response.text.startswith("State "):
        # Trogdor's one plain-text error: a bad state filter on the task list
        assert case.formatted_path.startswith("/coordinator/tasks") and "is invalid" in response.text, what
        return
    body = response.json()
    # 501 is Trogdor's answer for a spec class it cannot run; every other 5xx is a bug
    assert response.status_code < 500 or (response.status_code == 501 and "unknown spec class" in body["message"]), what
    if response.status_code >= 400:
        assert set(body) == {"code", "message"} and body["code"] == response.status_code, body


@AGENT.parametrize()
@FUZZ
def test_agent_api(case, daemons):
    check(daemons["agent"], case)


@COORDINATOR.parametrize()
@FUZZ
def test_coordinator_api(case, daemons):
    check(daemons["coordinator"], case)
