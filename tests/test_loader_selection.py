"""Loader behaviour beyond upstream parity: fixes (collisions, .yaml, local history) and our additions."""
from __future__ import annotations

import json
import logging

import pytest

from ducktape.tests.loader import LoaderException, TestLoader
from ducktape.tests.session import SessionContext
from tests.support.suites import run_ducktape, write_suite

PARAMS = """
from ducktape.mark import parametrize
from ducktape.mark.resource import cluster
from ducktape.tests.test import Test

class PTest(Test):
    @cluster(num_nodes=2)
    @parametrize(y="a b")
    @parametrize(y="ab")
    def test_collide(self, y):
        pass

    @parametrize(x=1)
    @parametrize(x=2)
    @parametrize(x=3)
    @parametrize(x=4)
    def test_x(self, x):
        pass
"""


@pytest.fixture
def loader(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    session = SessionContext(session_id="s", results_dir=str(tmp_path / "results"))

    def make(**kwargs):
        return TestLoader(session, logging.getLogger("loader-test"), **kwargs)

    return make


def test_escaped_name_collision_warns_and_keeps_first(tmp_path, loader, caplog) -> None:
    write_suite(tmp_path, {"collide/test_p.py": PARAMS})
    with caplog.at_level(logging.WARNING, logger="loader-test"):
        tests = loader().load(["collide/test_p.py::PTest.test_collide"])
    assert len(tests) == 1
    assert "same test_id collide.test_p.PTest.test_collide.y=ab" in caplog.text


def test_same_test_from_two_symbols_runs_once_without_warning(tmp_path, loader, caplog) -> None:
    write_suite(tmp_path, {"dup/test_p.py": PARAMS})
    with caplog.at_level(logging.WARNING, logger="loader-test"):
        tests = loader().load(["dup/test_p.py::PTest.test_x", "dup", "dup/test_p.py"])
    assert [t.injected_args["x"] for t in tests if t.function_name == "test_x"] == [1, 2, 3, 4]
    warnings = [r.getMessage() for r in caplog.records if "same test_id" in r.getMessage()]
    assert len(warnings) == 1 and "test_collide" in warnings[0], "only the real collision warns, once"


def test_subsets_without_history(tmp_path, loader) -> None:
    write_suite(tmp_path, {"sub/test_p.py": PARAMS})
    all_ids = [t.test_id for t in loader().load(["sub/test_p.py::PTest.test_x"])]
    parts = [[t.test_id for t in loader(subsets=3, subset=i).load(["sub/test_p.py::PTest.test_x"])] for i in range(3)]
    assert parts[0] == all_ids[0::3] and parts[1] == all_ids[1::3] and parts[2] == all_ids[2::3]


def test_subsets_balanced_by_local_history(tmp_path, loader) -> None:
    write_suite(tmp_path, {"hist/test_p.py": PARAMS})
    ids = [t.test_id for t in loader().load(["hist/test_p.py::PTest.test_x"])]
    history = tmp_path / "report.json"
    times = {ids[0]: 100.0, ids[1]: 1.0, ids[2]: 1.0}  # ids[3] unknown -> mean 34
    history.write_text(json.dumps({"results": [{"test_id": k, "run_time_seconds": v} for k, v in times.items()]}))
    first = loader(subsets=2, subset=0, historical_report=str(history)).load(["hist/test_p.py::PTest.test_x"])
    second = loader(subsets=2, subset=1, historical_report=str(history)).load(["hist/test_p.py::PTest.test_x"])
    assert [t.test_id for t in first] == [ids[0]]
    assert [t.test_id for t in second] == [ids[3], ids[1], ids[2]]


def test_repeat_concatenates_the_subset(tmp_path, loader) -> None:
    write_suite(tmp_path, {"rep/test_p.py": PARAMS})
    tests = loader(repeat=2).load(["rep/test_p.py::PTest.test_x"])
    ids = [t.test_id for t in tests]
    assert ids[:4] == ids[4:] and len(set(ids)) == 4


def test_yaml_suffix_and_relative_imports(tmp_path, loader) -> None:
    write_suite(tmp_path, {
        "yam/test_p.py": PARAMS,
        "suites/a.yaml": "import: inner/b.yml\nmine:\n  included: [../yam]\n  excluded: ['../yam/test_p.py::PTest.test_collide']\n",
        "suites/inner/b.yml": "other:\n  - '../../yam/test_p.py::PTest.test_x@{\"x\": 2}'\n",
    })
    tests = loader().load(["suites/a.yaml"])
    assert {t.function_name for t in tests} == {"test_x"} and len(tests) == 4


def test_suite_with_no_tests_left_is_an_error(tmp_path, loader) -> None:
    write_suite(tmp_path, {
        "none/test_p.py": PARAMS,
        "s.yml": "all_excluded:\n  included: [none/test_p.py]\n  excluded: [none]\n",
    })
    with pytest.raises(LoaderException, match="no tests found in test suite 'all_excluded'"):
        loader().load(["s.yml"])


def test_collect_format_json(tmp_path) -> None:
    write_suite(tmp_path, {"js/test_p.py": PARAMS})
    proc = run_ducktape(["--collect-only", "--collect-format", "json", "js/test_p.py::PTest.test_collide"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    [line] = proc.stdout.splitlines()
    record = json.loads(line)
    assert record == {
        "test_id": "js.test_p.PTest.test_collide.y=ab",
        "symbol": 'js/test_p.py::PTest.test_collide@{"y":"a b"}',
        "file": str((tmp_path / "js" / "test_p.py").resolve()),
        "parameters": {"y": "a b"},
        "cluster_spec": [{"num_nodes": 2, "os": "linux"}],
        "ignored": False,
    }
    assert "Discovered 1 test to run" in proc.stderr, "log lines go to stderr so stdout stays JSON"


def test_json_symbol_selects_the_same_test(tmp_path) -> None:
    write_suite(tmp_path, {"sym/test_p.py": PARAMS})
    listed = run_ducktape(["--collect-only", "--collect-format", "json", "sym/test_p.py::PTest.test_x"], tmp_path)
    symbols = [json.loads(line)["symbol"] for line in listed.stdout.splitlines()]
    again = run_ducktape(["--collect-only", "--collect-format", "json", symbols[2]], tmp_path)
    assert [json.loads(line)["symbol"] for line in again.stdout.splitlines()] == [symbols[2]]


def test_missing_exclusion_only_warns(tmp_path, loader, caplog) -> None:
    write_suite(tmp_path, {"ex/test_p.py": PARAMS})
    with caplog.at_level(logging.WARNING, logger="loader-test"):
        tests = loader().load(["ex/test_p.py::PTest.test_x"], excluded_test_symbols=["ex/test_gone.py"])
    assert len(tests) == 4 and "Ignoring exclusion: test path does not exist: 'ex/test_gone.py'" in caplog.text


def test_historical_report_over_http(tmp_path, loader) -> None:
    """--historical-report fetched from a loopback HTTP server (requests, as upstream)."""
    import functools
    import threading
    from http.server import HTTPServer, SimpleHTTPRequestHandler

    write_suite(tmp_path, {"web/test_p.py": PARAMS})
    ids = [t.test_id for t in loader().load(["web/test_p.py::PTest.test_x"])]
    served = tmp_path / "served"
    served.mkdir()
    (served / "report.json").write_text(json.dumps({"results": [
        {"test_id": ids[3], "run_time_seconds": 50.0}, {"test_id": ids[0], "run_time_seconds": 1.0}]}))
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *a: None
    server = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/report.json"
        first = loader(subsets=2, subset=0, historical_report=url).load(["web/test_p.py::PTest.test_x"])
    finally:
        server.shutdown()
        server.server_close()
    # 50 s, then the two unknown tests at the mean (25.5 s) fill subset 1, then the 1 s test joins subset 0
    assert [t.test_id for t in first] == [ids[3], ids[0]]
