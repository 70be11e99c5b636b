"""Serialise: rdflib graphs → Turtle and the other RDF formats, byte for byte deterministic (stage 4).

Triples are sorted in their N-Triples form and written by Oxigraph's serializer, which is fast and writes
valid Turtle (rdflib's writer turns "1"^^xsd:decimal into 1.0 and is slow on big graphs). Files are written
to a temporary file and renamed, so a killed build never leaves half a file.
"""

from __future__ import annotations

import enum
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.mapping import PREFIXES

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class RdfFormat(enum.Enum):
    """Output formats, named by their usual file extension."""

    TTL = "ttl"
    NT = "nt"
    NQ = "nq"
    TRIG = "trig"
    JSONLD = "jsonld"
    RDFXML = "rdf"

    @property
    def oxigraph(self) -> ox.RdfFormat:
        return {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS,
                "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD,
                "rdf": ox.RdfFormat.RDF_XML}[self.value]


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as the equivalent Oxigraph term, keeping literals' lexical forms."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> Node:
    """An Oxigraph term as the equivalent rdflib term (xsd:string literals as plain literals)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))
    raise TypeError(f"not an RDF term: {term!r}")


def sorted_triples(graph: Graph) -> list[ox.Triple]:
    """The graph's triples as Oxigraph triples, in a stable order."""
    triples = [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph]  # type: ignore[arg-type]
    return sorted(triples, key=str)


def serialise(triples: Iterable[ox.Triple] | Iterable[ox.Quad], fmt: RdfFormat = RdfFormat.TTL) -> bytes:
    """Serialise already sorted triples or quads with the project's prefixes."""
    prefixes = {k: str(v) for k, v in PREFIXES.items()} if fmt in (RdfFormat.TTL, RdfFormat.TRIG) else None
    data = ox.serialize(triples, format=fmt.oxigraph, prefixes=prefixes)
    assert data is not None
    return data


@contextmanager
def atomic_writer(path: Path) -> Iterator[IO[bytes]]:
    """A binary file that becomes `path` only when the block ends without error: written to a temporary file in
    the same folder, synced, then renamed, so a killed build never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename."""
    with atomic_writer(path) as handle:
        handle.write(data)


def write_graph(graph: Graph, path: Path, fmt: RdfFormat = RdfFormat.TTL) -> int:
    """Write `graph` to `path` deterministically; returns the number of triples written."""
    triples = sorted_triples(graph)
    write_atomic(path, serialise(triples, fmt))
    return len(triples)
