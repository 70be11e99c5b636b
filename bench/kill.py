"""Kill test: SIGKILL `kg build --append` (and fresh `kg build`) at random moments; check the store after every kill.

A store is built from three development articles (the "earlier" articles). Then, again and again, a copy of it gets
`kg build --append` of N more articles (the development articles again under new ids) in a subprocess that is
killed (SIGKILL) at a random moment between its first write to the store and the moment a complete run ends:
while articles are written, while graph.ttl is exported, while the Wikidata, validation and derived graphs are
done. After each kill the store must open, hold every earlier article's graph exactly as before, and hold each new
article either wholly (its graph exactly as a complete run writes it) or not at all.

A fresh build (no `--append`) fills a new store beside the old one and puts it in place at the end
(`kg.triplestore.promote`): after a kill at any moment of it, the store must be the old one or the complete new
one, exactly (`run_fresh_kills`).

Every build stages its next state (graph files, store, `store.json`, `report.json`) and commits it at one point
(`kg.commit`), so after every kill — of an append, a fresh build or a `kg remove` (`run_remove_kills`) — the whole
folder must be the old state or the new one: the store and the files of the same build, `store.json` in line with
them, `report.json` that build's.

    python bench/kill.py                      # 20 kills of a 24-article append, 20 of a removal, 10 of a fresh build
    python bench/kill.py --kills 5 --articles 40 --seed 7

tests/test_store.py runs a few kills of each with the same code (`run_kills`, `run_fresh_kills`,
`run_remove_kills`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_ARTICLES = ROOT / "tests" / "data" / "dev" / "articles"


@dataclass
class KillReport:
    """What the kills found: one line per kill, and the problems (none when the store held up)."""

    kills: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    complete_seconds: float = 0.0
    writing_seconds: float = 0.0


def make_corpus(path: Path, count: int, *, prefix: str = "kill") -> Path:
    """A JSONL corpus of `count` articles: the development articles again and again, each under a new id."""
    sources = sorted(DEV_ARTICLES.glob("*.txt"))
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            source = sources[i % len(sources)]
            lang = "en" if "_en_" in source.name else "fr"
            record = {"id": f"{prefix}-{i:04d}-{source.stem}", "text": source.read_text(encoding="utf-8"),
                      "lang": lang}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def graph_digests(store_dir: Path) -> dict[str, str]:
    """Every named graph of the store (opened read-write, so that it recovers) → a digest of its sorted triples."""
    from kg.triplestore import TripleStore, sorted_unique

    with TripleStore.open(store_dir) as store:
        digests = {}
        for name in sorted(store.inner.named_graphs(), key=str):
            digest = hashlib.sha256()
            for line in sorted_unique(store.graph_lines(name)):  # type: ignore[arg-type]
                digest.update(line)
            digests[name.value] = digest.hexdigest()  # type: ignore[union-attr]
        store.count()  # the store answers queries
    return digests


def folder_state(folder: Path) -> dict[str, object]:
    """What a reader finds in a build folder (after the recovery any reader does): the bytes of its graph files,
    whether `store.json` says the store mirrors them, `report.json` without what differs between runs, and the
    digests of the store's graphs."""
    from kg.commit import recover_folder
    from kg.triplestore import MIRRORED_FILES, stale_files

    recover_folder(folder)
    state: dict[str, object] = {}
    for name in MIRRORED_FILES:
        path = folder / name
        state[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    state["store.json"] = "stale: " + ", ".join(stale) if (stale := stale_files(folder)) else "in line"
    try:
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        state["report.json"] = {k: v for k, v in report.items() if k not in ("seconds", "out")}
    except (OSError, ValueError) as err:
        state["report.json"] = f"unreadable: {err}"
    state["store"] = graph_digests(folder / "store")
    return state


def _which(found: dict[str, object] | Exception, old: dict[str, object], new: dict[str, object]) -> str | None:
    """'old' or 'new' when the folder is wholly that state, else None."""
    return "old" if found == old else "new" if found == new else None


def _mixed(found: dict[str, object], old: dict[str, object], new: dict[str, object]) -> str:
    """Which parts of a folder match neither state, or the old state here and the new one there."""
    return ", ".join(f"{k}: {'old' if found[k] == old[k] else 'new' if found[k] == new[k] else 'neither'}"
                     for k in found)


def _wal_size(store_dir: Path) -> int:
    """Bytes in the store's write-ahead logs; a log the store deletes while it is listed counts as empty."""
    total = 0
    for path in store_dir.glob("*.log"):
        if path.name[0].isdigit():
            try:
                total += path.stat().st_size
            except FileNotFoundError:
                continue
    return total


def _build(build: Path, corpus: Path, *, append: bool = True) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "kg", "build", str(corpus), "--out", str(build), "--no-reason",
               *(["--append"] if append else [])]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)


def _wait_first_write(process: subprocess.Popen[bytes], store_dir: Path, before: int, limit: float = 300) -> float:
    """Wait until the process commits its first transaction (the store's write-ahead log grows); the time then."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if _wal_size(store_dir) > before or process.poll() is not None:
            return time.monotonic()
        time.sleep(0.002)
    raise TimeoutError(f"kg build --append wrote nothing to {store_dir} in {limit} s")


def _wait_staging_write(process: subprocess.Popen[bytes], staging: Path, limit: float = 300) -> float:
    """Wait until the process has copied the store to `staging` and commits its first transaction there."""
    deadline = time.monotonic() + limit
    while not staging.is_dir() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    return _wait_first_write(process, staging, _wal_size(staging), limit)


def _kill_and_open(process: subprocess.Popen[bytes], delay: float, folder: Path
                   ) -> tuple[bool, dict[str, object] | Exception]:
    """SIGKILL the command after `delay` seconds (unless it has finished: True then), and read its folder as a
    reader would (`folder_state`), or the error that stopped it."""
    time.sleep(delay)
    finished = process.poll() is not None
    if not finished:
        process.send_signal(signal.SIGKILL)
    process.wait()
    try:
        return finished, folder_state(folder)
    except Exception as err:  # noqa: BLE001 - any failure to open is what the kill tests look for
        return finished, err


def base_build(work: Path, extractor: object = None) -> Path:
    """A build folder whose store holds three development articles."""
    from kg.pipeline import build

    corpus = work / "base-corpus"
    corpus.mkdir()
    for source in sorted(DEV_ARTICLES.glob("*.txt"))[:3]:
        shutil.copy(source, corpus / source.name)
    base = work / "base"
    build([corpus], base, reasoning=False, validation=False, extractor=extractor)  # type: ignore[arg-type]
    return base


def run_kills(kills: int, articles: int, *, work: Path, seed: int = 0, extractor: object = None) -> KillReport:
    """Kill `kills` appends of `articles` articles at random moments; check the folder after each.

    Even kills fall while the articles are written (before graph.ttl is), odd ones anywhere until the end.
    """
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    report = KillReport()
    base = base_build(work, extractor)
    old = folder_state(base)
    earlier = old["store"]
    assert isinstance(earlier, dict)
    corpus = make_corpus(work / "append.jsonl", articles)

    complete = work / "complete"
    shutil.copytree(base, complete)
    process = _build(complete, corpus)
    first = _wait_staging_write(process, complete / "store.new")
    _, stderr = process.communicate()
    tail = time.monotonic() - first
    report.complete_seconds = round(tail, 2)
    if process.returncode != 0:
        raise RuntimeError(f"the complete append failed: {stderr.decode(errors='replace')[-2000:]}")
    new = folder_state(complete)
    expected = new["store"]
    assert isinstance(expected, dict)
    writing = max(0.05, (complete / "graph.ttl").stat().st_mtime - (time.time() - tail))
    report.writing_seconds = round(writing, 2)

    for k in range(kills):
        folder = work / f"kill-{k:02d}"
        shutil.copytree(base, folder)
        process = _build(folder, corpus)
        _wait_staging_write(process, folder / "store.new")
        delay = rng.uniform(0, writing if k % 2 == 0 else tail)
        finished, found = _kill_and_open(process, delay, folder)
        if isinstance(found, Exception):
            report.problems.append(f"kill {k}: the folder cannot be read: {found}")
            continue
        store = found["store"]
        assert isinstance(store, dict)
        broken = [g for g, d in earlier.items() if "/article/" in g and store.get(g) != d]
        partial = [g for g, d in store.items() if g not in earlier and g in expected and expected[g] != d
                   and "/article/" in g]
        unknown = [g for g in store if g not in earlier and g not in expected]
        state = _which(found, old, new)
        fresh = sum(1 for g in store if g not in earlier and "/article/" in g)
        report.kills.append(f"kill {k}: after {delay:.2f} s of {tail:.2f} s{' (had finished)' if finished else ''}: "
                            f"{fresh}/{articles} new articles, the folder is the {state or 'MIXED'} state")
        report.problems += [f"kill {k}: earlier article changed or lost: {g}" for g in broken]
        report.problems += [f"kill {k}: partial article graph: {g}" for g in partial]
        report.problems += [f"kill {k}: unexpected graph: {g}" for g in unknown]
        if state is None:
            report.problems.append(f"kill {k}: the folder mixes states ({_mixed(found, old, new)})")
        shutil.rmtree(folder)
    return report


def run_remove_kills(kills: int, *, work: Path, seed: int = 0, extractor: object = None) -> KillReport:
    """Kill `kills` runs of `kg remove` (two of the three articles of a build) at random moments; after each the
    folder must be wholly the old state or the new one, and after the first kill that left the old state a second
    `kg remove` must succeed."""
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    report = KillReport()
    base = base_build(work, extractor)
    old = folder_state(base)
    ids = [p.name for p in sorted(DEV_ARTICLES.glob("*.txt"))[:2]]
    command = [sys.executable, "-m", "kg", "remove", *ids, "--no-reason", "--data"]
    complete = work / "remove-complete"
    shutil.copytree(base, complete)
    started = time.monotonic()
    done = subprocess.run([*command, str(complete)], capture_output=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the complete removal failed: {done.stderr.decode(errors='replace')[-2000:]}")
    report.complete_seconds = round(time.monotonic() - started, 2)
    new = folder_state(complete)
    retried = False
    for k in range(kills):
        folder = work / f"remove-kill-{k:02d}"
        shutil.copytree(base, folder)
        process = subprocess.Popen([*command, str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   cwd=ROOT)
        delay = rng.uniform(0, report.complete_seconds)
        finished, found = _kill_and_open(process, delay, folder)
        if isinstance(found, Exception):
            report.problems.append(f"remove kill {k}: the folder cannot be read: {found}")
            continue
        state = _which(found, old, new)
        report.kills.append(f"remove kill {k}: after {delay:.2f} s of {report.complete_seconds:.2f} s"
                            f"{' (had finished)' if finished else ''}: the folder is the {state or 'MIXED'} state")
        if state is None:
            report.problems.append(f"remove kill {k}: the folder mixes states ({_mixed(found, old, new)})")
        elif state == "old" and not retried:
            retried = True
            again = subprocess.run([*command, str(folder)], capture_output=True, cwd=ROOT, check=False)
            if again.returncode != 0 or _which(folder_state(folder), old, new) != "new":
                report.problems.append(f"remove kill {k}: removing again after the kill failed: "
                                       f"{again.stderr.decode(errors='replace')[-500:]}")
        shutil.rmtree(folder)
    return report


def run_fresh_kills(kills: int, articles: int, *, work: Path, seed: int = 0, extractor: object = None
                    ) -> KillReport:
    """Kill `kills` fresh builds of `articles` articles over a built folder at random moments of their whole run;
    after each the store must be exactly the old one or exactly the new one."""
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    report = KillReport()
    base = base_build(work, extractor)
    old = folder_state(base)
    corpus = make_corpus(work / "fresh.jsonl", articles, prefix="fresh")
    complete = work / "fresh-complete"
    shutil.copytree(base, complete)
    started = time.monotonic()
    _, stderr = (process := _build(complete, corpus, append=False)).communicate()
    if process.returncode != 0:
        raise RuntimeError(f"the complete build failed: {stderr.decode(errors='replace')[-2000:]}")
    report.complete_seconds = round(time.monotonic() - started, 2)
    new = folder_state(complete)
    for k in range(kills):
        folder = work / f"fresh-kill-{k:02d}"
        shutil.copytree(base, folder)
        process = _build(folder, corpus, append=False)
        delay = rng.uniform(0, report.complete_seconds)
        finished, found = _kill_and_open(process, delay, folder)
        if isinstance(found, Exception):
            report.problems.append(f"fresh kill {k}: the folder cannot be read: {found}")
            continue
        state = _which(found, old, new)
        report.kills.append(f"fresh kill {k}: after {delay:.2f} s of {report.complete_seconds:.2f} s"
                            f"{' (had finished)' if finished else ''}: the folder is the {state or 'MIXED'} state")
        if state is None:
            report.problems.append(f"fresh kill {k}: the folder mixes states ({_mixed(found, old, new)})")
        shutil.rmtree(folder)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--articles", type=int, default=24)
    parser.add_argument("--fresh-kills", type=int, default=10)
    parser.add_argument("--remove-kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kg-kill-") as tmp:
        report = run_kills(args.kills, args.articles, work=Path(tmp) / "append", seed=args.seed)
        print(f"complete append: first write → end {report.complete_seconds} s, of which articles "
              f"{report.writing_seconds} s")
        fresh = run_fresh_kills(args.fresh_kills, args.articles, work=Path(tmp) / "fresh", seed=args.seed)
        print(f"complete fresh build: {fresh.complete_seconds} s")
        removal = run_remove_kills(args.remove_kills, work=Path(tmp) / "remove", seed=args.seed)
        print(f"complete removal: {removal.complete_seconds} s")
    for other in (fresh, removal):
        report.kills += other.kills
        report.problems += other.problems
    for line in report.kills:
        print(line)
    print(f"{args.kills} kills of appends, {args.fresh_kills} of fresh builds and {args.remove_kills} of removals in "
          f"{time.perf_counter() - started:.0f} s")
    for problem in report.problems:
        print(f"PROBLEM {problem}", file=sys.stderr)
    print("every folder wholly the old state or the new one after every kill" if not report.problems
          else f"{len(report.problems)} problem(s)")
    return 1 if report.problems else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
