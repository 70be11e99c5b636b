"""One writer at a time per build folder; a build that reads no article never replaces one that has some."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from kg.errors import EmptyBuildError, FolderBusyError
from kg.extract import Extractor
from kg.ingest.article import Article
from kg.interfaces.cli import main
from kg.pipeline.stages import GRAPH_FILE, REPORT_FILE, build, remove_articles
from kg.reason.reasoning import reason
from kg.store.folder import stale_files
from kg.store.folderlock import LOCK_FILE, holder, is_locked, write_lock
from kg.store.triplestore import STORE_DIR, TripleStore

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "dev" / "articles"
QUICK = {"reasoning": False, "validation": False}
#: Two short development articles: the first build, and what the append adds.
FIRST, SECOND = "13_fr_rimpac-2018-shareamerica.txt", "02_en_cope-india-19.txt"


def _corpus(tmp: Path, name: str) -> Path:
    folder = tmp / f"corpus-{name[:2]}"
    folder.mkdir(exist_ok=True)
    shutil.copy(DEV / name, folder / name)
    return folder


def _store_articles(out: Path) -> list[str]:
    """The ids of the articles in the store of `out`, among FIRST and SECOND; the store has no others."""
    with TripleStore.open(out / STORE_DIR, read_only=True) as store:
        ids = [name for name in (FIRST, SECOND) if store.has_article(name)]
        assert len(store.article_graphs()) == len(ids)
        return ids


def test_the_lock_is_reentrant_in_a_thread_and_refuses_another(tmp_path: Path) -> None:
    with write_lock(tmp_path, "build --append"):
        with write_lock(tmp_path, "reason"):
            assert not is_locked(tmp_path)  # the holder's own thread may write
        failures: list[BaseException] = []

        def other() -> None:
            try:
                with write_lock(tmp_path, "build"):
                    pass
            except FolderBusyError as err:
                failures.append(err)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(timeout=10)
        assert len(failures) == 1
        assert f"process {os.getpid()}" in str(failures[0]) and "build --append" in str(failures[0])
    with write_lock(tmp_path, "build"):  # released
        assert holder(tmp_path)["action"] == "build"


def test_a_second_process_is_refused_at_once_with_the_holder_named(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    script = ("import sys, pathlib; from kg.store.folderlock import write_lock\n"
              f"with write_lock(pathlib.Path({str(tmp_path)!r}), 'build --append'):\n"
              "    print('held', flush=True); sys.stdin.read()\n")
    holder_process = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      text=True)
    try:
        assert holder_process.stdout is not None and holder_process.stdout.readline().strip() == "held"
        assert main(["build", str(_corpus(tmp_path, FIRST)), "--out", str(tmp_path), "--no-reason"]) == 1
        message = capsys.readouterr().err
        assert f"process {holder_process.pid}" in message and "build --append" in message
        assert "one writer at a time" in message
        assert not (tmp_path / GRAPH_FILE).exists() and not (tmp_path / STORE_DIR).exists()  # nothing touched
        assert main(["remove", "x", "--data", str(tmp_path)]) == 1
    finally:
        holder_process.communicate("", timeout=30)
    assert not is_locked(tmp_path)  # the lock went with its process


def test_a_writer_killed_holding_the_lock_leaves_the_folder_unlocked(tmp_path: Path) -> None:
    script = ("import os, pathlib; from kg.store.folderlock import write_lock\n"
              f"with write_lock(pathlib.Path({str(tmp_path)!r}), 'build'):\n"
              "    os.kill(os.getpid(), 9)\n")
    assert subprocess.run([sys.executable, "-c", script], timeout=60).returncode == -9
    assert holder(tmp_path)["action"] == "build"
    assert not is_locked(tmp_path)


def _refused_beside_an_append(out: Path, appended: Path, extractor: Extractor) -> list[BaseException]:
    """Start `--append` of `appended` into `out`, pause it once it holds the lock with its store open, check that
    a fresh build, a removal and the reasoner are refused meanwhile, then let it finish; its errors."""
    started, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def paused(articles: Iterable[Article], total: int) -> Iterator[Article]:
        started.set()
        release.wait(timeout=60)
        yield from articles

    def append() -> None:
        try:
            build([appended], out, extractor=extractor, append=True, progress=paused, **QUICK)
        except BaseException as err:  # handed to the test thread
            errors.append(err)

    thread = threading.Thread(target=append)
    thread.start()
    try:
        assert started.wait(timeout=60)
        with pytest.raises(FolderBusyError, match="build --append"):
            build([appended.parent / "corpus-13"], out, extractor=extractor, **QUICK)
        with pytest.raises(FolderBusyError):
            remove_articles([FIRST], out, **QUICK)
        with pytest.raises(FolderBusyError):
            reason(out)
    finally:
        release.set()
        thread.join(timeout=120)
    return errors


@pytest.mark.slow
def test_writers_beside_an_append_are_refused_and_the_store_stays_intact(tmp_path: Path,
                                                                        extractor: Extractor) -> None:
    """The concurrent case of the issue, 10 times: while `--append` writes, a fresh build, a removal and the
    reasoner on the same folder are refused at once; each append then completes and the folder is consistent."""
    out = tmp_path / "out"
    build([_corpus(tmp_path, FIRST)], out, extractor=extractor, **QUICK)
    appended = _corpus(tmp_path, SECOND)
    for round_ in range(10):
        assert _refused_beside_an_append(out, appended, extractor) == [], f"round {round_}"
        assert _store_articles(out) == [FIRST, SECOND]
        assert stale_files(out) == []
        report = json.loads((out / REPORT_FILE).read_text(encoding="utf-8"))
        assert report["store_articles"] == 2 and report["triples"] > 0


def test_a_build_that_reads_no_article_leaves_a_built_folder_as_it_was(seed_build: Path, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    shutil.copytree(seed_build, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name != LOCK_FILE}
    assert main(["build", str(tmp_path / "no-such-path"), "--out", str(out)]) == 1
    message = capsys.readouterr().err
    assert "no-such-path" in message and str(out) in message and "left as it was" in message
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name != LOCK_FILE}
    assert after == before
    with TripleStore.open(out / STORE_DIR, read_only=True) as store:
        assert len(store.article_graphs()) == 1
    with pytest.raises(EmptyBuildError):
        build([], out)


def test_a_build_that_reads_no_article_into_a_new_folder_still_writes_it(tmp_path: Path) -> None:
    assert main(["build", str(tmp_path / "no-such-path"), "--out", str(tmp_path / "new"), "--no-reason"]) == 2
    assert (tmp_path / "new" / GRAPH_FILE).is_file()
