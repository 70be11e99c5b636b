"""Refresh the development-set figures in README.md (between the DEV-FIGURES markers).

Builds tests/data/dev/articles plus the sample article, scores the build against tests/data/dev/gold.jsonl, each
part of tests/data/dev/split.json on its own (the rules part, read while writing rules; the check part, never
read), and writes the table into the README. Usage: python scripts/dev_figures.py
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from kg.pipeline.stages import build
from kg.query.evaluation import evaluate_parts, predictions, read_gold, read_split

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- DEV-FIGURES -->", "<!-- /DEV-FIGURES -->"


def figures() -> str:
    """The score table of the development set's two parts as Markdown."""
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "in"
        corpus.mkdir()
        for path in [*(ROOT / "tests/data/dev/articles").glob("*.txt"), *(ROOT / "corpus/sample").glob("*.txt")]:
            shutil.copy(path, corpus / path.name)
        build([corpus], Path(tmp) / "out")
        split = read_split(ROOT / "tests/data/dev/split.json")
        parts = evaluate_parts(read_gold(ROOT / "tests/data/dev/gold.jsonl"), predictions(Path(tmp) / "out"), split)
    names = list(parts)
    head = " | ".join(f"{n} ({len(parts[n].articles)} articles): P / R / F1" for n in names)
    rows = [f"| category | {head} |", "| --- |" + " ---: |" * len(names)]
    for category in parts[names[0]].scores:
        cells = " | ".join(f"{parts[n].scores[category].precision:.2f} / {parts[n].scores[category].recall:.2f} / "
                           f"**{parts[n].scores[category].f1:.3f}**" for n in names)
        rows.append(f"| {category} | {cells} |")
    return "\n".join(rows)


def main() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    block = f"{START}\n{figures()}\n{END}"
    readme.write_text(re.sub(rf"{re.escape(START)}.*?{re.escape(END)}", block, text, flags=re.S), encoding="utf-8")


if __name__ == "__main__":
    main()
