"""Regenerate expected/*.out by running upstream ducktape 0.17.0 on each case of cases.txt.

Run from the repo root: .venv/bin/python tests/data/collect/make_expected.py
"""
import shlex
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from tests.support.suites import (
    UPSTREAM_DUCKTAPE,
    copy_data,
    normalize_output,
    run_ducktape,
)

HERE = Path(__file__).resolve().parent


def cases():
    for line in (HERE / "cases.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, args = line.partition("|")
            yield name.strip(), shlex.split(args)


def main():
    for name, args in cases():
        with tempfile.TemporaryDirectory() as tmp:
            work = copy_data("collect", Path(tmp) / "collect")
            proc = run_ducktape(args, work, exe=UPSTREAM_DUCKTAPE, env={"DUCKTAPE_COLLECT_FIXTURE": "yes"})
            out = f"exit={proc.returncode}\n" + normalize_output(proc.stdout, work)
            (HERE / "expected" / f"{name}.out").write_text(out)
            print(name, proc.returncode, len(proc.stdout.splitlines()), proc.stderr[-300:])


if __name__ == "__main__":
    main()
