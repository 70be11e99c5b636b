"""Notebooks without their outputs: the git filter that keeps running a notebook from changing a tracked file.

`scripts/lab` installs it (`--install`) in the checkout's git configuration; `.gitattributes` applies it to
`notebooks/*.ipynb`. Git then stores and compares every notebook through `clean` (standard input to standard
output): outputs, execution counts and run metadata are dropped, so a notebook that was run shows no change in
`git status` or `git diff` and cannot be committed with outputs. The working copy keeps its outputs for the analyst.
The standard library only, so that git can run it before any environment exists. Its output is nbformat's own
layout (sorted keys, one-space indent), and a committed notebook is a fixed point (tests/test_notebooks.py).

    python3 scripts/strip_notebook.py < in.ipynb > out.ipynb    # the filter
    python3 scripts/strip_notebook.py --install                  # configure it in the current git repository
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

FILTER = "kg-notebook"
#: Metadata a run writes into a cell (timings, scroll state), none of which belongs in the project's history.
RUN_METADATA = ("execution", "ExecuteTime", "collapsed", "scrolled")


def clean(text: str) -> str:
    """The notebook `text` without outputs, execution counts, run metadata or the kernel's version details."""
    notebook: dict[str, Any] = json.loads(text)
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        for key in RUN_METADATA:
            cell.get("metadata", {}).pop(key, None)
    metadata = notebook.get("metadata", {})
    metadata.pop("widgets", None)
    if "language_info" in metadata:
        metadata["language_info"] = {"name": metadata["language_info"].get("name", "python")}
    return json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def install() -> None:
    """Configure the filter in the git repository of the current directory (`.gitattributes` names it)."""
    command = f"python3 scripts/{__file__.rsplit('/', 1)[-1]}"
    subprocess.run(["git", "config", f"filter.{FILTER}.clean", command], check=True)
    subprocess.run(["git", "config", f"filter.{FILTER}.smudge", "cat"], check=True)


def main(argv: list[str]) -> int:
    if argv == ["--install"]:
        install()
        return 0
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    sys.stdout.buffer.write(clean(sys.stdin.buffer.read().decode("utf-8")).encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
