"""A normal install works: the wheel carries the ontology, the saved queries and the sample corpus, and runs away
from the checkout; the build backend prints no warning; `scripts/sample` prints what the README says it prints."""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from email.parser import Parser
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from kg.interfaces.cli import main

ROOT = Path(__file__).resolve().parent.parent
#: What the wheel is built from: the project's files, without caches and earlier build output.
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "kg", "ontology", "queries", "corpus")
SECONDS = re.compile(r"\d+\.\d s\b")


def _copy_sources(target: Path) -> Path:
    """A copy of the files the wheel is built from, so that the build's `build/` folder stays out of the checkout."""
    target.mkdir()
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy(source, target / name)
    return target


def _run(args: list[str | Path], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def _backend_warnings(log: str) -> list[str]:
    """The build backend's warnings in `pip wheel -v` output (a disabled byte-compiler is the environment's choice)."""
    return [line for line in log.splitlines()
            if re.search(r"(?i)warn|would be ignored", line) and "byte-compiling is disabled" not in line]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel built from a copy of the sources (`pip wheel --no-deps -v`), and the build's output."""
    work = tmp_path_factory.mktemp("wheel")
    sources = _copy_sources(work / "src")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_REQUIRE_VIRTUALENV")}
    result = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", work / "dist", sources], work, env)
    (path,) = (work / "dist").glob("kg-*.whl")
    return path, result.stdout + result.stderr


@pytest.mark.slow
def test_the_build_backend_prints_no_warning(wheel: tuple[Path, str]) -> None:
    assert _backend_warnings(wheel[1]) == []


@pytest.mark.slow
def test_the_wheel_carries_the_ontology_queries_sample_and_licence(wheel: tuple[Path, str]) -> None:
    names = set(zipfile.ZipFile(wheel[0]).namelist())
    expected = {f"kg/resources/ontology/{p.name}" for p in (ROOT / "ontology").glob("*.ttl")}
    expected |= {f"kg/resources/queries/{p.name}" for p in (ROOT / "queries").glob("*.rq")}
    expected |= {f"kg/resources/corpus/sample/{p.name}" for p in (ROOT / "corpus" / "sample").iterdir()
                 if p.is_file()}
    expected |= {"kg/resources/ontology/rules.ru", "kg/py.typed", "kg/data/wikidata/states.csv",
                 "kg/data/world/countries-110m.geojson",
                 "kg-0.1.0.dist-info/licenses/LICENSE"}
    assert expected - names == set()
    metadata = zipfile.ZipFile(wheel[0]).read("kg-0.1.0.dist-info/METADATA").decode()
    assert "License-Expression: MIT" in metadata


def _requirements(wheel: Path) -> list[Requirement]:
    """The `Requires-Dist` lines of the wheel's METADATA."""
    metadata = zipfile.ZipFile(wheel).read("kg-0.1.0.dist-info/METADATA").decode()
    return [Requirement(value) for value in Parser().parsestr(metadata).get_all("Requires-Dist") or []]


@pytest.mark.slow
def test_the_wheel_requires_lxml_html_clean_itself_not_through_an_extra(wheel: tuple[Path, str]) -> None:
    """trafilatura reads HTML with `lxml.html.clean`, which lxml 5.2 moved to lxml-html-clean behind lxml's
    `html_clean` extra; pip 23 leaves that extra out when it comes through trafilatura, and every HTML input then
    crashed the build (issue 16, case 11). So kg requires lxml-html-clean directly: no extra, no marker."""
    found = [r for r in _requirements(wheel[0]) if canonicalize_name(r.name) == "lxml-html-clean"]
    assert len(found) == 1, found
    (requirement,) = found
    assert requirement.marker is None and requirement.extras == set(), str(requirement)
    assert requirement.specifier.contains(version("lxml-html-clean"))  # the tested version is allowed
    importlib.import_module("lxml.html.clean")  # what trafilatura imports


@pytest.mark.slow
def test_the_installed_wheel_builds_queries_and_opens_away_from_the_checkout(wheel: tuple[Path, str],
                                                                            tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path,
                     dict(os.environ)).stdout.strip())
    # kg's dependencies come from the test environment (a path entry, so its editable kg is not loaded); kg from
    # the wheel alone
    (site / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env |= {"PATH": f"{venv / 'bin'}{os.pathsep}{env['PATH']}", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    _run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel[0]], tmp_path, env)
    work = tmp_path / "elsewhere"
    work.mkdir()
    kg = venv / "bin" / "kg"

    built = _run([kg, "build", "--out", "out"], work, env).stdout  # no PATH: the sample corpus shipped in the wheel
    assert "built out/graph.ttl: 1 articles" in built and "conforms" in built and "inferred triples" in built
    exercises = _run([kg, "query", "exercises", "--data", "out"], work, env).stdout
    assert "Druzhba 2017" in exercises and "(2 rows)" in exercises
    listed = _run([kg, "queries"], work, env).stdout
    assert all(path.stem in listed for path in (ROOT / "queries").glob("*.rq"))
    script = ("import kg, kg.resources; print(kg.__file__); print(kg.resources.directory('ontology')); "
              "print(len(kg.open('out').query('exercises')))")
    where, ontology, rows = _run([python, "-c", script], work, env).stdout.split()
    assert Path(where).is_relative_to(venv) and Path(ontology).is_relative_to(venv)
    assert rows == "2"


def _block(page: str, starting: str) -> str:
    """The fenced block of `page` (a path in the project) that begins with `starting`."""
    blocks = re.findall(r"^```\w*\n(.*?)^```$", (ROOT / page).read_text(encoding="utf-8"), re.S | re.M)
    (block,) = [b for b in blocks if b.startswith(starting)]
    return block


@pytest.mark.slow
def test_readme_example_output_is_what_scripts_sample_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("COLUMNS", raising=False)  # output to a pipe: the table is not fitted to a terminal
    assert main(["build", str(ROOT / "corpus" / "sample"), "--out", "out"]) == 0
    assert main(["query", "exercises", "--data", "out"]) == 0
    printed = capsys.readouterr()
    assert printed.err == ""
    for page in ("README.md", "docs/getting-started.md"):
        assert SECONDS.sub("N s", printed.out) == SECONDS.sub("N s", _block(page, "built out/graph.ttl")), page

