"""End to end: JupyterLab on 127.0.0.1, notebooks 01 and 03 opened in headless Chromium, every cell run.

The browser is Debian's chromium (`apt-get install chromium`, done by scripts/test), driven by Playwright for Python
with that executable (Playwright's own browser download is not used). JupyterLab serves a copy of the notebook
from a temporary folder, with a token, on a free port, with the project's lab settings (scripts/lab-settings, as
scripts/lab starts it: no kernel dialog, no news) and its user settings, workspaces and runtime files in the
temporary folder; the kernel is this interpreter. On failure a screenshot is saved and its path reported.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RUN_TIMEOUT = 300  # seconds for all the cells: the first builds the sample corpus


@dataclass
class Lab:
    """A running JupyterLab: its base URL, its token and where it keeps its files."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def lab(tmp_path: Path) -> Iterator[Lab]:
    """JupyterLab on a free port of 127.0.0.1, serving copies of notebooks 01 and 03."""
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    for notebook in ("01-quickstart.ipynb", "03-exercises-and-arms-deals.ipynb"):
        shutil.copy(ROOT / "notebooks" / notebook, root / "notebooks")
    kernel = tmp_path / "jupyter-data" / "kernels" / "python3"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (kg)", "language": "python"}), encoding="utf-8")
    token, port = secrets.token_hex(16), _free_port()
    env = {**os.environ, "JUPYTER_DATA_DIR": str(tmp_path / "jupyter-data"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "jupyter-runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "lab-settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "lab-workspaces"),
           "KG_NOTEBOOK_DATA": str(tmp_path / "out"), "PYTHONWARNINGS": "ignore",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    log = tmp_path / "jupyterlab.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={root}", "--LabApp.news_url=None",
             f"--LabApp.app_settings_dir={ROOT / 'scripts' / 'lab-settings'}", "--LabApp.extension_manager=readonly",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             *(["--allow-root"] if os.geteuid() == 0 else [])],
            env=env, stdout=output, stderr=subprocess.STDOUT)
    server = Lab(f"http://127.0.0.1:{port}", token, root, process, log)
    try:
        _wait_until_up(server)
        yield server
    finally:
        _shut_down(server)


def _wait_until_up(lab: Lab, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{lab.url}/api/status?token={lab.token}", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            if lab.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start on {lab.url}:\n{lab.log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)


def _shut_down(lab: Lab) -> None:
    if lab.process.poll() is None:
        try:  # the server's own shutdown also stops the kernels it started
            request = urllib.request.Request(f"{lab.url}/api/shutdown", method="POST",
                                             headers={"Authorization": f"token {lab.token}"})
            urllib.request.urlopen(request, timeout=10).close()
            lab.process.wait(timeout=30)
        except (urllib.error.URLError, OSError, subprocess.TimeoutExpired):
            lab.process.terminate()
            try:
                lab.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                lab.process.kill()
                lab.process.wait()


def _prompts(page: Page) -> list[str]:
    """The execution prompts of the notebook's code cells: '[3]:', '[*]:' while running, '[ ]:' before."""
    return page.eval_on_selector_all(".jp-CodeCell .jp-InputArea-prompt", "nodes => nodes.map(n => n.textContent)")


def _wait_for_the_kernel(page: Page, timeout: float = 120) -> None:
    """Until the notebook's kernel is idle, with no dialog (such as "Select Kernel") on the way."""
    deadline = time.monotonic() + timeout
    while "Idle" not in page.inner_text(".jp-StatusBar-Widget >> nth=0") or not page.locator(
            ".jp-Notebook-ExecutionIndicator[data-status='idle']").count():
        assert not page.locator(".jp-Dialog").count(), f"a dialog asks: {page.inner_text('.jp-Dialog')}"
        assert time.monotonic() < deadline, "the kernel did not start"
        page.wait_for_timeout(250)
    assert not page.locator(".jp-Dialog").count(), f"a dialog asks: {page.inner_text('.jp-Dialog')}"
    assert not page.get_by_text("Jupyter news").count(), "a news pop-up covers the notebook"


def _run_all_cells(page: Page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()


def _wait_for_every_cell(page: Page) -> None:
    deadline = time.monotonic() + RUN_TIMEOUT
    while True:
        prompts = _prompts(page)
        if prompts and all(p.strip("[]: ").isdigit() for p in prompts):
            return
        assert time.monotonic() < deadline, f"cells still running or not run after {RUN_TIMEOUT} s: {prompts}"
        page.wait_for_timeout(500)


@pytest.mark.slow
def test_jupyterlab_runs_the_quickstart_notebook_in_chromium(lab: Lab, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (scripts/test does)")
    screenshot = tmp_path / "jupyterlab-failure.png"
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        try:
            page.goto(f"{lab.url}/lab/tree/notebooks/01-quickstart.ipynb?token={lab.token}", timeout=120_000)
            page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=120_000)
            _wait_for_the_kernel(page)
            _run_all_cells(page)
            deadline = time.monotonic() + RUN_TIMEOUT
            while True:
                prompts = _prompts(page)
                if prompts and all(p.strip("[]: ").isdigit() for p in prompts):
                    break
                assert time.monotonic() < deadline, f"cells still running or not run after {RUN_TIMEOUT} s: {prompts}"
                page.wait_for_timeout(500)
            tables = page.locator(".jp-OutputArea-output table.dataframe")
            tables.first.wait_for(timeout=30_000)
            assert tables.count() >= 4
            assert page.locator(".jp-OutputArea-output img").count() >= 1  # the timeline of the seed's exercises
            assert "Druzhba 2017" in tables.first.page.inner_text(".jp-Notebook")
            assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
                                has_text="Traceback").count() == 0
        except Exception as err:
            page.screenshot(path=str(screenshot), full_page=True)
            raise AssertionError(f"{err}\nscreenshot: {screenshot}\nJupyterLab log: {lab.log}") from err
        finally:
            context.close()


@pytest.mark.slow
def test_jupyterlab_shows_the_world_map_and_the_arms_flows_of_notebook_03(lab: Lab, tmp_path: Path) -> None:
    """The screenshot (docs/img/notebook-03-jupyterlab.png when KG_UPDATE_SCREENSHOTS=1) shows the flow plot and the
    map; the outputs hold no "nan" and no traceback."""
    screenshot = tmp_path / "notebook-03.png"
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1500})
        page = context.new_page()
        try:
            page.goto(f"{lab.url}/lab/tree/notebooks/03-exercises-and-arms-deals.ipynb?token={lab.token}",
                      timeout=120_000)
            page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=120_000)
            _wait_for_the_kernel(page)
            _run_all_cells(page)
            _wait_for_every_cell(page)
            assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
                                has_text="Traceback").count() == 0
            flows = page.locator(".jp-Cell", has_text="plot_flows(deals").first
            flows.scroll_into_view_if_needed()
            page.evaluate("el => el.scrollIntoView({block: 'start'})", flows.element_handle())
            world = page.locator(".jp-Cell", has_text="plot_world_map(kb)").first
            world.locator(".jp-OutputArea-output img").wait_for(timeout=60_000)
            assert flows.locator(".jp-OutputArea-output img").count() == 1
            outputs = page.locator(".jp-OutputArea-output")
            assert not [text for text in outputs.all_inner_texts() if text.strip().lower() == "nan"]
            page.screenshot(path=str(screenshot))
        except Exception as err:
            page.screenshot(path=str(screenshot))
            raise AssertionError(f"{err}\nscreenshot: {screenshot}\nJupyterLab log: {lab.log}") from err
        finally:
            context.close()
    if os.environ.get("KG_UPDATE_SCREENSHOTS") == "1":
        shutil.copy(screenshot, ROOT / "docs" / "img" / "notebook-03-jupyterlab.png")
