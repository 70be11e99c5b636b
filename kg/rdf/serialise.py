r"""Serialise: rdflib graphs → Turtle and the other RDF formats, byte for byte deterministic (stage 4).

Triples are sorted in their N-Triples form and written by Oxigraph's serializer, which is fast and writes
valid Turtle (rdflib's writer turns "1"^^xsd:decimal into 1.0 and is slow on big graphs). Files are written
to a temporary file and renamed, so a killed build never leaves half a file.

Turtle and TriG never hold a backslash escape in a prefixed name: where Oxigraph writes one (`kgid:article\/a1`,
valid Turtle 1.1), the full `<IRI>` is written instead (`plain_names`), because Virtuoso keeps the backslash in
the IRI without a warning. Every other byte is Oxigraph's. Turtle from sorted N-Triples lines (graph.ttl, `kg
export`) is written from their text by `kg.rdf.turtle`, in the same bytes.
"""

from __future__ import annotations

import enum
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox
from rdflib import Graph

from kg.rdf.mapping import PREFIXES
from kg.rdf.terms import to_oxigraph


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

    @property
    def keeps_graphs(self) -> bool:
        """True for dataset formats (named graphs kept), False for graph formats (graphs merged)."""
        return self in (RdfFormat.NQ, RdfFormat.TRIG, RdfFormat.JSONLD)


#: The formats of `kg export` (`kg.store.dumps`): all but RDF/XML, which holds no dataset and not every predicate IRI.
EXPORT_FORMATS = (RdfFormat.TTL, RdfFormat.NT, RdfFormat.NQ, RdfFormat.TRIG, RdfFormat.JSONLD)


def sorted_triples(graph: Graph) -> list[ox.Triple]:
    """The graph's triples as Oxigraph triples, in a stable order."""
    triples = [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph]  # type: ignore[arg-type]
    return sorted(triples, key=str)


#: A token of Oxigraph's Turtle/TriG output: a string literal (skipped), or a prefixed name holding an escape with
#: the character before it (white space or `^`). IRIs need no skipping: a name starts after white space or `^^`,
#: and an IRI holds neither. Matching that character instead of looking behind makes the search try a name only
#: after white space, not at every letter: several times faster on a build's graph.ttl.
_TOKEN = re.compile(rb'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|([\s^])([A-Za-z][\w.-]*):([^\s\\]*\\\S*)')
_ESCAPE = re.compile(rb"\\(.)")


def plain_names(text: bytes, prefixes: Mapping[str, str]) -> bytes:
    r"""Turtle or TriG lines (as Oxigraph writes them: one-line literals, tokens apart) with every prefixed name
    that holds a backslash escape written as its full IRI instead; all other bytes unchanged.

    >>> plain_names(b'kgid:article\\/a1 rdfs:label "x\\"y" .\n', {"kgid": "https://w3id.org/kg-news/id/"})
    b'<https://w3id.org/kg-news/id/article/a1> rdfs:label "x\\"y" .\n'
    """
    if b"\\" not in text:
        return text
    namespaces = {prefix.encode(): namespace.encode() for prefix, namespace in prefixes.items()}

    def rewrite(match: re.Match[bytes]) -> bytes:
        before, prefix, local = match.group(1, 2, 3)
        namespace = namespaces.get(prefix) if prefix is not None else None
        if namespace is None:
            return match.group(0)
        plain = (local.replace(b"\\", b"") if b"\\\\" not in local and not local.endswith(b"\\")
                 else _ESCAPE.sub(rb"\1", local))
        return before + b"<" + namespace + plain + b">"

    return _TOKEN.sub(rewrite, b"\n" + text)[1:]  # the newline stands for the start: a name may begin there


class _PlainNamesWriter:
    """A file-like wrapper that passes Oxigraph's Turtle/TriG output through `plain_names`, line by line."""

    def __init__(self, out: IO[bytes], prefixes: Mapping[str, str]) -> None:
        self._out, self._prefixes, self._pending = out, prefixes, b""

    def write(self, data: bytes) -> int:
        text = self._pending + bytes(data)
        end = text.rfind(b"\n") + 1
        self._pending = text[end:]
        if end:
            self._out.write(plain_names(text[:end], self._prefixes))
        return len(data)

    def flush(self) -> None:
        """Write what remains (Oxigraph ends its output with a newline, so normally nothing)."""
        if self._pending:
            self._out.write(plain_names(self._pending, self._prefixes))
            self._pending = b""


def serialise_to(items: Iterable[ox.Triple] | Iterable[ox.Quad], out: IO[bytes], fmt: RdfFormat) -> None:
    """Write already sorted triples or quads to `out` in `fmt`: Turtle and TriG with the project's prefixes and
    no escapes in prefixed names (`plain_names`)."""
    if fmt not in (RdfFormat.TTL, RdfFormat.TRIG):
        ox.serialize(items, out, fmt.oxigraph)
        return
    prefixes = {k: str(v) for k, v in PREFIXES.items()}
    writer = _PlainNamesWriter(out, prefixes)
    ox.serialize(items, cast(IO[bytes], writer), fmt.oxigraph, prefixes=prefixes)
    writer.flush()


def serialise(triples: Iterable[ox.Triple] | Iterable[ox.Quad], fmt: RdfFormat = RdfFormat.TTL) -> bytes:
    """Serialise already sorted triples or quads with the project's prefixes (`serialise_to`)."""
    out = io.BytesIO()
    serialise_to(triples, out, fmt)
    return out.getvalue()


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
