"""Benchmark: building corpora of 1,000 and 10,000 articles into the store, on one and two processes.

The corpora are the eight development articles (tests/data/dev/articles, real news texts, public domain), replicated
with new ids (`bench-00042-…`) into JSONL files. Each build runs in a subprocess (`kg.pipeline.build`, Wikidata
from the snapshot, no network) whose process tree's resident memory is sampled every 0.1 s. Printed:

- articles per second of `build` (whole wall time: reading, model loading, extraction, store, graph.ttl, Wikidata);
- the ratio of that time to bare `nlp.pipe` of the same spaCy models on the same texts (models loaded beforehand);
- the speed-up of `--jobs 2` over `--jobs 1`;
- the peak memory of the build's process tree;
- the time to write graph.ttl from the store against rdflib's Turtle serializer on the same graph;
- the saved queries on the store against rdflib's own SPARQL engine on the same triples (on a 30-article build,
  with validation and reasoning, so that the inferred and Wikidata graphs are there too; rdflib is stopped after
  `RDFLIB_LIMIT` seconds on a query, whose ratio is then a lower bound).

    python bench/build.py                  # a 30-article build for the queries, then 1,000 and 10,000 articles
    python bench/build.py --sizes 1000     # without the 10,000-article build

Validation (pySHACL) and reasoning are off in the 1,000 and 10,000-article builds: they are the reasoning and
validation stages' own cost (see bench/reasoning.py), not the extraction's.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_ARTICLES = ROOT / "tests" / "data" / "dev" / "articles"
#: Seconds rdflib may spend on one saved query before it is stopped (its ratio is then a lower bound).
RDFLIB_LIMIT = 20


def make_corpus(path: Path, count: int) -> tuple[Path, int]:
    """A JSONL corpus of `count` articles (the development articles, each copy with its own id); its word count."""
    sources = sorted(DEV_ARTICLES.glob("*.txt"))
    words = 0
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            source = sources[i % len(sources)]
            text = source.read_text(encoding="utf-8")
            words += len(text.split())
            lang = "en" if "_en_" in source.name else "fr"
            handle.write(json.dumps({"id": f"bench-{i:05d}-{source.stem}", "text": text, "lang": lang},
                                    ensure_ascii=False) + "\n")
    return path, words


def run_child(args: list[str]) -> tuple[dict, float]:
    """Run this script in a child mode; its JSON answer (with `cpu`, the CPU seconds of its process tree) and the
    peak resident memory of its process tree (MiB)."""
    import resource

    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)

    process = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, cwd=ROOT)
    parent = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            tree = [parent, *parent.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.1)
    out = process.stdout.read() if process.stdout else b""
    if process.returncode != 0:
        raise RuntimeError(f"child {args} failed with {process.returncode}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    answer = json.loads(out.decode().strip().splitlines()[-1])
    answer["cpu"] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return answer, peak / 2**20


# -- child modes -------------------------------------------------------------------------------------------------


def child_build(corpus: str, out: str, jobs: int, full: bool) -> dict:
    from kg.pipeline import build

    started = time.perf_counter()
    report = build([Path(corpus)], Path(out), jobs=jobs, reasoning=full, validation=full)
    return {"seconds": time.perf_counter() - started, "articles": report.articles, "triples": report.triples,
            "problems": len(report.problems)}


def child_bare(corpus: str) -> dict:
    import spacy

    from kg.extract import model_name

    records = [json.loads(line) for line in Path(corpus).read_text(encoding="utf-8").splitlines()]
    seconds = cpu = 0.0
    for lang in ("fr", "en"):
        texts = [r["text"] for r in records if r["lang"] == lang]
        nlp = spacy.load(model_name(lang))
        list(nlp.pipe(texts[:2]))
        started, cpu_started = time.perf_counter(), time.process_time()
        for _ in nlp.pipe(texts, batch_size=16):
            pass
        seconds += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
    return {"seconds": seconds, "pipe_cpu": cpu}


def child_serialise(build: str) -> dict:
    """graph.ttl as the build writes it (sort the articles' N-Triples, write Turtle) against rdflib's serializer;
    and `kg export` (which reads the triples back from the on-disk store)."""
    import random

    from rdflib import Graph

    from kg.triplestore import (
        STORE_DIR,
        ExportFormat,
        GraphSet,
        TripleStore,
        _serialise_sorted,
        _write_chunks,
        export,
        sorted_unique_chunks,
    )

    with TripleStore.open(Path(build) / STORE_DIR, read_only=True) as store, tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        count = export(store, out, ExportFormat.NQ, [GraphSet.ASSERTED])
        exported = time.perf_counter() - started
        out.seek(0)
        lines = [line.rsplit(b" <", 1)[0] + b" .\n" for line in out]  # the quads as the build's spool holds them
    random.Random(0).shuffle(lines)
    with tempfile.TemporaryFile() as spool, tempfile.TemporaryFile() as ordered, tempfile.TemporaryFile() as ttl:
        spool.writelines(lines)
        spool.seek(0)
        started = time.perf_counter()
        _write_chunks(sorted_unique_chunks(spool), ordered)
        ordered.seek(0)
        _serialise_sorted(ordered, ttl, ExportFormat.TTL)
        ours = time.perf_counter() - started
        ttl.seek(0)
        same = ttl.read() == (Path(build) / "graph.ttl").read_bytes()
    graph = Graph().parse(Path(build) / "graph.ttl", format="turtle")
    started = time.perf_counter()
    graph.serialize(format="turtle", encoding="utf-8")
    theirs = time.perf_counter() - started
    return {"triples": len(graph), "quads": count, "ours": ours, "rdflib": theirs, "export": exported, "same": same}


def child_queries(build: str) -> dict:
    import pyoxigraph as ox
    from rdflib import Graph

    from kg.queries import bindings, graph_files, saved_queries, with_values
    from kg.triplestore import open_query_store

    store = open_query_store(Path(build))
    assert store is not None, "the store is stale"
    graph = Graph()
    for path in graph_files(Path(build)):
        graph.parse(path, format="turtle")
    times: dict[str, list[float]] = {}

    def too_long(signum: int, frame: object) -> None:
        raise TimeoutError

    signal.signal(signal.SIGALRM, too_long)
    for name, query in saved_queries().items():
        if query.requires == "network" or any(p.default is None for p in query.parameters):
            continue
        text = with_values(query.text, bindings(query, {}))  # the parameters' defaults, as kg query binds them
        best = math.inf
        for _ in range(3):  # the store's best of three (milliseconds each, so noise counts); rdflib's one run
            started = time.perf_counter()
            ours = len(list(store.query(text, default_graph=ox.DefaultGraph())))  # type: ignore[arg-type]
            best = min(best, time.perf_counter() - started)
        mid = time.perf_counter()
        signal.alarm(RDFLIB_LIMIT)
        try:
            theirs = len(list(graph.query(text)))  # len() of an empty grouped result is 1 in rdflib
        except TimeoutError:
            theirs = -1  # stopped at the limit: the ratio is a lower bound
        signal.alarm(0)
        times[name] = [best, time.perf_counter() - mid, ours, theirs]
    return {"triples": len(graph), "queries": times}


# -- the benchmark -----------------------------------------------------------------------------------------------


def machine() -> str:
    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GiB, no GPU, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes (the first is the reference)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--work", default=None, help="folder for corpora and builds (default: a temporary one)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        work = Path(args.work or tmp)
        work.mkdir(parents=True, exist_ok=True)
        print(f"machine: {machine()}; load average at the start: {os.getloadavg()[0]:.1f}")
        small, _ = make_corpus(work / "corpus-30.jsonl", 30)
        full, _ = run_child(["build", str(small), str(work / "b30"), "1", "1"])
        queries, _ = run_child(["queries", str(work / "b30")])
        ratios = []
        print(f"\nsaved queries, store vs rdflib SPARQL on the same {queries['triples']} triples (30 articles, "
              f"whole build {full['seconds']:.1f} s):")
        for name, (ours, theirs, n1, n2) in queries["queries"].items():
            ratios.append(theirs / max(ours, 1e-6))
            stopped = " (rdflib stopped at the limit: at least)" if n2 < 0 else ""
            print(f"  {name:32} {ours * 1000:8.1f} ms {theirs * 1000:10.1f} ms  ×{ratios[-1]:7.1f}  rows {n1}/{n2}"
                  f"{stopped}")
        print(f"  total: store {sum(v[0] for v in queries['queries'].values()):.3f} s, rdflib "
              f"{sum(v[1] for v in queries['queries'].values()):.3f} s; smallest ratio ×{min(ratios):.1f}")
        reference = None
        for size in sizes:
            corpus, words = make_corpus(work / f"corpus-{size}.jsonl", size)
            print(f"\n{size} articles ({words} words):")
            runs = {}
            jobs_list = [1, args.jobs] if size == sizes[0] else [args.jobs]
            for jobs in jobs_list:
                result, peak = run_child(["build", str(corpus), str(work / f"b{size}-j{jobs}"), str(jobs), "0"])
                runs[jobs] = result
                print(f"  build --jobs {jobs}: {result['seconds']:.1f} s ({result['cpu']:.0f} s CPU), "
                      f"{size / result['seconds']:.1f} articles/s, {result['triples']} triples in graph.ttl, "
                      f"peak memory {peak:.0f} MiB (process tree)")
            if size == sizes[0]:
                bare, _ = run_child(["bare", str(corpus)])
                reference = runs[1]["seconds"]
                print(f"  bare nlp.pipe (models loaded beforehand, one process): {bare['seconds']:.1f} s; "
                      f"build --jobs 1 / bare = {reference / bare['seconds']:.2f} (wall), "
                      f"{runs[1]['cpu'] / bare['pipe_cpu']:.2f} (CPU: {runs[1]['cpu']:.0f} s / "
                      f"{bare['pipe_cpu']:.0f} s)")
                print(f"  --jobs {args.jobs} speed-up: ×{reference / runs[args.jobs]['seconds']:.2f}")
                ser, _ = run_child(["serialise", str(work / f"b{size}-j1")])
                print(f"  graph.ttl of {ser['triples']} triples: sorted and written {ser['ours']:.2f} s (same bytes as "
                      f"the build's: {ser['same']}), rdflib Turtle serializer {ser['rdflib']:.2f} s: "
                      f"×{ser['rdflib'] / ser['ours']:.1f}; kg export -f nq of the {ser['quads']} quads from the store "
                      f"{ser['export']:.2f} s")
        print(f"\nbenchmark time: {time.perf_counter() - started:.0f} s; load average (1 min) at the end: "
              f"{os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    if len(sys.argv) > 1 and sys.argv[1] in ("build", "bare", "serialise", "queries"):
        mode, rest = sys.argv[1], sys.argv[2:]
        if mode == "build":
            answer = child_build(rest[0], rest[1], int(rest[2]), rest[3] == "1")
        elif mode == "bare":
            answer = child_bare(rest[0])
        elif mode == "serialise":
            answer = child_serialise(rest[0])
        else:
            answer = child_queries(rest[0])
        print(json.dumps(answer))
        sys.exit(0)
    sys.exit(main())
