"""A directory walk skips hidden dirs and virtualenvs, whose test files belong to other projects."""
from __future__ import annotations

from tests.support.suites import run_ducktape, write_suite

GOOD = """
from ducktape.tests.test import Test

class WalkTest(Test):
    def test_a(self):
        pass
"""


def test_walk_skips_hidden_dirs_and_virtualenvs(tmp_path):
    write_suite(tmp_path, {
        "pkg/test_good.py": GOOD,
        "pkg/.venv/lib/mod/test_broken.py": "this is not python(\n",
        "pkg/env/lib/mod/test_broken.py": "this is not python(\n",
    })
    (tmp_path / "pkg/env/pyvenv.cfg").write_text("home = /usr/bin\n")
    proc = run_ducktape(["pkg", "--collect-only"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Collected 1 test:" in proc.stdout
    assert "WalkTest" in proc.stdout and "test_broken" not in proc.stdout


def test_broken_module_in_a_plain_package_is_still_an_error(tmp_path):
    write_suite(tmp_path, {"pkg/test_good.py": GOOD, "pkg/sub/test_broken.py": "this is not python(\n"})
    proc = run_ducktape(["pkg", "--collect-only"], cwd=tmp_path)
    assert proc.returncode == 2
    assert "test_broken.py" in proc.stderr
