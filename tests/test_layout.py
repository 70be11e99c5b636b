"""The layout sections of README.md and docs/development.md agree with the package's folders, and importing `kg` or
any of its subpackages loads nothing heavy: the lists cannot fall behind the code, and `import kg` stays instant."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kg"
HEAVY = ("spacy", "pandas", "rdflib", "pyoxigraph", "owlrl", "pyshacl", "dateparser", "trafilatura", "IPython",
         "matplotlib", "SPARQLWrapper", "oxrdflib")
SKIPPED = {"__pycache__", "data", "resources"}  # data and resources hold files, not code


def _layout_block(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    match = re.search(r"<!-- LAYOUT -->(.*?)<!-- /LAYOUT -->", text, re.S)
    assert match, f"{path.relative_to(ROOT)} has no <!-- LAYOUT --> … <!-- /LAYOUT --> section"
    return match.group(1)


def _listed(block: str, *, first_column: bool = False) -> set[str]:
    """The `kg/…` paths a layout section names: all of them, or only the first of each line (the others are in the
    descriptions)."""
    pattern = r"^\s*(kg/[\w/]*(?:\.py|/))" if first_column else r"\b(kg/[\w/]*(?:\.py|/))"
    return set(re.findall(pattern, block, re.M))


def _subpackages() -> set[str]:
    return {f"kg/{d.name}/" for d in PACKAGE.iterdir() if (d / "__init__.py").is_file() and d.name not in SKIPPED}


def _modules() -> set[str]:
    """Every module of the package, and every subpackage as `kg/NAME/` (its __init__ stands for it)."""
    found = {f"kg/{p.name}" for p in PACKAGE.glob("*.py")}
    for package in _subpackages():
        found |= {f"{package}{p.name}" for p in (ROOT / package).glob("*.py") if p.name != "__init__.py"}
    return found | _subpackages()


def _packages() -> list[str]:
    return ["kg", *sorted(p.rstrip("/").replace("/", ".") for p in _subpackages())]


def test_development_page_lists_every_module_and_nothing_else() -> None:
    listed = _listed(_layout_block(ROOT / "docs" / "development.md"), first_column=True) - {"kg/data/", "kg/resources/"}
    modules = _modules()
    assert not modules - listed, f"add to the layout of docs/development.md: {sorted(modules - listed)}"
    assert not listed - modules, f"gone, remove from the layout of docs/development.md: {sorted(listed - modules)}"


def test_readme_names_every_subpackage_and_nothing_else() -> None:
    listed = {p for p in _listed(_layout_block(ROOT / "README.md")) if p.endswith("/")}
    assert listed == _subpackages(), f"README layout: missing {sorted(_subpackages() - listed)}, " \
                                     f"gone {sorted(listed - _subpackages())}"


def test_every_subpackage_is_packaged() -> None:
    """pyproject.toml lists the packages explicitly (the resources come from other folders): a new one must be in it,
    or a wheel ships without it."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    listed = set(re.findall(r'"(kg(?:\.\w+)*)"', text.split("packages = [", 1)[1].split("]", 1)[0]))
    assert set(_packages()) <= listed, f"add to [tool.setuptools] packages: {sorted(set(_packages()) - listed)}"


# kg.extract is the spaCy stage: importing it loads spaCy, as it should. The command line starts light (`kg --help`).
LIGHT = [p for p in _packages() if p != "kg.extract"] + ["kg.interfaces.cli"]


@pytest.mark.parametrize("package", LIGHT)
def test_importing_a_package_loads_nothing_heavy(package: str) -> None:
    code = (f"import sys, {package}; heavy = {HEAVY!r}; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"import {package} loads {out.strip()}"
