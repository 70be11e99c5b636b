"""Running the notebooks changes no tracked file (the git filter scripts/lab configures), and JupyterLab starts on
the project's settings: the kernel starts without a dialog, no news or update pop-up."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "notebooks/01-quickstart.ipynb"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def _run_in_place(path: Path) -> None:
    """What a run in JupyterLab leaves in the file: outputs, execution counts, timings, the kernel's version."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for number, cell in enumerate(c for c in notebook["cells"] if c["cell_type"] == "code"):
        cell["execution_count"] = number + 1
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["built out/graph.ttl\n"]}]
        cell["metadata"]["execution"] = {"iopub.status.busy": "2026-12-03T16:00:00.000000Z"}
    notebook["metadata"]["language_info"] |= {"version": "3.11.7", "mimetype": "text/x-python"}
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")


def test_a_run_notebook_copied_back_brings_no_output_into_git(tmp_path: Path) -> None:
    repo = tmp_path / "clone"
    for name in (NOTEBOOK, ".gitattributes", "scripts/strip_notebook.py"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, repo / name)
    _git(repo, "init", "-q")
    lab = (ROOT / "scripts" / "lab").read_text(encoding="utf-8")
    assert "python3 scripts/strip_notebook.py --install" in lab
    subprocess.run(["python3", "scripts/strip_notebook.py", "--install"], cwd=repo, check=True)
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "notebook")
    _run_in_place(repo / NOTEBOOK)
    assert "outputs" in (repo / NOTEBOOK).read_text(encoding="utf-8")  # the analyst keeps the outputs
    assert _git(repo, "diff") == ""
    _git(repo, "add", NOTEBOOK)
    assert _git(repo, "status", "--porcelain") == ""  # nothing to commit: the outputs cannot get in
    assert _git(repo, "show", f":{NOTEBOOK}") == (ROOT / NOTEBOOK).read_text(encoding="utf-8")


def test_notebooks_are_filtered_by_gitattributes() -> None:
    assert "notebooks/*.ipynb filter=kg-notebook" in (ROOT / ".gitattributes").read_text(encoding="utf-8")


def test_lab_settings_start_the_kernel_without_asking_and_fetch_no_news() -> None:
    overrides = json.loads((ROOT / "scripts" / "lab-settings" / "overrides.json").read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/notebook-extension:tracker"]["autoStartDefaultKernel"] is True
    assert overrides["@jupyterlab/apputils-extension:notification"] == {"checkForUpdates": False, "fetchNews": "false"}
    lab = (ROOT / "scripts" / "lab").read_text(encoding="utf-8")
    assert '--LabApp.app_settings_dir="$PWD/scripts/lab-settings"' in lab
    assert "ipykernel install --sys-prefix --name python3" in lab and "JUPYTER_PREFER_ENV_PATH=1" in lab


def test_scripts_lab_serves_copies_and_installs_the_projects_kernel(tmp_path: Path) -> None:
    env = {**os.environ, "KG_LAB_DIR": str(tmp_path / "lab")}
    before = _git(ROOT, "status", "--porcelain", "notebooks")
    subprocess.run([ROOT / "scripts" / "lab", "--prepare"], env=env, check=True, capture_output=True)
    copies = sorted(p.name for p in (tmp_path / "lab").glob("*.ipynb"))
    assert copies == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    (tmp_path / "lab" / copies[0]).write_text("the analyst's work", encoding="utf-8")
    subprocess.run([ROOT / "scripts" / "lab", "--prepare"], env=env, check=True, capture_output=True)
    assert (tmp_path / "lab" / copies[0]).read_text(encoding="utf-8") == "the analyst's work"  # not overwritten
    assert _git(ROOT, "status", "--porcelain", "notebooks") == before
    kernel = json.loads((Path(sys.prefix) / "share" / "jupyter" / "kernels" / "python3" / "kernel.json").read_text())
    assert Path(kernel["argv"][0]).resolve() == Path(sys.executable).resolve()
