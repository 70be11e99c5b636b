"""Refresh the development-set figures in README.md (between the DEV-FIGURES markers).

Builds tests/data/dev/articles plus the sample article, scores the build with `kg eval` against
tests/data/dev/gold.jsonl and writes the table into the README. Usage: python scripts/dev_figures.py
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from kg.evaluation import evaluate, predictions, read_gold
from kg.pipeline import build

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- DEV-FIGURES -->", "<!-- /DEV-FIGURES -->"


def figures() -> str:
    """The score table of the development set as Markdown."""
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "in"
        corpus.mkdir()
        for path in [*(ROOT / "tests/data/dev/articles").glob("*.txt"), *(ROOT / "corpus/sample").glob("*.txt")]:
            shutil.copy(path, corpus / path.name)
        build([corpus], Path(tmp) / "out")
        result = evaluate(read_gold(ROOT / "tests/data/dev/gold.jsonl"), predictions(Path(tmp) / "out"))
    rows = ["| category | precision | recall | F1 |", "| --- | ---: | ---: | ---: |"]
    rows += [f"| {c} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} |" for c, s in result.scores.items()]
    return "\n".join(rows)


def main() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    block = f"{START}\n{figures()}\n{END}"
    readme.write_text(re.sub(rf"{re.escape(START)}.*?{re.escape(END)}", block, text, flags=re.S), encoding="utf-8")


if __name__ == "__main__":
    main()
