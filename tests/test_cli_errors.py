"""Bad input: one `ducktape: ...` line (+ `hint:`), exit 2, no traceback unless --debug."""
from __future__ import annotations

import pytest

from tests.support.suites import run_ducktape, write_suite

GOOD = """
from ducktape.mark import parametrize
from ducktape.tests.test import Test

class GoodTest(Test):
    @parametrize(x=1)
    def test_a(self, x):
        pass
"""

FILES = {
    "t/test_good.py": GOOD,
    "broken/test_syntax.py": "from ducktape.tests.test import Test\nclass X(Test):\n    def test_a(self)\n        pass\n",
    "broken/test_dep.py": "import os\nimport no_such_dependency_xyz\n",
    "broken/test_raises.py": "x = 1\nraise RuntimeError('boom at import')\n",
    "bad.yml": "suite: [\n",
    "list.yml": "- t\n",
    "missing.yml": "s:\n  - t/test_nothere.py\n",
    "missing_import.yml": "import: nothere.yml\ns: [t]\n",
    "empty_suite.yml": "s:\n",
    "notests/test_nothing.py": "X = 1\n",
    "notestfiles/helpers.py": "X = 1\n",
    "exits/test_exit.py": "import sys\nsys.exit(0)\n",
    "exits/exit3_test.py": "raise SystemExit(3)\n",
    "marks/test_misplaced.py": (
        "from ducktape.mark import parametrize\nfrom ducktape.mark.resource import cluster\n"
        "from ducktape.tests.test import Test\n\nclass MTest(Test):\n    @parametrize(x=1)\n"
        "    @cluster(num_nodes=1)\n    def test_m(self, x):\n        pass\n"),
    "marks/test_matrix_value.py": (
        "from ducktape.mark import matrix\nfrom ducktape.tests.test import Test\n\nclass MTest(Test):\n"
        "    @matrix(x=5)\n    def test_m(self, x):\n        pass\n"),
}

CASES = {
    "missing_path": (["t/test_nothere.py"], "test path does not exist: 't/test_nothere.py'"),
    "missing_glob": (["t/zz*.py"], "test path does not exist: 't/zz*.py'"),
    "missing_among_good": (["t", "tt/"], "test path does not exist: 'tt/'"),
    "syntax_error": (["broken/test_syntax.py"], ["SyntaxError", "test_syntax.py:3)"]),
    "missing_dependency": (["broken/test_dep.py"], ["No module named 'no_such_dependency_xyz'", "test_dep.py:2)"]),
    "raises_at_import": (["broken/test_raises.py"], "RuntimeError: boom at import"),
    "malformed_yaml": (["bad.yml"], "bad.yml is not valid YAML"),
    "yaml_not_mapping": (["list.yml"], "expected a mapping of suite names"),
    "suite_names_missing_file": (["missing.yml"], "test path does not exist: 't/test_nothere.py'"),
    "suite_imports_missing_file": (["missing_import.yml"], "imports 'nothere.yml', which does not exist"),
    "empty_suite": (["empty_suite.yml"], "empty test suite 's'"),
    "missing_suite_file": (["nothere.yaml"], "test suite file does not exist: 'nothere.yaml'"),
    "bad_parameters": (["--parameters", "{x", "t"], "--parameters is not valid JSON"),
    "parameters_not_object": (["--parameters", "[1]", "t"], "--parameters must be a JSON object"),
    "bad_globals": (["--globals", "{nope", "t"], "--globals '{nope' is neither valid JSON"),
    "globals_not_object": (["--globals", "[1]", "t"], "must hold a JSON object"),
    "bad_symbol_json": (["t/test_good.py::GoodTest.test_a@{x:1}"], "invalid JSON after '@'"),
    "symbol_json_and_parameters": (["--parameters", '{"x":1}', 't/test_good.py::GoodTest.test_a@{"x":1}'],
                                   "Cannot use both global and per-method test parameters"),
    "unknown_flag": (["--bogus", "t"], "No such option '--bogus'"),
    "bad_int": (["--max-parallel", "many", "t"], "'many' is not a valid integer"),
    "bad_choice": (["--collect-logs", "sometimes", "t"], "'sometimes' is not one of"),
    "ambiguous_flag": (["--co", "t"], "ambiguous option: --co"),
    "subset_out_of_range": (["--subsets", "2", "--subset", "2", "t"], "--subset 2 is out of range for --subsets 2"),
    "negative_subset": (["--subsets", "2", "--subset", "-1", "t"], "out of range"),
    "bad_repeat": (["--repeat", "0", "t"], "--repeat must be at least 1"),
    "missing_history": (["--subsets", "2", "--historical-report", "nothere.json", "t"], "cannot use --historical-report"),
    "cluster_below_parametrize": (["marks/test_misplaced.py"], "cannot apply the marks of MTest.test_m"),
    "matrix_not_iterable": (["marks/test_matrix_value.py"], ["@matrix decorator to be iterable", "test_matrix_value.py:5)"]),
    "checker_without_value": (["t", "--ssh-checker-function"], "expects at least one argument"),
    # what a symbol names but does not hold is named, with what is there
    "no_such_method": (["t/test_good.py::GoodTest.test_nope"], "no test method 'test_nope' in class 'GoodTest'"),
    "no_such_class": (["t/test_good.py::NoSuchClass"], "no test class 'NoSuchClass' in 't/test_good.py'"),
    "no_such_class_in_dir": (["t::NoSuchClass"], "no test class 'NoSuchClass' in 't'"),
    "no_such_parameters": (['t/test_good.py::GoodTest.test_a@{"x":2}'],
                           'no parametrization of GoodTest.test_a matches {"x": 2}'),
    "empty_dir": (["emptydir"], "no test files in directory 'emptydir'"),
    "dir_without_test_files": (["notestfiles"], "no test files in directory 'notestfiles'"),
    "dir_without_tests": (["notests"], "no tests in 'notests'"),
    "sys_exit_0_at_import": (["exits/test_exit.py"], "test file exits/test_exit.py called sys.exit(0)"),
    "sys_exit_in_walked_dir": (["exits"], "called sys.exit(3)"),
    "empty_test_path": ([""], "empty test path ''"),
    "blank_test_path": (["t", " "], "empty test path ' '"),
    "max_parallel_0": (["--max-parallel", "0", "t"], "'--max-parallel': 0 is not in the range x>=1"),
    "max_parallel_negative": (["--max-parallel", "-1", "t"], "'--max-parallel': -1 is not in the range x>=1"),
    "test_timeout_negative": (["--test-timeout", "-1", "t"], "'--test-timeout': -1.0 is not in the range x>0"),
    "runner_timeout_negative": (["--test-runner-timeout", "-5", "t"],
                                "'--test-runner-timeout': -5 is not in the range x>=1"),
    "missing_config_file": (["--config-file", "/nonexistent", "t"], "--config-file '/nonexistent': no such file"),
}


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    root = write_suite(tmp_path_factory.mktemp("errors"), FILES)
    (root / "emptydir").mkdir()
    return root


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_one_line_exit_2(case: str, suite) -> None:
    args, expected = CASES[case]
    proc = run_ducktape(["--collect-only", *args], suite)
    lines = proc.stderr.splitlines()
    assert proc.returncode == 2, proc.stderr + proc.stdout
    assert lines and lines[0].startswith("ducktape: "), proc.stderr
    for part in [expected] if isinstance(expected, str) else expected:
        assert part in lines[0], proc.stderr
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("hint: ")), proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


@pytest.mark.parametrize(("config", "expected"), [
    ("--parameters {x\n", ".ducktape/config: --parameters is not valid JSON"),
    ("--globals [1]\n", ".ducktape/config: --globals '[1]' must hold a JSON object"),
])
def test_bad_json_in_a_config_file_names_the_file(tmp_path, config, expected) -> None:
    write_suite(tmp_path, {"t/test_good.py": GOOD, ".ducktape/config": config})
    proc = run_ducktape(["--collect-only", "t"], tmp_path)
    first = proc.stderr.splitlines()[0]
    assert proc.returncode == 2 and first.startswith("ducktape: config file ") and expected in first, proc.stderr


def test_cluster_that_is_not_a_cluster_class(suite) -> None:
    proc = run_ducktape(["t", "--cluster", "json.dumps"], suite)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr.splitlines()[0] == (
        "ducktape: --cluster json.dumps: 'dumps' is not a cluster class (a subclass of ducktape.cluster.cluster.Cluster)")


def test_debug_shows_traceback(suite) -> None:
    proc = run_ducktape(["--collect-only", "--debug", "broken/test_dep.py"], suite)
    assert proc.returncode == 2
    assert "Traceback" in proc.stderr and "no_such_dependency_xyz" in proc.stderr
    assert proc.stderr.splitlines()[-2].startswith("ducktape: cannot import test file broken/test_dep.py")


def test_broken_module_is_not_skipped_when_walking(suite) -> None:
    """Upstream logged and went on (exit 0); a broken module in a walked directory is an error."""
    proc = run_ducktape(["--collect-only", "."], suite)
    assert proc.returncode == 2 and "cannot import test file broken/" in proc.stderr


def test_no_tests(suite, tmp_path) -> None:
    write_suite(tmp_path, {"pkg/test_nothing.py": "X = 1\n"})
    proc = run_ducktape(["--collect-only", "pkg"], tmp_path)
    assert proc.returncode == 2 and proc.stderr.startswith("ducktape: no tests in 'pkg': no Test subclass")


def test_everything_excluded_is_no_tests_to_run(suite) -> None:
    proc = run_ducktape(["--collect-only", "t", "--exclude", "t"], suite)
    assert proc.returncode == 2 and proc.stderr.startswith("ducktape: No tests to run!")
