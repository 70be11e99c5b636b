"""Commit points: a build folder moves from one complete state to the next, or stays as it was.

A complete state is the graph files (`graph.ttl`, `wikidata.ttl`, `inferred.ttl`), the store, `store.json` and
`report.json`, all of one build. Every build (fresh, `--append`, `kg remove`) writes its next state beside the
current one: the files in `DIR/.kg-next/`, the store in `DIR/store.new` (a fresh store, or for an append or a
removal a copy of the current one made with RocksDB's checkpoint, hard links, so cheap). Nothing in the current
state is touched until the next one is whole. Then `commit` writes the mark `DIR/.kg-next/COMMIT` — the commit
point — and moves the new state in.

A build killed before the mark leaves the previous state in force, whole; what it staged is dropped by the next
writer or reader (`recover_folder`). A build killed after the mark is finished by the next one: the moves are
idempotent. Readers (`kg query`, `kg serve`, `kg.open`) therefore never see a mix of two builds, except for the
few renames of a commit in progress; they finish or roll back a killed build only when no writer holds the
folder's lock (`kg.store.folderlock`).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from kg.errors import FolderBusyError
from kg.rdf.serialise import write_atomic
from kg.store.folderlock import write_lock
from kg.store.layers import MIRRORED_FILES, REPORT_FILE, STAMP_FILE, STORE_DIR
from kg.store.triplestore import promote

__all__ = ["COMMIT_MARK", "NEXT_DIR", "STATE_FILES", "abandon", "begin", "commit", "recover_folder"]

NEXT_DIR = ".kg-next"
COMMIT_MARK = "COMMIT"
#: The files of a state, in the order a commit moves them: the graph files, then (after the store) the stamp that
#: says the store mirrors them, then the report.
STATE_FILES = (*MIRRORED_FILES, STAMP_FILE, REPORT_FILE)


def begin(directory: Path) -> Path:
    """An empty folder for the next state of `directory` (under the caller's write lock), after finishing or
    rolling back what a killed build left."""
    recover_folder(directory)
    staged = directory / NEXT_DIR
    if staged.exists():
        shutil.rmtree(staged)
    staged.mkdir(parents=True)
    return staged


def commit(directory: Path, staged: Path) -> None:
    """Make the state staged in `staged` (its files, and the closed store `directory/store.new`) the state of
    `directory`. A file of `STATE_FILES` missing from `staged` is removed from `directory` (`inferred.ttl` after a
    build without reasoning)."""
    missing = [name for name in STATE_FILES if not (staged / name).is_file()]
    write_atomic(staged / COMMIT_MARK, json.dumps({"remove": missing}).encode("utf-8"))
    _roll_forward(directory, staged)


def abandon(directory: Path) -> None:
    """Drop the next state a failed build staged in `directory` (under the caller's write lock): the current one
    stays."""
    staged = directory / NEXT_DIR
    if staged.exists() and not (staged / COMMIT_MARK).is_file():
        _roll_back(directory, staged)


def recover_folder(directory: Path) -> None:
    """Finish the commit a killed build marked, or drop what a killed build staged without marking it; nothing
    while another writer holds the folder (it is still working, and the current state stands)."""
    staged = directory / NEXT_DIR
    if not staged.exists():
        return
    try:
        with write_lock(directory, "recover"):
            if (staged / COMMIT_MARK).is_file():
                _roll_forward(directory, staged)
            else:
                _roll_back(directory, staged)
    except FolderBusyError:
        return


def _roll_forward(directory: Path, staged: Path) -> None:
    removed = json.loads((staged / COMMIT_MARK).read_text(encoding="utf-8")).get("remove", [])
    _move(directory, staged, MIRRORED_FILES, removed)
    new_store = directory / f"{STORE_DIR}.new"
    if new_store.is_dir():
        promote(directory / STORE_DIR)
    _move(directory, staged, STATE_FILES[len(MIRRORED_FILES):], removed)
    shutil.rmtree(staged)


def _move(directory: Path, staged: Path, names: Sequence[str], removed: Sequence[str]) -> None:
    for name in names:
        if (staged / name).is_file():
            os.replace(staged / name, directory / name)
        elif name in removed:
            (directory / name).unlink(missing_ok=True)


def _roll_back(directory: Path, staged: Path) -> None:
    shutil.rmtree(staged)
    new_store, ready = directory / f"{STORE_DIR}.new", directory / f"{STORE_DIR}.ready"
    if new_store.is_dir() and not ready.exists():
        shutil.rmtree(new_store)
