"""MkDocs hooks (mkdocs.yml `hooks:`): the pages made from the project's own sources at every build.

- `reference/cli.md`: the help of `kg` and of each command, from the argument parser (`kg.interfaces.cli.parser`).
- `reference/queries.md`: the saved-query catalogue, from the headers and text of `queries/*.rq`.
- `evaluation.md`: the README's "Evaluation" section, where the development-set figures are kept up to date.

Generated, never written to `docs/`, so they cannot drift from what they describe.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
HELP_WIDTH = "100"  # argparse wraps help to $COLUMNS


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse has no public way to list its sub-commands
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def cli_reference() -> str:
    """The reference page of the command line: `kg --help`, then each command's `--help`."""
    from kg.interfaces.cli import parser

    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_WIDTH
    try:
        main = parser()
        parts = ["# Command reference\n", "Generated from the argument parser (`kg --help`, `kg COMMAND --help`).\n",
                 f"```text\n{main.format_help()}```\n"]
        for name, command in _commands(main).items():
            parts.append(f"## kg {name}\n\n```text\n{command.format_help()}```\n")
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
    return "\n".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def query_catalogue() -> str:
    """The catalogue page of the saved queries: title, description, parameters and text of each."""
    from kg.query.catalogue import saved_queries

    parts = ["# Saved-query catalogue\n",
             "Generated from `queries/*.rq`. Run one with `kg query NAME --data DIR [--param K=V]` or "
             "`kg.open(DIR).query(NAME, K=V)`; types are explained in [Saved queries](../queries.md).\n"]
    for query in saved_queries().values():
        parts.append(f"## {query.name}\n\n**{query.title}.** {query.description}\n")
        if query.requires:
            parts.append(f"Requires: {query.requires}.\n")
        if query.parameters:
            rows = "\n".join(f"| `{p.name}` | {_cell(p.kind)} | {_cell(p.default or '')} | {_cell(p.doc)} |"
                             for p in query.parameters)
            parts.append(f"| parameter | type | default | meaning |\n| --- | --- | --- | --- |\n{rows}\n")
        body = "\n".join(line for line in query.text.splitlines() if not line.startswith("#")).strip()
        parts.append(f"```sparql\n{body}\n```\n")
    return "\n".join(parts)


def evaluation_page() -> str:
    """The README's "Evaluation" section as a page."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Evaluation\n(.*?)(?=^## |\Z)", readme, re.S | re.M)
    if match is None:
        raise ValueError("README.md has no '## Evaluation' section")
    return "# Evaluation\n" + match.group(1)


def on_files(files: Files, config: Any) -> Files:
    for path, content in (("reference/cli.md", cli_reference()), ("reference/queries.md", query_catalogue()),
                          ("evaluation.md", evaluation_page())):
        files.append(File.generated(config, path, content=content))
    return files
