"""Code blocks of the Markdown docs that are meant to run, and how to run them.

Opt-in, by the fence's info string, so a code block is run only when its author says so:

    ```python file=pkg/mod.py     written to pkg/mod.py in the doc's scratch directory
    ```bash run                   run with bash -e in that directory
    ```python run                 run with the test's Python in that directory

Blocks of one document run in order, in one scratch directory, so a guide can write a
suite block by block and then run it. Every other block is only text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Block:
    """One runnable block: ``kind`` is ``file``, ``bash`` or ``python``."""

    doc: Path
    line: int
    kind: str
    body: str
    path: str = ""

    @property
    def where(self) -> str:
        return f"{self.doc.name}:{self.line}"


def runnable_blocks(doc: Path) -> list[Block]:
    """The blocks of *doc* marked ``file=PATH`` or ``run``, in document order."""
    text = doc.read_text()
    blocks = []
    for match in FENCE.finditer(text):
        words = match.group("info").split()
        line = text.count("\n", 0, match.start()) + 1
        files = [w.split("=", 1)[1] for w in words[1:] if w.startswith("file=")]
        if files:
            blocks.append(Block(doc, line, "file", match.group("body"), files[0]))
        elif "run" in words[1:] and words[0] in ("bash", "python"):
            blocks.append(Block(doc, line, words[0], match.group("body")))
    return blocks


def docs_with_runnable_blocks(docs_dir: Path) -> list[Path]:
    return [doc for doc in sorted(docs_dir.glob("*.md")) if runnable_blocks(doc)]
