"""SessionConfig: the one settings object of a run, and the SessionContext built from it."""
from __future__ import annotations

import dataclasses

import pytest

from ducktape.command_line.parse_args import parse_args
from ducktape.session_config import SessionConfig
from ducktape.tests.session import SessionContext


def test_every_option_is_a_field_with_the_parsers_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))  # no user config file
    parsed = parse_args([])
    fields = {f.name for f in dataclasses.fields(SessionConfig)}
    assert set(parsed) == fields - {"command_line", "cluster_given"}
    for name, value in parsed.items():
        if name != "test_path":
            assert value == SessionConfig.default(name), name
    assert parsed["test_path"] == [str(tmp_path)]


def test_the_config_is_frozen_and_lists_become_tuples():
    config = SessionConfig.from_options({"exclude": ["a.py", "b.py"], "max_parallel": 3})
    assert config.exclude == ("a.py", "b.py") and config.max_parallel == 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.max_parallel = 4  # type: ignore[misc]
    assert config.replace(max_parallel=4).max_parallel == 4 and config.max_parallel == 3


def test_an_option_the_config_does_not_know_is_refused():
    with pytest.raises(TypeError):
        SessionConfig.from_options({"no_such_option": 1})


def test_session_context_from_config_matches_the_keyword_form(tmp_path, monkeypatch):
    """What session.json records (``to_json``) is the same as when the context took the flag dict."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    args = parse_args(["--max-parallel", "3", "--debug", "-v", "--test-timeout", "2.5", "--collect-logs", "never"])
    args["command_line"] = "ducktape --max-parallel 3"
    by_dict = SessionContext(session_id="s", results_dir=str(tmp_path), **args)
    by_config = SessionContext.from_config(SessionConfig.from_options(args), session_id="s", results_dir=str(tmp_path))
    assert by_config.to_json() == by_dict.to_json()
    assert by_config.max_parallel == 3 and by_config.verbosity == 1 and by_config.test_timeout == 2.5


def test_a_context_built_by_hand_takes_the_configs_defaults(tmp_path):
    """Upstream's keyword form: what is not given comes from SessionConfig, unknown names are ignored."""
    context = SessionContext(session_id="s", results_dir=str(tmp_path), max_parallel=2, not_an_option=1)
    default = SessionConfig()
    assert context.max_parallel == 2
    assert context.test_runner_timeout == default.test_runner_timeout
    assert context.exit_first is default.exit_first and context.debug is default.debug
    assert context.default_expected_num_nodes == default.default_num_nodes
    assert context.verbosity == 0 and context.command_line is None
    assert "not_an_option" not in context.to_json()


def test_debug_logs_the_session_config_not_the_flag_dict(tmp_path):
    from tests.support.suites import run_ducktape, write_suite

    write_suite(tmp_path, {"s/test_a.py": """
        from ducktape.tests.test import Test


        class T(Test):
            def test_a(self):
                pass
    """})
    proc = run_ducktape(["s", "--collect-only", "--debug", "--max-parallel", "2"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    logged = [line.split("Configuration: ", 1)[1] for line in proc.stdout.splitlines() if "Configuration: " in line]
    assert [entry.split("=", 1)[0] for entry in logged] == [f.name for f in dataclasses.fields(SessionConfig)]
    assert "test_path=('s',)" in logged and "max_parallel=2" in logged  # the frozen values, lists as tuples
    assert "command_line=ducktape s --collect-only --debug --max-parallel 2" in logged
