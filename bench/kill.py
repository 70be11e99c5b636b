"""Kill test: SIGKILL `kg build --append` (and fresh `kg build`) at random moments; check the store after every kill.

A store is built from three development articles (the "earlier" articles). Then, again and again, a copy of it gets
`kg build --append` of N more articles (the development articles again under new ids) in a subprocess that is
killed (SIGKILL) at a random moment between its first write to the store and the moment a complete run ends:
while articles are written, while graph.ttl is exported, while the Wikidata, validation and derived graphs are
done. After each kill the store must open, hold every earlier article's graph exactly as before, and hold each new
article either wholly (its graph exactly as a complete run writes it) or not at all.

A fresh build (no `--append`) fills a new store beside the old one and puts it in place at the end
(`kg.store.triplestore.promote`): after a kill at any moment of it, the store must be the old one or the complete new
one, exactly (`run_fresh_kills`).

Every build stages its next state (graph files, store, `store.json`, `report.json`) and commits it at one point
(`kg.store.commit`), so after every kill — of an append, a fresh build or a `kg remove` (`run_remove_kills`) — the whole
folder must be the old state or the new one: the store and the files of the same build, `store.json` in line with
them, `report.json` that build's.

    python bench/kill.py                      # 20 kills of a 24-article append, 20 of a removal, 10 of a fresh build
    python bench/kill.py --kills 5 --articles 40 --seed 7

tests/test_store.py runs 20 kills of an append, 20 of a removal and 10 of a fresh build with the same code
(`run_kills`, `run_remove_kills`, `run_fresh_kills`), each command forked from one process that has imported kg
and loaded the spaCy models (`WarmLauncher`) rather than started anew (3 s each): only the command's own work
remains between two kills. The moments are spread over the command's run (one in each of `kills` equal slices,
a seeded random point in it), so that every phase is hit whatever the seed.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

ROOT = Path(__file__).resolve().parent.parent
DEV_ARTICLES = ROOT / "tests" / "data" / "dev" / "articles"


@dataclass
class KillReport:
    """What the kills found: one line per kill, and the problems (none when the store held up)."""

    kills: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    interrupted: int = 0  # kills that found the command still running
    complete_seconds: float = 0.0
    writing_seconds: float = 0.0


class Command(Protocol):
    """A running kg command: what the kills use of `subprocess.Popen`."""

    returncode: int | None

    def poll(self) -> int | None: ...

    def wait(self) -> int: ...

    def send_signal(self, sig: int) -> None: ...

    def communicate(self) -> tuple[bytes | None, bytes]: ...


#: Starts `kg ARGV` and returns it running.
Launcher = Callable[[Sequence[str]], Command]


def new_process(argv: Sequence[str]) -> Command:
    """`python -m kg ARGV` in a process of its own, as a user runs it."""
    return subprocess.Popen([sys.executable, "-m", "kg", *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            cwd=ROOT)


class WarmLauncher:
    """Forks each kg command from one process that has imported kg and loaded the spaCy models (`zygote`), so a
    kill costs the command's own work, not the 3 s a new process takes to start. One command at a time; use it as
    a context manager (the zygote ends with it)."""

    def __init__(self) -> None:
        self._zygote = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--zygote"], cwd=ROOT,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        self._logs = tempfile.TemporaryDirectory(prefix="kg-kill-logs-")
        self._buffer = b""
        self._started = 0
        self.running: _Forked | None = None
        if self.line(timeout=600) != "ready":
            raise RuntimeError("the zygote did not start")

    def __call__(self, argv: Sequence[str], commit_step: int | None = None) -> Command:
        """Start `kg ARGV`; with `commit_step`, the command kills itself (SIGKILL) just before that rename of its
        commit (0: the first after the commit mark), if it gets there."""
        if self.running is not None and self.running.returncode is None:
            raise RuntimeError("one command at a time: wait for the previous one first")
        self._started += 1
        stderr = Path(self._logs.name) / f"{self._started}.err"
        assert self._zygote.stdin is not None
        command = {"argv": list(argv), "stderr": str(stderr), "commit_step": commit_step}
        self._zygote.stdin.write(json.dumps(command).encode() + b"\n")
        self.running = _Forked(self, int(self.line(timeout=60) or "0"), stderr)
        return self.running

    def line(self, timeout: float | None) -> str | None:
        """The zygote's next line, or None when none came within `timeout` seconds (None: no limit)."""
        assert self._zygote.stdout is not None
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self._buffer:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([self._zygote.stdout], [], [], wait)[0]:
                return None
            chunk = os.read(self._zygote.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(f"the zygote ended (exit {self._zygote.wait()})")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode()

    def close(self) -> None:
        """End the zygote (its stdin closed) and drop the commands' logs."""
        if self.running is not None and self.running.returncode is None:
            self.running.send_signal(signal.SIGKILL)
            self.running.wait()
        assert self._zygote.stdin is not None
        self._zygote.stdin.close()
        try:
            self._zygote.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self._zygote.kill()
            self._zygote.wait()
        self._logs.cleanup()

    def __enter__(self) -> WarmLauncher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Forked:
    """A command the zygote forked. The zygote leaves it unreaped until the next command, so its pid names no other
    process while it can still be signalled."""

    def __init__(self, launcher: WarmLauncher, pid: int, stderr: Path) -> None:
        self._launcher, self.pid, self._stderr = launcher, pid, stderr
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and (line := self._launcher.line(timeout=0)) is not None:
            self.returncode = int(line)
        return self.returncode

    def wait(self) -> int:
        if self.returncode is None:
            self.returncode = int(self._launcher.line(timeout=None) or "0")
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, sig)

    def communicate(self) -> tuple[bytes | None, bytes]:
        self.wait()
        return None, self._stderr.read_bytes() if self._stderr.is_file() else b""


def zygote() -> int:
    """The process `WarmLauncher` forks commands from: kg imported and the models of both languages loaded (every
    command's build uses them). Reads one JSON command a line (`argv`, the `stderr` file) and answers the child's
    pid, then its exit code (negative: the signal that ended it)."""
    answers = os.dup(1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # only the answers reach the launcher
    import kg.interfaces.cli
    import kg.pipeline.stages
    from kg.extract import Extractor

    warm = Extractor()
    for lang in ("fr", "en"):
        warm.nlp(lang)
    kg.pipeline.stages.Extractor = lambda **_: warm  # type: ignore[assignment,misc]
    os.write(answers, b"ready\n")
    previous = 0
    while line := sys.stdin.buffer.readline():
        if previous:
            os.waitpid(previous, 0)
        command = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        previous = os.fork()
        if previous == 0:
            os.close(answers)
            if command["commit_step"] is not None:
                _die_at_commit_step(command["commit_step"])
            _run_child(kg.interfaces.cli.main, command["argv"], command["stderr"])
        os.write(answers, f"{previous}\n".encode())
        ended = os.waitid(os.P_PID, previous, os.WEXITED | os.WNOWAIT)
        assert ended is not None
        code = ended.si_status if ended.si_code == os.CLD_EXITED else -ended.si_status
        os.write(answers, f"{code}\n".encode())
    if previous:
        os.waitpid(previous, 0)
    return 0


def _die_at_commit_step(step: int) -> None:
    """Make this process SIGKILL itself just before the `step`th rename (`os.replace`, `os.rename`) after its commit
    mark is written: a kill at one exact point of `kg.store.commit.commit` and `kg.store.triplestore.promote`."""
    import kg.store.commit

    write_atomic = kg.store.commit.write_atomic
    renames = [-1]  # renames since the mark; -1 before it

    def marking(path: Path, data: bytes) -> None:
        write_atomic(path, data)
        if path.name == kg.store.commit.COMMIT_MARK:
            renames[0] = 0

    def dying(rename: Callable[..., None]) -> Callable[..., None]:
        def renaming(*args: object, **kwargs: object) -> None:
            if renames[0] >= 0:
                if renames[0] == step:
                    os.kill(os.getpid(), signal.SIGKILL)
                renames[0] += 1
            rename(*args, **kwargs)
        return renaming

    kg.store.commit.write_atomic = marking  # type: ignore[assignment]
    os.replace, os.rename = dying(os.replace), dying(os.rename)  # type: ignore[assignment]


def _commit_step_kills(report: KillReport, label: str, steps: int, base: Path, work: Path,
                       start: Callable[[Path, int], Command], old: dict[str, object], new: dict[str, object]
                       ) -> None:
    """Kill the command at each of the first `steps` renames of its commit (`WarmLauncher` only): after each the
    folder, as the next reader finds it (the commit finished), must be wholly the new state."""
    for step in range(steps):
        folder = work / f"{label}-commit-{step}"
        shutil.copytree(base, folder)
        process = start(folder, step)
        process.wait()
        try:
            found: dict[str, object] | Exception = folder_state(folder)
        except Exception as err:  # noqa: BLE001 - any failure to open is what the kill tests look for
            found = err
        state = None if isinstance(found, Exception) else _which(found, old, new)
        killed = process.returncode == -signal.SIGKILL
        report.kills.append(f"{label} kill at commit rename {step}{'' if killed else ' (had finished)'}: the folder "
                            f"is the {state or 'MIXED'} state")
        report.interrupted += killed
        if isinstance(found, Exception):
            report.problems.append(f"{label} kill at commit rename {step}: the folder cannot be read: {found}")
        elif state != "new":
            report.problems.append(f"{label} kill at commit rename {step}: the folder is not the new state "
                                   f"({_mixed(found, old, new)})")
        shutil.rmtree(folder)


def _run_child(main: Callable[[Sequence[str]], int], argv: Sequence[str], stderr: str) -> None:
    """Run `kg ARGV` in a forked child (stdout to /dev/null, stderr to the file `stderr`) and end the child."""
    code = 1
    try:
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(os.open(stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:  # noqa: BLE001 - reported on stderr, as a new process would
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _moment(k: int, kills: int, span: float, rng: random.Random) -> float:
    """The moment of the `k`th of `kills` kills: a random point in the `k`th of `kills` equal slices of `span`."""
    return span * (k + rng.random()) / kills


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
    from kg.store.sort import sorted_unique
    from kg.store.triplestore import TripleStore

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
    from kg.store.commit import recover_folder
    from kg.store.folder import stale_files
    from kg.store.triplestore import MIRRORED_FILES

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


def _build(build: Path, corpus: Path, *, append: bool = True, launch: Launcher = new_process) -> Command:
    return launch(["build", str(corpus), "--out", str(build), "--no-reason", *(["--append"] if append else [])])


def _wait_first_write(process: Command, store_dir: Path, before: int, limit: float = 300) -> float:
    """Wait until the process commits its first transaction (the store's write-ahead log grows); the time then."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if _wal_size(store_dir) > before or process.poll() is not None:
            return time.monotonic()
        time.sleep(0.002)
    raise TimeoutError(f"kg build --append wrote nothing to {store_dir} in {limit} s")


def _wait_staging_write(process: Command, staging: Path, limit: float = 300) -> float:
    """Wait until the process has copied the store to `staging` and commits its first transaction there."""
    deadline = time.monotonic() + limit
    while not staging.is_dir() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    return _wait_first_write(process, staging, _wal_size(staging), limit)


def _kill_and_open(process: Command, delay: float, folder: Path
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
    from kg.pipeline.stages import build

    corpus = work / "base-corpus"
    corpus.mkdir()
    for source in sorted(DEV_ARTICLES.glob("*.txt"))[:3]:
        shutil.copy(source, corpus / source.name)
    base = work / "base"
    build([corpus], base, reasoning=False, validation=False, extractor=extractor)  # type: ignore[arg-type]
    return base


def run_kills(kills: int, articles: int, *, work: Path, seed: int = 0, extractor: object = None,
              launch: Launcher = new_process, commit_steps: int = 0) -> KillReport:
    """Kill `kills` appends of `articles` articles at moments spread over their run; check the folder after each.

    Even kills fall while the articles are written (before graph.ttl is), odd ones anywhere until the end. Then
    `commit_steps` more at each rename of the commit in turn (`WarmLauncher` only).
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
    process = _build(complete, corpus, launch=launch)
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
        process = _build(folder, corpus, launch=launch)
        _wait_staging_write(process, folder / "store.new")
        delay = _moment(k // 2, (kills + 1 - k % 2) // 2, writing if k % 2 == 0 else tail, rng)
        finished, found = _kill_and_open(process, delay, folder)
        report.interrupted += not finished
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
    _commit_step_kills(report, "append", commit_steps, base, work, lambda folder, step: _build(
        folder, corpus, launch=functools.partial(launch, commit_step=step)), old, new)
    return report


def _complete_runs(base: Path, complete: Path, start: Callable[[Path], Command], runs: int = 2
                   ) -> tuple[Path, float]:
    """Run a command to its end on `runs` copies of `base`: the folder it left, and its shortest run in seconds
    (the first run is often the slowest; kills spread over it would mostly find the command finished)."""
    seconds = []
    for run in range(runs):
        folder = complete.with_name(f"{complete.name}-{run}") if run else complete
        shutil.copytree(base, folder)
        started = time.monotonic()
        _, stderr = (process := start(folder)).communicate()
        if process.returncode != 0:
            raise RuntimeError(f"the complete run failed: {stderr.decode(errors='replace')[-2000:]}")
        seconds.append(time.monotonic() - started)
        if run:
            shutil.rmtree(folder)
    return complete, round(min(seconds), 2)


def run_remove_kills(kills: int, *, work: Path, seed: int = 0, extractor: object = None,
                     launch: Launcher = new_process, commit_steps: int = 0) -> KillReport:
    """Kill `kills` runs of `kg remove` (two of the three articles of a build) at moments spread over its run; after
    each the folder must be wholly the old state or the new one, and after the first kill that left the old state a
    second `kg remove` must succeed."""
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    report = KillReport()
    base = base_build(work, extractor)
    old = folder_state(base)
    ids = [p.name for p in sorted(DEV_ARTICLES.glob("*.txt"))[:2]]
    command = ["remove", *ids, "--no-reason", "--data"]
    complete, report.complete_seconds = _complete_runs(base, work / "remove-complete",
                                                       lambda folder: launch([*command, str(folder)]))
    new = folder_state(complete)
    retried = False
    for k in range(kills):
        folder = work / f"remove-kill-{k:02d}"
        shutil.copytree(base, folder)
        process = launch([*command, str(folder)])
        delay = _moment(k, kills, report.complete_seconds, rng)
        finished, found = _kill_and_open(process, delay, folder)
        report.interrupted += not finished
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
            _, stderr = (again := launch([*command, str(folder)])).communicate()
            if again.returncode != 0 or _which(folder_state(folder), old, new) != "new":
                report.problems.append(f"remove kill {k}: removing again after the kill failed: "
                                       f"{stderr.decode(errors='replace')[-500:]}")
        shutil.rmtree(folder)
    _commit_step_kills(report, "remove", commit_steps, base, work,
                       lambda folder, step: launch([*command, str(folder)], commit_step=step), old, new)
    return report


def run_fresh_kills(kills: int, articles: int, *, work: Path, seed: int = 0, extractor: object = None,
                    launch: Launcher = new_process, commit_steps: int = 0) -> KillReport:
    """Kill `kills` fresh builds of `articles` articles over a built folder at moments spread over their whole run;
    after each the folder must be exactly the old state or exactly the new one."""
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    report = KillReport()
    base = base_build(work, extractor)
    old = folder_state(base)
    corpus = make_corpus(work / "fresh.jsonl", articles, prefix="fresh")
    complete, report.complete_seconds = _complete_runs(base, work / "fresh-complete",
                                                       lambda folder: _build(folder, corpus, append=False,
                                                                             launch=launch))
    new = folder_state(complete)
    for k in range(kills):
        folder = work / f"fresh-kill-{k:02d}"
        shutil.copytree(base, folder)
        process = _build(folder, corpus, append=False, launch=launch)
        delay = _moment(k, kills, report.complete_seconds, rng)
        finished, found = _kill_and_open(process, delay, folder)
        report.interrupted += not finished
        if isinstance(found, Exception):
            report.problems.append(f"fresh kill {k}: the folder cannot be read: {found}")
            continue
        state = _which(found, old, new)
        report.kills.append(f"fresh kill {k}: after {delay:.2f} s of {report.complete_seconds:.2f} s"
                            f"{' (had finished)' if finished else ''}: the folder is the {state or 'MIXED'} state")
        if state is None:
            report.problems.append(f"fresh kill {k}: the folder mixes states ({_mixed(found, old, new)})")
        shutil.rmtree(folder)
    _commit_step_kills(report, "fresh", commit_steps, base, work, lambda folder, step: _build(
        folder, corpus, append=False, launch=functools.partial(launch, commit_step=step)), old, new)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--articles", type=int, default=24)
    parser.add_argument("--fresh-kills", type=int, default=10)
    parser.add_argument("--remove-kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--zygote", action="store_true", help=argparse.SUPPRESS)  # WarmLauncher's process
    args = parser.parse_args()
    if args.zygote:
        return zygote()
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
