"""Dumps of a store (`kg export`).

Dumps (`export`) are byte for byte deterministic: lines sorted in their canonical N-Triples/N-Quads form (named
graphs in IRI order, then their triples), the project's prefixes, and an external merge sort (`kg.store.sort`)
so that memory stays bounded on big stores. Triple formats (Turtle, N-Triples) merge the selected graphs; dataset
formats
(N-Quads, TriG, JSON-LD) keep them.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.rdf.serialise import RdfFormat, atomic_writer, serialise_to
from kg.rdf.turtle import write_turtle
from kg.store.sort import sorted_unique, sorted_unique_chunks, write_chunks
from kg.store.triplestore import ALL_GRAPHS, GraphSet, TripleStore


def _write_sorted_triples(store: TripleStore, names: Sequence[ox.NamedNode], out: IO[bytes]) -> int:
    """The graphs' triples merged, deduplicated and sorted, as N-Triples; returns the number of triples."""
    return write_chunks(sorted_unique_chunks(line for name in names for line in store.graph_lines(name)), out)


def serialise_sorted(lines: IO[bytes], out: IO[bytes], fmt: RdfFormat) -> None:
    """Sorted N-Triples (or N-Quads for dataset formats) from `lines` to `out` in `fmt`, streaming.

    Turtle is written from the lines' text in one pass (`kg.rdf.turtle`). Other formats parse the lines, which were
    written by Oxigraph (the store, the build's spool), without validating them again (`lenient`): a third less
    time, the same triples."""
    if fmt is RdfFormat.TTL:
        write_turtle(lines, out)
        return
    parsed = ox.parse(lines, format=ox.RdfFormat.N_QUADS if fmt.keeps_graphs else ox.RdfFormat.N_TRIPLES,
                      lenient=True)
    serialise_to(parsed, out, fmt)  # a triple format takes the default graph's quads as they are: no Python loop


def _write_sorted_quads(store: TripleStore, names: Sequence[ox.NamedNode], out: IO[bytes]) -> int:
    """The graphs' quads as N-Quads, graph by graph in IRI order, each graph's triples sorted."""
    count = 0
    for name in names:
        suffix = f" {name} .\n".encode()
        for line in sorted_unique(store.graph_lines(name)):
            out.write(line[:-3] + suffix)  # "<s> <p> <o> .\n" → "<s> <p> <o> <g> .\n"
            count += 1
    return count


def export(store: TripleStore, out: IO[bytes], fmt: RdfFormat = RdfFormat.TTL,
           graphs: Iterable[GraphSet] = ALL_GRAPHS) -> int:
    """Write the selected graphs of `store` to `out` in `fmt`, deterministically; returns the triples/quads written.

    Turtle and N-Triples hold the distinct triples of the selected graphs merged; N-Quads, TriG and JSON-LD keep
    each graph under its name. Lines are sorted in canonical N-Triples/N-Quads order, so the same store gives
    the same bytes; Turtle and TriG declare the project's prefixes.
    """
    names = store.graph_names(graphs)
    write = _write_sorted_quads if fmt.keeps_graphs else _write_sorted_triples
    if fmt in (RdfFormat.NT, RdfFormat.NQ):
        return write(store, names, out)
    with tempfile.TemporaryFile(prefix="kg-export-") as tmp:
        count = write(store, names, tmp)
        tmp.seek(0)
        serialise_sorted(tmp, out, fmt)
    return count


def export_file(store: TripleStore, path: Path, fmt: RdfFormat = RdfFormat.TTL,
                graphs: Iterable[GraphSet] = ALL_GRAPHS) -> int:
    """`export` to `path` through a temporary file and a rename; returns the triples/quads written."""
    with atomic_writer(path) as handle:
        return export(store, handle, fmt, graphs)


def export_bytes(store: TripleStore, fmt: RdfFormat = RdfFormat.TTL, graphs: Iterable[GraphSet] = ALL_GRAPHS
                 ) -> bytes:
    """`export` to bytes."""
    out = io.BytesIO()
    export(store, out, fmt, graphs)
    return out.getvalue()
