"""Flag parsing: names/defaults of contract 5.1, abbreviations, variadic options, config-file layering."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from ducktape.command_line.errors import UsageError
from ducktape.command_line.parse_args import create_ducktape_parser, parse_args
from tests.support.suites import run_ducktape

UPSTREAM_DEFAULTS = {
    "exclude": None, "collect_only": False, "collect_num_nodes": False, "debug": False,
    "config_file": "~/.ducktape/config", "compress": False, "cluster": "ducktape.cluster.vagrant.VagrantCluster",
    "default_num_nodes": None, "cluster_file": None, "results_root": "./results", "nested_result_dirs": False,
    "exit_first": False, "no_teardown": False, "version": False, "parameters": None, "globals": None,
    "max_parallel": 1, "repeat": 1, "subsets": 1, "subset": 0, "historical_report": None,
    "skip_nodes_allocation": False, "sample": None, "fail_bad_cluster_utilization": False,
    "fail_greedy_tests": False, "ignore_node_type": False, "test_runner_timeout": 1800000,
    "ssh_checker_function": None, "deflake": 1, "enable_jvm_logs": False,
}


@pytest.fixture
def in_tmp(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path


def test_defaults_match_upstream(in_tmp) -> None:
    args = parse_args(["--debug"])
    for key, value in UPSTREAM_DEFAULTS.items():
        if key != "debug":
            assert args[key] == value, key
    assert args["test_path"] == [os.getcwd()]
    assert args["test_timeout"] is None and args["collect_logs"] is None and args["collect_format"] == "text"


def test_values_and_forms(in_tmp) -> None:
    args = parse_args(["a.py", "--max-parallel=4", "--repeat", "3", "--test-timeout", "2.5",
                       "--collect-logs", "never", "b.py", "--ssh-checker-function", "m.f", "m.g"])
    assert args["test_path"] == ["a.py", "b.py"]
    assert (args["max_parallel"], args["repeat"], args["test_timeout"]) == (4, 3, 2.5)
    assert args["collect_logs"] == "never" and args["ssh_checker_function"] == ["m.f", "m.g"]


def test_exclude_is_greedy_like_upstream(in_tmp) -> None:
    args = parse_args(["t/", "--exclude", "x.py", "y.py", "--debug"])
    assert args["exclude"] == ["x.py", "y.py"] and args["test_path"] == ["t/"] and args["debug"]
    assert parse_args(["--exclude=x.py", "t/"])["test_path"] == ["t/"]
    assert parse_args(["--exclude", "--debug"])["exclude"] == []


def test_abbreviations(in_tmp) -> None:
    args = parse_args(["--max-p", "2", "--collect-o", "--nested", "--deflake=3"])
    assert args["max_parallel"] == 2 and args["collect_only"] and args["nested_result_dirs"]
    assert args["deflake"] == 3
    with pytest.raises(UsageError, match="ambiguous option: --co"):
        parse_args(["--co"])


def test_config_layering_by_given_not_by_value(in_tmp) -> None:
    (in_tmp / ".ducktape").mkdir()
    (in_tmp / ".ducktape" / "config").write_text("# project\n--max-parallel 4\n--repeat=2 --compress\n")
    user = in_tmp / "user.cfg"
    user.write_text("--repeat 3\n\n--cluster x.y.Z\n")
    args = parse_args(["--config-file", str(user), "--max-parallel", "1"])
    assert args["max_parallel"] == 1, "the command line restores the default over the project file"
    assert args["repeat"] == 3 and args["cluster"] == "x.y.Z" and args["compress"]


def test_user_config_default_location(in_tmp) -> None:
    home = in_tmp / "home" / ".ducktape"
    home.mkdir(parents=True)
    (home / "config").write_text("--results-root /tmp/elsewhere\n")
    assert parse_args(["--debug"])["results_root"] == "/tmp/elsewhere"


def test_bad_config_line_names_the_file(in_tmp) -> None:
    (in_tmp / ".ducktape").mkdir()
    (in_tmp / ".ducktape" / "config").write_text("--max-parallel lots\n")
    with pytest.raises(UsageError, match=r"config file \.ducktape/config"):
        parse_args(["--debug"])


def test_parser_exists_and_lists_every_flag() -> None:
    command = create_ducktape_parser()
    names = {opt for p in command.params for opt in getattr(p, "opts", [])}
    for dest in UPSTREAM_DEFAULTS:
        assert "--" + dest.replace("_", "-") in names


def test_bare_ducktape_prints_help(tmp_path) -> None:
    proc = run_ducktape([], tmp_path)
    assert proc.returncode == 0 and "--collect-only" in proc.stdout and "--test-timeout" in proc.stdout
    assert not (tmp_path / "results").exists()


VERSION_LINE = "0.17.0+own.1.0.0 (this ducktape 1.0.0, compatible with upstream ducktape 0.17.0)\n"


def test_version(tmp_path) -> None:
    proc = run_ducktape(["--version"], tmp_path)
    assert (proc.returncode, proc.stdout) == (0, VERSION_LINE)


def test_installed_version_satisfies_upstream_pins() -> None:
    """pip resolves pins with packaging: ``ducktape==0.17.0`` must accept this build."""
    from importlib.metadata import version

    from packaging.requirements import Requirement
    from packaging.version import Version

    import ducktape

    installed = version("ducktape")
    assert installed == ducktape.__version__ and Version(installed).local == "own.1.0.0"
    for pin in ("ducktape==0.17.0", "ducktape>=0.17.0,<0.18", "ducktape~=0.17.0", "ducktape>0.16"):
        assert Requirement(pin).specifier.contains(installed), pin
    assert not Requirement("ducktape==0.17.1").specifier.contains(installed)


@pytest.mark.parametrize(("pin", "broken"), [("ducktape==0.17.0", False), ("ducktape==0.17.1", True)])
def test_pip_check_accepts_an_upstream_pin(tmp_path, pin, broken) -> None:
    """A package installed next to us that pins upstream's version: `pip check` is content."""
    import subprocess
    import sys

    info = tmp_path / "pinned_user-1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: pinned-user\nVersion: 1\nRequires-Dist: {pin}\n")
    (info / "RECORD").write_text("")
    proc = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)}, timeout=120)
    assert (proc.returncode != 0) == broken, proc.stdout
    assert ("pinned-user 1 has requirement" in proc.stdout) == broken, proc.stdout


def test_console_script_is_installed(tmp_path) -> None:
    import sys

    script = Path(sys.executable).parent / "ducktape"
    proc = run_ducktape(["--version"], tmp_path, exe=[str(script)])
    assert proc.returncode == 0 and proc.stdout == VERSION_LINE


def test_help_flag_exits_zero(tmp_path) -> None:
    proc = run_ducktape(["--help"], tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith("Usage: ducktape")
