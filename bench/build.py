"""Benchmark: building corpora of 1,000 and 10,000 articles into the store, on one and two processes.

The corpora are the eight development articles (tests/data/dev/articles, real news texts, public domain), replicated
with new ids (`bench-00042-…`) into JSONL files (`bench/common.py`). Each build runs in a child process
(`kg.pipeline.stages.build`, Wikidata from the snapshot, no network) whose process tree's resident memory is sampled
every 0.1 s. Printed:

- articles per second of the build;
- the ratio of the build to bare spaCy on the same texts, two ways: whole process against whole process (a bare
  script that imports spaCy, loads the models and runs `nlp.pipe` over the texts, against the build's process from
  start to end), and `build()` against `nlp.pipe` alone (models loaded beforehand); both in wall and CPU time;
- the speed-up of `--jobs 2` over `--jobs 1` (1,000 articles);
- the peak memory of the build's process tree;
- the time to write graph.ttl from the articles' unsorted N-Triples against rdflib's Turtle serializer on the same
  graph in memory;
- the 10,000-article build on `--jobs 2`.

    python bench/build.py                  # 1,000 articles (--jobs 1 and 2, bare spaCy, graph.ttl), then 10,000
    python bench/build.py --sizes 1000     # without the 10,000-article build

Validation (pySHACL) and reasoning are off in these builds: they are the reasoning and validation stages' own cost
(see bench/reasoning.py), not the extraction's. The saved queries against rdflib are in bench/queries.py.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from common import DEV_ARTICLES, machine, make_corpus, replicate_quads, run_child

# -- child modes -------------------------------------------------------------------------------------------------


def child_build(corpus: str, out: str, jobs: int) -> dict:
    from kg.pipeline.stages import build

    started = time.perf_counter()
    report = build([Path(corpus)], Path(out), jobs=jobs, reasoning=False, validation=False)
    return {"seconds": time.perf_counter() - started, "articles": report.articles, "triples": report.triples,
            "problems": len(report.problems)}


def child_bare(corpus: str) -> dict:
    """What a bare script does: import spaCy, load each language's model, `nlp.pipe` its texts (spaCy's default
    batch size); the pipe alone is timed too."""
    import spacy

    from kg.extract import model_name

    records = [json.loads(line) for line in Path(corpus).read_text(encoding="utf-8").splitlines()]
    seconds = cpu = 0.0
    for lang in ("fr", "en"):
        texts = [r["text"] for r in records if r["lang"] == lang]
        nlp = spacy.load(model_name(lang))
        started, cpu_started = time.perf_counter(), time.process_time()
        for _ in nlp.pipe(texts):
            pass
        seconds += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
    return {"seconds": seconds, "pipe_cpu": cpu}


def child_serialise(build: str) -> dict:
    """graph.ttl as the build writes it (sort the articles' N-Triples, write Turtle) against rdflib's serializer;
    and `kg export` (which reads the triples back from the on-disk store)."""
    import random

    from rdflib import Graph

    from kg.rdf.serialise import RdfFormat
    from kg.store.dumps import export, serialise_sorted
    from kg.store.sort import sort_file
    from kg.store.triplestore import STORE_DIR, GraphSet, TripleStore

    with TripleStore.open(Path(build) / STORE_DIR, read_only=True) as store, tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        count = export(store, out, RdfFormat.NQ, [GraphSet.ASSERTED])
        exported = time.perf_counter() - started
        out.seek(0)
        lines = [line.rsplit(b" <", 1)[0] + b" .\n" for line in out]  # the quads as the build's spool holds them
    random.Random(0).shuffle(lines)
    with tempfile.NamedTemporaryFile() as spool, tempfile.NamedTemporaryFile() as ordered, \
            tempfile.TemporaryFile() as ttl:
        spool.writelines(lines)
        spool.flush()
        started = time.perf_counter()
        sort_file(Path(spool.name), Path(ordered.name))  # as the build sorts its spool
        ordered.seek(0)
        serialise_sorted(ordered, ttl, RdfFormat.TTL)
        ours = time.perf_counter() - started
        ttl.seek(0)
        same = ttl.read() == (Path(build) / "graph.ttl").read_bytes()
    graph = Graph().parse(Path(build) / "graph.ttl", format="turtle")
    started = time.perf_counter()
    graph.serialize(format="turtle", encoding="utf-8")
    theirs = time.perf_counter() - started
    return {"triples": len(graph), "quads": count, "ours": ours, "rdflib": theirs, "export": exported, "same": same}


class StageClock:
    """Wall time and peak resident memory (this process and its children, sampled every 0.05 s) per stage of a
    build, by wrapping the functions `kg.pipeline.stages` calls: the profile of `--post-only`."""

    def __init__(self) -> None:
        import threading

        import psutil

        self.current = "store"  # the articles going into the store and the spool
        self.seconds: dict[str, float] = {}
        self.peak: dict[str, float] = {}
        self._process = psutil.Process()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._mark = time.perf_counter()
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        while not self._stop.wait(0.05):
            try:
                rss = sum(p.memory_info().rss for p in [self._process, *self._process.children(recursive=True)])
            except psutil.Error:
                continue
            self.peak[self.current] = max(self.peak.get(self.current, 0.0), rss / 2**20)

    def enter(self, stage: str) -> str:
        now = time.perf_counter()
        self.seconds[self.current] = self.seconds.get(self.current, 0.0) + now - self._mark
        previous, self.current, self._mark = self.current, stage, now
        return previous

    def wrap(self, owner: object, name: str, stage: str) -> None:
        function = getattr(owner, name, None)
        if function is None:  # not called by this version of the build
            return

        def timed(*args: object, **kwargs: object) -> object:
            previous = self.enter(stage)
            try:
                return function(*args, **kwargs)
            finally:
                self.enter(previous)

        setattr(owner, name, timed)

    def stop(self) -> dict:
        self.enter("end")
        self._stop.set()
        self._thread.join()
        return {"seconds": self.seconds, "peak": self.peak}


def child_quads(out: str) -> dict:
    """The development articles' named graphs as the build's workers give them (`make_corpus` ids), pickled to `out`:
    the base `--post-only` replicates."""
    import pickle

    from kg.ingest.read import read_articles
    from kg.pipeline.executors import extract_all

    with tempfile.TemporaryDirectory() as tmp:
        corpus, _ = make_corpus(Path(tmp) / "base.jsonl", len(list(DEV_ARTICLES.glob("*.txt"))))
        articles = sorted(read_articles([corpus]), key=lambda a: (a.id, a.source))  # type: ignore[union-attr]
        base = [(q.article_id, q.graph, q.nquads, q.triples) for q in extract_all(articles, jobs=2)]
    Path(out).write_bytes(pickle.dumps(base))
    return {"articles": len(base)}


def child_post(quads: str, out: str, count: int, profile: bool = True) -> dict:
    """The stages after extraction (`kg.pipeline.stages.build_from_quads`, validation and reasoning on) on `count`
    articles replicated from the pickled base graphs, timed stage by stage."""
    import pickle

    import kg.pipeline.stages as stages
    from kg.store.triplestore import ArticleQuads

    clock = StageClock() if profile else None
    if clock is not None:
        for name, stage in (("enrich", "wikidata"), ("write_graph", "wikidata.ttl"), ("serialise", "wikidata.ttl"),
                            ("validate_graph", "validate"), ("_validate", "validate"), ("reason", "reason"),
                            ("reason_store", "reason"), ("_count", "counts"), ("commit", "commit"),
                            ("record_files", "counts")):
            clock.wrap(stages, name, stage)
        clock.wrap(stages.BuildWriter, "write_asserted", "graph.ttl")
        clock.wrap(stages.BuildWriter, "refresh", "refresh")
    base = pickle.loads(Path(quads).read_bytes())
    started = time.perf_counter()
    report = stages.build_from_quads((ArticleQuads(*q) for q in replicate_quads(base, count)), Path(out))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "articles": report.articles, "triples": report.triples,
            "inferred": report.inferred, "violations": report.violations,
            "stages": clock.stop() if clock is not None else {}}


def post_only(count: int, work: Path) -> None:
    """`--post-only N`: the stages after extraction on N replicated articles."""
    quads = work / "base-quads.pickle"
    if not quads.exists():
        run_child(__file__, ["quads", str(quads)])
    result, peak = run_child(__file__, ["post", str(quads), str(work / f"post{count}"), str(count)])
    stages = result["stages"]
    print(f"  stages after extraction: {result['seconds']:.1f} s in build_from_quads() ({result['wall']:.1f} s whole "
          f"process), {1000 * result['seconds'] / count:.2f} ms per article, {result['triples']} triples in "
          f"graph.ttl, {result['inferred']} inferred, peak memory {peak:.0f} MiB (process tree)")
    for stage, seconds in stages.get("seconds", {}).items():
        print(f"    {stage:<13} {seconds:7.1f} s  peak {stages['peak'].get(stage, 0):6.0f} MiB")


# -- the benchmark -----------------------------------------------------------------------------------------------


def build_line(size: int, jobs: int, result: dict, peak: float) -> str:
    return (f"  build --jobs {jobs}: {result['seconds']:.1f} s in build() ({result['wall']:.1f} s whole process, "
            f"{result['cpu']:.0f} s CPU), {size / result['wall']:.1f} articles/s, {result['triples']} triples in "
            f"graph.ttl, peak memory {peak:.0f} MiB (process tree)")


def reference_runs(corpus: Path, work: Path, size: int, jobs: int) -> None:
    """The 1,000-article figures: --jobs 1 and `jobs`, bare spaCy, graph.ttl against rdflib."""
    runs = {}
    for n in (1, jobs):
        runs[n], peak = run_child(__file__, ["build", str(corpus), str(work / f"b{size}-j{n}"), str(n)])
        print(build_line(size, n, runs[n], peak))
    bare, _ = run_child(__file__, ["bare", str(corpus)])
    one = runs[1]
    print(f"  bare spaCy, whole process (import, load the models, nlp.pipe): {bare['wall']:.1f} s ({bare['cpu']:.0f} s "
          f"CPU); build --jobs 1 / bare = {one['wall'] / bare['wall']:.2f} (wall), {one['cpu'] / bare['cpu']:.2f} "
          f"(CPU)")
    print(f"  bare nlp.pipe alone (models loaded beforehand): {bare['seconds']:.1f} s ({bare['pipe_cpu']:.0f} s CPU); "
          f"build() / nlp.pipe = {one['seconds'] / bare['seconds']:.2f} (wall)")
    print(f"  --jobs {jobs} speed-up: ×{one['wall'] / runs[jobs]['wall']:.2f}")
    ser, _ = run_child(__file__, ["serialise", str(work / f"b{size}-j1")])
    print(f"  graph.ttl of {ser['triples']} triples: sorted and written {ser['ours']:.2f} s (same bytes as the "
          f"build's: {ser['same']}), rdflib Turtle serializer {ser['rdflib']:.2f} s: "
          f"×{ser['rdflib'] / ser['ours']:.1f}; "
          f"kg export -f nq of the {ser['quads']} quads from the store {ser['export']:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,3000", help="corpus sizes (the first is the reference)")
    parser.add_argument("--post-only", type=int, default=None, metavar="N",
                        help="time only the stages after extraction, on N articles' graphs replicated from the "
                             "development articles' (no spaCy parsing)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--work", default=None, help="folder for corpora and builds (default: a temporary one)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        work = Path(args.work or tmp)
        work.mkdir(parents=True, exist_ok=True)
        print(f"machine: {machine()}; load average at the start: {os.getloadavg()[0]:.1f}")
        if args.post_only:
            print(f"\n{args.post_only} articles, stages after extraction only:")
            post_only(args.post_only, work)
            sizes = []
        for size in sizes:
            corpus, words = make_corpus(work / f"corpus-{size}.jsonl", size)
            print(f"\n{size} articles ({words} words):")
            if size == sizes[0]:
                reference_runs(corpus, work, size, args.jobs)
            else:
                result, peak = run_child(__file__, ["build", str(corpus), str(work / f"b{size}"), str(args.jobs)])
                print(build_line(size, args.jobs, result, peak))
        print(f"\nbenchmark time: {time.perf_counter() - started:.0f} s; load average (1 min) at the end: "
              f"{os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    if len(sys.argv) > 1 and sys.argv[1] in ("build", "bare", "serialise", "quads", "post"):
        mode, rest = sys.argv[1], sys.argv[2:]
        if mode == "quads":
            answer = child_quads(rest[0])
        elif mode == "post":
            answer = child_post(rest[0], rest[1], int(rest[2]))
        elif mode == "build":
            answer = child_build(rest[0], rest[1], int(rest[2]))
        elif mode == "bare":
            answer = child_bare(rest[0])
        else:
            answer = child_serialise(rest[0])
        print(json.dumps(answer))
        sys.exit(0)
    sys.exit(main())
