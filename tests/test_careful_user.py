"""Small things a careful user notices: ``-h`` on every command and subcommand, and counts that
agree with their noun ("1 test", never "1 tests"). Real commands, real runs on the embedded cluster."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.moto_ec2 import ec2_cli
from tests.support.suites import run_ducktape, write_suite

BIN = Path(sys.executable).parent
COMMANDS = ["ducktape", "ducktape-cluster", "ducktape-report", "ducktape-trogdor"]
ONE_WRONG = re.compile(r"\b1 (tests|nodes|processes|instances|namespaces|faults|sessions)\b")


def _help(argv: list[str], flag: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / argv[0]), *argv[1:], flag], capture_output=True, text=True, timeout=60,
                          check=False)


def _subcommands(help_text: str) -> list[str]:
    """Subcommands a help page lists: click's ``Commands:`` block or argparse's ``{a,b}``."""
    if "\nCommands:\n" in help_text:
        block = help_text.split("\nCommands:\n", 1)[1]
        return [line.split()[0] for line in block.splitlines() if line.startswith("  ") and line.strip()]
    found = help_text.startswith("usage:") and re.search(r"\{([a-z0-9,-]+)\} \.\.\.", help_text)
    return found.group(1).split(",") if found else []


def _every_command() -> list[list[str]]:
    seen, todo = [], [[name] for name in COMMANDS]
    while todo:
        argv = todo.pop(0)
        seen.append(argv)
        page = _help(argv, "--help")
        assert page.returncode == 0, (argv, page.stderr)
        todo.extend([*argv, sub] for sub in _subcommands(page.stdout))
    return seen


def test_dash_h_works_on_every_command_and_subcommand():
    commands = _every_command()
    assert ["ducktape-cluster", "ec2", "up"] in commands and ["ducktape-report", "rebuild"] in commands
    assert ["ducktape-trogdor", "client"] in commands
    for argv in commands:
        short, long = _help(argv, "-h"), _help(argv, "--help")
        assert short.returncode == 0, (argv, short.stderr)
        assert short.stdout == long.stdout and short.stdout.lower().startswith("usage:"), argv


SUITE = {"one/test_one.py": """
    from ducktape.mark.resource import cluster
    from ducktape.tests.test import Test


    class OneTest(Test):
        @cluster(num_nodes=1)
        def test_only(self):
            pass
    """}


@pytest.mark.parametrize("args", [["one"], ["one", "--collect-only"], ["one", "--sample", "1"]],
                         ids=["run", "collect", "sample"])
def test_a_single_test_is_counted_as_one_test(suite_dir: Path, args: list[str]):
    write_suite(suite_dir, SUITE)
    done = run_ducktape(args, cwd=suite_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    said = done.stdout + done.stderr
    logs = [p.read_text() for p in (suite_dir / "results").glob("*/session_log.*")]
    for text in [said, *logs]:
        assert not ONE_WRONG.search(text), ONE_WRONG.search(text).group(0)
    assert "Discovered 1 test to run" in said
    if "--collect-only" in args:
        assert "Collected 1 test:" in done.stdout


WAIT_SUITE = {"w/test_w.py": """
    from ducktape.mark.resource import cluster
    from ducktape.tests.test import Test
    from ducktape.utils.util import wait_until


    def check_for_myfault():
        return False


    class WTest(Test):
        @cluster(num_nodes=1)
        def test_forgot_the_call(self):
            for _ in range(3):  # one call site, three calls
                wait_until(lambda: check_for_myfault, timeout_sec=30, backoff_sec=0.1)
            wait_until(lambda: check_for_myfault, timeout_sec=30)  # a second call site
            wait_until(lambda: check_for_myfault() or True, timeout_sec=30)  # called: no warning
    """}


def test_a_condition_returning_a_callable_warns_once_per_call_site(suite_dir: Path):
    """kafkatest's ``wait_until(lambda: check_for_myfault, ...)`` never waits: the callable is
    truthy. Upstream's behaviour (success at once) stays; one warning per call site names the fix."""
    write_suite(suite_dir, WAIT_SUITE)
    done = run_ducktape(["w"], cwd=suite_dir)
    assert done.returncode == 0, done.stdout + done.stderr  # the truthy callable counts as success
    warnings = [line for line in (done.stdout + done.stderr).splitlines() if "wait_until's condition" in line]
    assert len(warnings) == 2, warnings
    assert all("check_for_myfault() rather than lambda: check_for_myfault" in line for line in warnings)
    assert {line.split(": UserWarning")[0].rsplit(":", 1)[1] for line in warnings} == {"15", "16"}  # the two call sites


def test_ec2_status_without_clusters_says_no_clusters(moto_ec2, tmp_path: Path):
    """``ducktape-cluster ec2 status`` says it as ``ducktape-cluster status`` does: "no clusters"."""
    status = ec2_cli(["ec2", "status"], moto_ec2.env, tmp_path)
    assert status.returncode == 0, status.stderr
    assert status.stdout == "no clusters\n"
