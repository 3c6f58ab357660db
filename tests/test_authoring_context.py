"""TestContext, SessionContext, session ids, statuses: the objects tests and the runner share."""
from __future__ import annotations

import json
import multiprocessing
import os
import threading
from pathlib import Path

import pytest

from ducktape.json_serializable import DucktapeJSONEncoder
from ducktape.mark import parametrize
from ducktape.mark.mark_expander import MarkedFunctionExpander
from ducktape.mark.resource import cluster
from ducktape.session_config import SessionConfig
from ducktape.tests.session import (
    SessionContext,
    SessionLoggerMaker,
    allocate_session,
    generate_results_dir,
    generate_session_id,
)
from ducktape.tests.status import FAIL, FLAKY, IGNORE, OFAIL, OPASS, PASS, TestStatus
from ducktape.tests.test import Test, TestContext
from ducktape.utils.persistence import PDict


class DocTest(Test):
    """Class doc."""

    @cluster(num_nodes=2)
    @parametrize(x=1, y="a b")
    def test_one(self, x, y):
        """Method doc."""

    def test_two(self):
        pass


def contexts(session, name):
    function = getattr(DocTest, name)
    return MarkedFunctionExpander(session, "pkg.doc_test", DocTest, function, "rel/doc_test.py").expand()


@pytest.fixture
def session(tmp_path):
    return SessionContext(session_id="2026-01-01--001", results_dir=str(tmp_path / "s"), debug=False,
                          max_parallel=3, unknown_flag=True)


def test_identity_and_metadata(session) -> None:
    [ctx] = contexts(session, "test_one")
    assert ctx.test_id == ctx.test_name == "pkg.doc_test.DocTest.test_one.x=1.y=ab"
    assert (ctx.module_name, ctx.cls_name, ctx.function_name) == ("pkg.doc_test", "DocTest", "test_one")
    assert ctx.file == os.path.abspath("rel/doc_test.py")
    assert ctx.description == "Method doc."
    assert contexts(session, "test_two")[0].description == "Class doc."
    assert ctx.test_metadata == {"directory": os.path.dirname(ctx.file), "file_name": "doc_test.py",
                                 "cls_name": "DocTest", "method_name": "test_one", "injected_args": {"x": 1, "y": "a b"}}
    assert ctx.test_index is None and ctx.globals == {} and isinstance(ctx.globals, PDict)
    assert repr(ctx) == ("<module=pkg.doc_test, cls=DocTest, function=test_one, injected_args={'x': 1, 'y': 'a b'}, "
                         f"file={ctx.file}, ignore=False, cluster_spec=[{{\"num_nodes\": 2, \"os\": \"linux\"}}]>")


def test_results_dir_and_logger_name(session) -> None:
    [ctx] = contexts(session, "test_one")
    assert TestContext.results_dir(ctx, 4) == os.path.join(session.results_dir, "DocTest", "test_one", "x=1.y=ab", "4")
    assert TestContext.logger_name(ctx, 4) == ctx.test_id + "-4"
    assert TestContext.logger_name(ctx, None) == ctx.test_id
    session.nested_result_dirs = True
    assert TestContext.results_dir(ctx, 2) == os.path.join(session.results_dir, "DocTest", "test_one", "x=1", "y=ab", "2")
    [plain] = contexts(session, "test_two")
    assert TestContext.results_dir(plain, 1) == os.path.join(session.results_dir, "DocTest", "test_two", "1")


def test_logger_files_and_close(session) -> None:
    [ctx] = contexts(session, "test_two")
    ctx.test_index = 1
    ctx.logger.info("hello from the test")
    ctx.logger.debug("debug detail")
    log_dir = TestContext.results_dir(ctx, 1)
    scratch = ctx.local_scratch_dir
    assert os.path.isdir(scratch)
    ctx.close()
    info = Path(log_dir, "test_log.info").read_text()
    assert "hello from the test" in info and "debug detail" not in info
    assert "debug detail" in Path(log_dir, "test_log.debug").read_text()
    assert not os.path.exists(scratch) and not ctx.logger.handlers


def test_copy_shares_fields_with_fresh_registry(session) -> None:
    [ctx] = contexts(session, "test_one")
    twin = ctx.copy(injected_args={"x": 2, "y": "b"})
    assert twin.test_id.endswith("x=2.y=b") and twin.cls is ctx.cls and twin.cluster_use_metadata == {"num_nodes": 2}
    assert twin.services is not ctx.services and list(twin.services) == []


def test_session_context_json(session) -> None:
    data = json.loads(json.dumps(session, cls=DucktapeJSONEncoder))
    assert data["session_id"] == "2026-01-01--001" and data["max_parallel"] == 3
    assert "_globals" in data and "unknown_flag" not in data
    assert data["test_timeout"] is None and data["collect_logs"] is None
    assert data["default_expected_num_nodes"] is None
    assert data["test_runner_timeout"] == SessionConfig.default("test_runner_timeout")  # the one default


def test_session_logger_writes_files(session) -> None:
    os.makedirs(session.results_dir)
    logger = SessionLoggerMaker(session).logger
    logger.info("session says hi")
    for handler in logger.handlers:
        handler.flush()
    text = Path(session.results_dir, "session_log.info").read_text()
    assert text.startswith("[INFO:") and "]: session says hi" in text


def test_session_ids(tmp_path) -> None:
    id_file = str(tmp_path / "session_id")
    first = generate_session_id(id_file)
    second = generate_session_id(id_file)
    assert first.endswith("--001") and second == first[:-3] + "002"
    with open(id_file, "w") as fp:
        fp.write("2001-01-01--042")
    assert generate_session_id(id_file).endswith("--001"), "a new day restarts the counter"
    assert generate_results_dir("rel/root", "x") == os.path.join(os.path.abspath("rel/root"), "x")


def _ids_into(id_file: str, out: str) -> None:
    with open(out, "w") as f:
        f.write(" ".join(generate_session_id(id_file) for _ in range(10)))


def test_runs_sharing_the_id_file_never_get_the_same_id(tmp_path) -> None:
    """Shards of a night start together, each with a results root of its own and one id file."""
    id_file = str(tmp_path / "session_id")
    fork = multiprocessing.get_context("fork")
    procs = [fork.Process(target=_ids_into, args=(id_file, str(tmp_path / f"ids-{i}"))) for i in range(6)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    ids = [i for n in range(6) for i in (tmp_path / f"ids-{n}").read_text().split()]
    assert len(ids) == 60 and len(set(ids)) == 60, sorted(ids)


def test_concurrent_session_allocation_never_shares_a_dir(tmp_path) -> None:
    id_file = str(tmp_path / "meta" / "session_id")
    root = str(tmp_path / "results")
    got: list[str] = []
    lock = threading.Lock()

    def grab():
        for _ in range(5):
            _session_id, results_dir = allocate_session(id_file, root)
            with lock:
                got.append(results_dir)

    threads = [threading.Thread(target=grab) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 20 and len(set(got)) == 20 and all(os.path.isdir(d) for d in got)


def test_statuses() -> None:
    assert str(PASS) == "pass" and PASS.to_json() == "PASS" and PASS == "PASS" and PASS == TestStatus("Pass")
    assert FAIL != PASS and str(FLAKY) == "flaky" and IGNORE.to_json() == "IGNORE"
    assert OPASS.to_json() == "OPASS" and OFAIL == "ofail"
    assert json.dumps({"s": FAIL}, cls=DucktapeJSONEncoder) == '{"s": "FAIL"}'
