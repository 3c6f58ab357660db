"""YAML suite files whose ``import:`` is cyclic, or names the file itself, load every file
once and run the union of their suites, as upstream 0.17.0 does: same input, same tests."""
from __future__ import annotations

import pytest

from tests.support.suites import (
    UPSTREAM_DUCKTAPE,
    normalize_output,
    run_ducktape,
    write_suite,
)

TEST = """
from ducktape.tests.test import Test

class {name}Test(Test):
    def test_{low}(self):
        pass
"""
FILES = {
    **{f"t/test_{n.lower()}.py": TEST.format(name=n, low=n.lower()) for n in ("A", "B", "C")},
    "cyc1.yml": "import: cyc2.yml\none:\n  - t/test_a.py\n",
    "cyc2.yml": "import: [cyc1.yml, sub/cyc3.yml]\ntwo:\n  - t/test_b.py\n",
    "sub/cyc3.yml": "import: ../cyc1.yml\nthree:\n  - ../t/test_c.py\n",
    "self.yml": "import: self.yml\nme:\n  - t/test_a.py\n  - t/test_c.py\n",
}


@pytest.mark.parametrize("args", [["cyc1.yml"], ["sub/cyc3.yml"], ["self.yml"], ["self.yml", "cyc2.yml"]])
def test_cyclic_and_self_imports_load_the_union_as_upstream(tmp_path, args):
    root = write_suite(tmp_path, FILES, packages=False)
    (root / "t" / "__init__.py").write_text("")
    ours = run_ducktape(["--collect-only", *args], root)
    upstream = run_ducktape(["--collect-only", *args], root, exe=UPSTREAM_DUCKTAPE)
    assert upstream.returncode == 0, upstream.stdout + upstream.stderr
    assert ours.returncode == 0, ours.stdout + ours.stderr
    assert normalize_output(ours.stdout, root) == normalize_output(upstream.stdout, root)
    expected = ["test_a", "test_c"] if args == ["self.yml"] else ["test_a", "test_b", "test_c"]
    assert [name for name in ("test_a", "test_b", "test_c") if f"function={name}," in ours.stdout] == expected
