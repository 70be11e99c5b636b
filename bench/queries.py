"""Benchmark: the saved queries on the store against rdflib's own SPARQL engine on the same triples.

A 30-article build (the development articles replicated, see `bench/common.py`) with validation and reasoning, so
that the inferred and Wikidata graphs are there too; each saved query runs with its parameters at their defaults
(as `kg query` binds them) on the store's default graph (the store's best of three: milliseconds each, so noise
counts) and once in rdflib over the same graph files, which is stopped after `RDFLIB_LIMIT` seconds on a query
(its ratio is then a lower bound). Rows are counted by listing them (rdflib's `len()` of an empty grouped result
is 1).

    python bench/queries.py
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from common import machine, make_corpus, run_child

#: Seconds rdflib may spend on one saved query before it is stopped (its ratio is then a lower bound).
RDFLIB_LIMIT = 20


def child_build(corpus: str, out: str) -> dict:
    from kg.pipeline.stages import build

    report = build([Path(corpus)], Path(out))
    return {"seconds": report.seconds, "articles": report.articles, "triples": report.triples}


def child_queries(build: str) -> dict:
    import pyoxigraph as ox
    from rdflib import Graph

    from kg.query.binding import bindings, with_values
    from kg.query.catalogue import saved_queries
    from kg.query.local import graph_files
    from kg.store.folder import open_query_store

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=30, help="corpus size (default 30)")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        work = Path(tmp)
        print(f"machine: {machine()}; load average at the start: {os.getloadavg()[0]:.1f}")
        corpus, _ = make_corpus(work / "corpus.jsonl", args.articles)
        full, _ = run_child(__file__, ["build", str(corpus), str(work / "build")])
        queries, _ = run_child(__file__, ["queries", str(work / "build")])
        ratios = []
        print(f"\nsaved queries, store vs rdflib SPARQL on the same {queries['triples']} triples ({args.articles} "
              f"articles, whole build {full['seconds']:.1f} s):")
        for name, (ours, theirs, n1, n2) in queries["queries"].items():
            ratios.append(theirs / max(ours, 1e-6))
            stopped = " (rdflib stopped at the limit: at least)" if n2 < 0 else ""
            print(f"  {name:32} {ours * 1000:8.1f} ms {theirs * 1000:10.1f} ms  ×{ratios[-1]:7.1f}  rows {n1}/{n2}"
                  f"{stopped}")
        print(f"  total: store {sum(v[0] for v in queries['queries'].values()):.3f} s, rdflib "
              f"{sum(v[1] for v in queries['queries'].values()):.3f} s; smallest ratio ×{min(ratios):.1f}")
    print(f"\nbenchmark time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    if len(sys.argv) > 1 and sys.argv[1] in ("build", "queries"):
        mode, rest = sys.argv[1], sys.argv[2:]
        answer = child_build(rest[0], rest[1]) if mode == "build" else child_queries(rest[0])
        print(json.dumps(answer))
        sys.exit(0)
    sys.exit(main())
