"""Build the agent's single file: a zipapp of ``ducktape.trogdor`` runnable by python3.

The deploying code copies it to a node and runs ``python3 trogdor.pyz agent ...``;
the node needs Python 3.8+ and nothing else. Test-side modules (which need the rest
of ducktape) are left out; ``ducktape/checkers/recorder.py`` (stdlib only) goes in, so
workers record operation histories with the same class as tests do.
"""
from __future__ import annotations

import os
import py_compile
import shutil
import tempfile
import zipapp
from pathlib import Path

# Driver-side modules (they import the rest of ducktape), as paths inside the package.
TEST_SIDE = {"service.py", "pack.py", "faults/context.py", "faults/nemesis.py"}
CARRIED = ("checkers/recorder.py",)  # outside ducktape/trogdor, run alone
_MAIN = "from ducktape.trogdor.cli import main\n\nraise SystemExit(main())\n"


def build_zipapp(dest: str) -> str:
    """Write the zipapp to ``dest`` (a file path) and return it."""
    package = Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory(prefix="trogdor-pyz-") as stage:
        root = Path(stage)
        (root / "ducktape" / "checkers").mkdir(parents=True)
        (root / "ducktape" / "__init__.py").write_text('"""ducktape: the Trogdor agent\'s part only."""\n')
        (root / "ducktape" / "checkers" / "__init__.py").write_text('"""ducktape.checkers: the recorder only."""\n')
        (root / "__main__.py").write_text(_MAIN)
        for path in sorted(package.rglob("*.py")):
            rel = path.relative_to(package)
            if "__pycache__" in rel.parts or rel.as_posix() in TEST_SIDE:
                continue
            _add(path, root / "ducktape" / "trogdor" / rel)
        for rel in CARRIED:
            _add(package.parent / rel, root / "ducktape" / rel)
        tmp = f"{dest}.tmp{os.getpid()}"
        zipapp.create_archive(root, tmp, interpreter="/usr/bin/env python3", compressed=True)
        os.replace(tmp, dest)
    return dest


def _add(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    # Byte code for this interpreter next to the source, where zipimport looks for it
    # (a third off the agent's start); a node whose python3 differs compiles the source.
    py_compile.compile(str(target), cfile=str(target.with_suffix(".pyc")), doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
