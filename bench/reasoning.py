"""Benchmark: reasoning time of owlrl and of the fast path on graphs of about 10k, 100k and 1M triples.

The graphs are made from real extracted articles: the sample corpus and the development articles are built once
(`kg build`), then their graph is replicated with fresh IRIs (every `kgid:` IRI gets a `r{n}/` prefix per copy,
so each copy is a separate world of states, events and attestations, as a larger corpus would be) up to each size.
Both reasoners run through `kg.reason.reasoning.reason` on the same folder, in the same process, each reading the same
`graph.ttl` and writing `inferred.ttl`; the script checks that they wrote the same bytes, and prints the ratios:
of the whole `reason()`, of the reasoning alone (reading and writing left out), and of the fast path's reasoning to
one plain owlrl expansion of the same graph, in CPU time (the machine may be shared). The fast path is timed three
times and its best run kept; owlrl once.

    python bench/reasoning.py                       # 10k, 100k, 1M; owlrl up to 200k triples
    python bench/reasoning.py --sizes 10000 --owlrl-max 0
    python bench/reasoning.py --source out          # replicate an existing build instead of building
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg.rdf.ontology import KGID, ontology_graph
from kg.rdf.serialise import serialise, write_atomic
from kg.reason.owlrl_adapter import owl_rl_closure
from kg.reason.reasoning import INFERRED_FILE, INPUT_FILES, Reasoner, infer, reason

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = [ROOT / "corpus" / "sample", ROOT / "tests" / "data" / "dev" / "articles"]


def source_triples(source: Path | None, work: Path) -> list[ox.Triple]:
    """The triples of an existing build folder, or of a fresh build of the sample and development articles."""
    if source is None:
        from kg.pipeline.stages import build

        source = work / "source"
        build([p for p in ARTICLES if p.exists()], source, reasoning=False)
    files = [source / name for name in INPUT_FILES if (source / name).exists()]
    return [q.triple for path in files for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]


def replicate(triples: list[ox.Triple], copies: int) -> list[ox.Triple]:
    """`copies` copies of the graph, each with its own `kgid:` IRIs (other IRIs and literals are shared)."""
    base = str(KGID)
    out: list[ox.Triple] = []
    for n in range(copies):
        prefix = f"{base}r{n}/"
        renamed: dict[ox.NamedNode, ox.NamedNode] = {}

        def fresh(term, prefix=prefix, renamed=renamed):  # type: ignore[no-untyped-def]
            if isinstance(term, ox.NamedNode) and term.value.startswith(base):
                if term not in renamed:
                    renamed[term] = ox.NamedNode(prefix + term.value[len(base):])
                return renamed[term]
            return term

        out.extend(ox.Triple(fresh(t.subject), t.predicate, fresh(t.object)) for t in triples)
    return out


@dataclass(frozen=True)
class Run:
    """One reasoner on one graph: `reason()` in all (read, reason, write), its reasoning alone, in wall-clock and
    in CPU time of this process (steadier than wall-clock on a shared machine)."""

    seconds: float
    closure: float
    closure_cpu: float
    inferred: int
    output: bytes


def run(folder: Path, reasoner: Reasoner, repeat: int = 1) -> Run:
    """The fastest of `repeat` runs."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        report = reason(folder, reasoner=reasoner)
        seconds = time.perf_counter() - started
        runs.append(Run(seconds, report.closure_seconds, report.closure_cpu_seconds, report.inferred,
                        (folder / INFERRED_FILE).read_bytes()))
    return min(runs, key=lambda r: r.closure_cpu)


def one_expand(folder: Path) -> float:
    """CPU seconds of a single owlrl expansion of the graph and the ontology (no rules.ru, no second pass, no
    filtering): what "owlrl takes about 84 s on 100k triples" measured."""
    graph = ontology_graph()
    graph.parse(folder / "graph.ttl", format="turtle")
    started = time.process_time()
    owl_rl_closure(graph)
    return time.process_time() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000],
                        help="target graph sizes in triples (default: 10000 100000 1000000)")
    parser.add_argument("--owlrl-max", type=int, default=200_000,
                        help="run owlrl only on graphs up to this many triples (default: 200000)")
    parser.add_argument("--source", type=Path, help="a build folder to replicate (default: build the articles)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    try:
        triples = source_triples(args.source, work)
        infer(Graph(), reasoner=Reasoner.FAST)  # compile the ontology and rules.ru once, before any timing
        print(f"source: {len(triples)} triples from real articles (graph.ttl and wikidata.ttl)\n"
              "seconds: `all` = kg.reason.reasoning.reason() in wall-clock time (read graph.ttl, reason, write "
              "inferred.ttl); `reasoning` = the reasoning alone (no reading or writing), wall-clock and CPU;\n"
              "`1 expand` = one plain owlrl expansion (CPU); ratios of CPU times: owlrl reasoner / fast, "
              "1 expand / fast", flush=True)
        print(f"{'triples':>9} {'inferred':>8} | {'owlrl all':>9} {'reasoning':>9} {'cpu':>7} {'1 expand':>8} | "
              f"{'fast all':>8} {'reasoning':>9} {'cpu':>6} | {'ratio':>6} {'1 expand':>8} | same bytes", flush=True)
        for size in args.sizes:
            graph = replicate(triples, max(1, math.ceil(size / len(triples))))
            folder = work / f"g{size}"
            write_atomic(folder / "graph.ttl", serialise(sorted(graph, key=str)))
            fast = run(folder, Reasoner.FAST, repeat=3)
            cells = f"{fast.seconds:8.2f} {fast.closure:9.2f} {fast.closure_cpu:6.2f}"
            if len(graph) <= args.owlrl_max:
                owlrl = run(folder, Reasoner.OWLRL)
                single = one_expand(folder)
                ratio, ratio_single = owlrl.closure_cpu / fast.closure_cpu, single / fast.closure_cpu
                print(f"{len(graph):>9} {fast.inferred:>8} | {owlrl.seconds:9.1f} {owlrl.closure:9.1f} "
                      f"{owlrl.closure_cpu:7.1f} {single:8.1f} | {cells} | {ratio:5.0f}× {ratio_single:7.0f}× | "
                      f"{owlrl.output == fast.output}", flush=True)
            else:
                print(f"{len(graph):>9} {fast.inferred:>8} | {'-':>9} {'-':>9} {'-':>7} {'-':>8} | {cells} | "
                      "(owlrl not run above --owlrl-max)", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
