"""Every notebook of notebooks/ runs top to bottom in a real Jupyter kernel (nbclient), and is committed clean.

The kernel is this interpreter (a kernelspec written to a temporary folder names `sys.executable`), so the
notebooks see the same kg as the tests. `KG_NOTEBOOK_DATA` tells a notebook which build folder to use: a fresh
folder for 01 (which builds the sample corpus itself), the session's seed build for the others (which only read).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
BUILDS_ITSELF = {"01-quickstart"}
CELL_TIMEOUT = 300  # seconds; building the sample corpus is the slowest cell
STRIP = NOTEBOOKS.parent / "scripts" / "strip_notebook.py"  # the git filter scripts/lab configures


def strip(text: str) -> str:
    """`text` through the notebooks' git filter."""
    return subprocess.run([sys.executable, STRIP], input=text.encode(), capture_output=True, check=True).stdout.decode()


@pytest.fixture(scope="module")
def kernel_dirs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """A kernelspec folder whose `python3` kernel is this interpreter."""
    folder = tmp_path_factory.mktemp("kernels")
    spec = folder / "python3"
    spec.mkdir()
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "kg tests", "language": "python"}), encoding="utf-8")
    return [str(folder)]


def test_the_four_notebooks_are_there() -> None:
    names = {p.stem for p in PATHS}
    assert {"01-quickstart", "02-alliances-and-reasoning", "03-exercises-and-arms-deals"} <= names


def _committed(path: Path) -> str:
    """The notebook as git holds it (the index), which a run in JupyterLab does not change; the file elsewhere."""
    relative = path.relative_to(NOTEBOOKS.parent).as_posix()
    shown = subprocess.run(["git", "show", f":{relative}"], cwd=NOTEBOOKS.parent, capture_output=True, text=True)
    return shown.stdout if shown.returncode == 0 else path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    text = _committed(path)
    notebook = nbformat.reads(text, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{path.name}: clear its outputs"
    assert strip(text) == text, f"{path.name}: pass it through python3 scripts/strip_notebook.py"


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_runs_top_to_bottom(path: Path, kernel_dirs: list[str], seed_build: Path,
                                     tmp_path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    data = tmp_path / "out" if path.stem in BUILDS_ITSELF else seed_build
    manager = KernelManager(kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=kernel_dirs))
    client = NotebookClient(notebook, km=manager, timeout=CELL_TIMEOUT,
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    client.execute(env={**os.environ, "KG_NOTEBOOK_DATA": str(data), "PYTHONWARNINGS": "ignore"})
    seconds = time.perf_counter() - started
    print(f"{path.name}: {seconds:.1f} s")
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    tables = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    blanks = [b for b in (">NaN<", ">NaT<", "&lt;NA&gt;", ">nan<") for html in tables if b in html]
    assert not blanks, f"{path.name}: blanks shown as {sorted(set(blanks))}"
    if path.stem in BUILDS_ITSELF or path.stem.startswith(("02", "03")):
        assert any("text/html" in o.get("data", {}) for o in outputs), f"{path.name}: no table"
        assert any("image/png" in o.get("data", {}) for o in outputs), f"{path.name}: no picture"
    if path.stem in BUILDS_ITSELF:
        assert (data / "graph.ttl").is_file()
