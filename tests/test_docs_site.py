"""The documentation site builds with warnings as errors, its reference pages come from the code, its Python
examples run, and the README stays short: what kg is, the two commands, one example, links, the evaluation."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg.interfaces.cli import parser
from kg.query.catalogue import saved_queries

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import docs_hooks  # noqa: E402  (scripts/docs_hooks.py, the site's hooks)

#: Pages whose ```python blocks are examples to run against a build of the sample in ./out.
EXAMPLE_PAGES = ("python-api.md", "getting-started.md", "commands.md", "graph.md", "queries.md", "notebooks.md",
                 "wikidata.md", "stores.md")


def test_the_site_builds_with_warnings_as_errors(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for page in ("reference/cli", "reference/queries", "evaluation", "python-api", "getting-started"):
        assert (tmp_path / "site" / page / "index.html").is_file(), page


def test_the_command_reference_has_every_command_from_the_parser() -> None:
    page = docs_hooks.cli_reference()
    commands = docs_hooks._commands(parser())
    assert {"build", "query", "queries", "eval"} <= set(commands)
    assert all(f"## kg {name}\n" in page for name in commands)
    assert "--param" in page and "--format" in page


def test_the_query_catalogue_has_every_saved_query_and_parameter() -> None:
    page = docs_hooks.query_catalogue()
    for query in saved_queries().values():
        assert f"## {query.name}\n" in page
        assert all(f"| `{p.name}` |" in page for p in query.parameters)


def test_the_evaluation_page_is_the_readmes_section() -> None:
    page = docs_hooks.evaluation_page()
    assert page.startswith("# Evaluation\n") and "<!-- DEV-FIGURES -->" in page


def _python_blocks(page: str) -> list[str]:
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```$", text, re.S | re.M)


@pytest.mark.parametrize("page", [p for p in EXAMPLE_PAGES if _python_blocks(p)])
def test_the_python_examples_of_the_docs_run(page: str, seed_build: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "out").symlink_to(seed_build)
    monkeypatch.chdir(tmp_path)
    for block in _python_blocks(page):
        exec(compile(block, f"docs/{page}", "exec"), {})  # noqa: S102 (the project's own examples)


def test_the_readme_is_short_links_the_docs_and_the_picture_and_keeps_the_evaluation() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 120
    assert "scripts/sample" in readme and "scripts/test" in readme
    assert "## Evaluation" in readme and "<!-- DEV-FIGURES -->" in readme
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme)
    assert "docs/index.md" in links and "docs/img/notebook-03-jupyterlab.png" in links
    assert [link for link in links if not link.startswith("http") and not (ROOT / link).exists()] == []
