"""Commit points: a build folder is wholly the previous state or the next one, whenever a build stops (issue 16,
case 7). The kills themselves are in tests/test_store.py and bench/kill.py (SIGKILLs spread over each command's run,
and one at each rename of the real commit); here each moment of a commit is reproduced in turn, in process."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

from kg.extract import Extractor
from kg.pipeline.stages import build
from kg.rdf.serialise import write_atomic
from kg.store import commit as commit_module
from kg.store.commit import COMMIT_MARK, NEXT_DIR, STATE_FILES
from kg.store.folder import open_query_store, sync
from kg.store.triplestore import MIRRORED_FILES, STORE_DIR

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "dev" / "articles"
QUICK = {"reasoning": False, "validation": False}


def _kill_bench():  # noqa: ANN202 - a module
    spec = importlib.util.spec_from_file_location("bench_kill", ROOT / "bench" / "kill.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> tuple[Path, Path, Path]:
    """A folder with one article (the old state), the same after appending a second (the new state), and the
    corpus of that second article."""
    work = tmp_path_factory.mktemp("commit")
    first, second = work / "first", work / "second"
    first.mkdir()
    second.mkdir()
    names = sorted(p.name for p in DEV.glob("*.txt"))[:2]
    shutil.copy(DEV / names[0], first / names[0])
    shutil.copy(DEV / names[1], second / names[1])
    old = work / "old"
    build([first], old, extractor=extractor, **QUICK)
    new = work / "new"
    shutil.copytree(old, new)
    build([second], new, extractor=extractor, append=True, **QUICK)
    return old, new, second


def _stop_after(moves: int):  # noqa: ANN202 - a replacement for kg.pipeline.stages.commit
    """A commit killed after its mark and `moves` renames (or, with -1, before its mark)."""

    def stopped(directory: Path, staged: Path) -> None:
        if moves < 0:
            raise SystemExit("killed before the commit mark")
        missing = [name for name in STATE_FILES if not (staged / name).is_file()]
        write_atomic(staged / COMMIT_MARK, json.dumps({"remove": missing}).encode("utf-8"))
        for name in STATE_FILES[:moves]:
            if (staged / name).is_file():
                (staged / name).replace(directory / name)
        raise SystemExit("killed during the commit")
    return stopped


@pytest.mark.parametrize("moves", range(-1, len(STATE_FILES) + 1))  # before the mark, then each rename
def test_a_build_stopped_at_any_moment_of_its_commit_leaves_one_whole_state(
        states: tuple[Path, Path, Path], tmp_path: Path, extractor: Extractor, monkeypatch: pytest.MonkeyPatch,
        moves: int) -> None:
    old, new, second = states
    folder_state = _kill_bench().folder_state
    out = tmp_path / "out"
    shutil.copytree(old, out)
    monkeypatch.setattr("kg.pipeline.stages.commit", _stop_after(moves))
    with pytest.raises(SystemExit):
        build([second], out, extractor=extractor, append=True, **QUICK)
    monkeypatch.undo()
    assert (out / NEXT_DIR).is_dir()  # as a kill leaves it
    assert (out / NEXT_DIR / COMMIT_MARK).is_file() == (moves >= 0)
    store = open_query_store(out)  # a reader rolls the commit back (no mark) or finishes it
    assert store is not None
    del store
    expected = folder_state(old if moves < 0 else new)
    found = folder_state(out)
    assert found == expected
    assert not (out / NEXT_DIR).exists()


def test_a_build_killed_before_its_commit_is_rolled_back_by_the_next_reader(
        states: tuple[Path, Path, Path], tmp_path: Path) -> None:
    old, _, _ = states
    out = tmp_path / "out"
    shutil.copytree(old, out)
    (out / NEXT_DIR).mkdir()
    (out / NEXT_DIR / "graph.ttl").write_text("half", encoding="utf-8")  # what a killed build left
    shutil.copytree(out / STORE_DIR, out / f"{STORE_DIR}.new")
    assert sync(out) == []  # kg serve's first step: nothing to bring in line, the staged state is dropped
    assert not (out / NEXT_DIR).exists() and not (out / f"{STORE_DIR}.new").exists()
    assert {name: (out / name).read_bytes() for name in MIRRORED_FILES if (out / name).exists()} == \
        {name: (old / name).read_bytes() for name in MIRRORED_FILES if (old / name).exists()}


def test_the_commit_moves_the_store_between_the_graph_files_and_the_stamp() -> None:
    assert STATE_FILES[: len(MIRRORED_FILES)] == MIRRORED_FILES
    assert STATE_FILES[len(MIRRORED_FILES):] == ("store.json", "report.json")
    assert commit_module.__all__
