"""Turtle written from sorted N-Triples text (`kg.rdf.turtle`) is byte for byte what Oxigraph's serializer and
`plain_names` write (`kg.rdf.serialise.serialise_to`), on hostile terms, any mix of them and lines not written
by Oxigraph."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kg.rdf.turtle as turtle
from kg.rdf.mapping import PREFIXES
from kg.rdf.serialise import RdfFormat, serialise_to
from kg.rdf.turtle import TurtleWriter, write_turtle

KGID = "https://w3id.org/kg-news/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
IRIS = [f"{KGID}Q142", f"{KGID}article/a1", f"{KGID}", f"{KGID}a.", f"{KGID}.a", f"{KGID}-a", f"{KGID}_a",
        f"{KGID}1", f"{KGID}a%20b", f"{KGID}a~b", f"{KGID}é", f"{KGID}a·", f"{KGID}·a", f"{KGID}:a", f"{KGID}a:b",
        f"{KGID}x×y", f"{KGID}日本", f"{KGID}a'b", f"{KGID}a(b)", f"{KGID}a@b",
        "http://www.wikidata.org/prop/qualifier/value/P1", "http://www.wikidata.org/prop/qualifier/value/",
        "http://www.wikidata.org/prop/qualifier/value/a/b", "http://www.wikidata.org/prop/qualifier/P2",
        "http://www.wikidata.org/prop/P3", "http://www.wikidata.org/entity/Q1", "https://w3id.org/kg-news/ontology#p",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", f"{XSD}integer", "urn:x:y", "http://example.org/a b"[:-2]]
TEXTS = ['quote " and \\ backslash', "line\nbreak\tand tab\r\x08\x0c", "emoji 🚀🇫🇷", "ctrl \x01\x1f\x7f \ufffe\uffff",
         "", "'single'", "}{ ; DROP ALL ; # <https://w3id.org/kg-news/id/x> kgid:a\\/b", "x" * 300]
LEXICAL = ["1", "+1", "-0", "01", "1.0", ".5", "1.", "1e3", "1.5E-2", ".5e1", "e3", "true", "false", "TRUE", "x", ""]
DATATYPES = [f"{XSD}{name}" for name in ("integer", "decimal", "double", "boolean", "float", "date")] + [
    f"{KGID}type/a", "urn:x:dt"]


def nodes() -> st.SearchStrategy[ox.NamedNode | ox.BlankNode]:
    return st.one_of(st.sampled_from(IRIS).map(ox.NamedNode),
                     st.sampled_from(["b0", "b1", "x.y", "B_2"]).map(ox.BlankNode))


def literals() -> st.SearchStrategy[ox.Literal]:
    text = st.one_of(st.sampled_from(TEXTS), st.text(max_size=12))
    return st.one_of(text.map(ox.Literal),
                     st.tuples(text, st.sampled_from(["en", "fr", "en-gb", "zh-hant-tw"])).map(
                         lambda t: ox.Literal(t[0], language=t[1])),
                     st.tuples(st.sampled_from(LEXICAL), st.sampled_from(DATATYPES)).map(
                         lambda t: ox.Literal(t[0], datatype=ox.NamedNode(t[1]))))


def triples() -> st.SearchStrategy[ox.Triple]:
    return st.builds(ox.Triple, nodes(), st.sampled_from(IRIS).map(ox.NamedNode), st.one_of(nodes(), literals()))


def sorted_lines(items: list[ox.Triple]) -> bytes:
    """The triples as the build's sorted spool holds them: N-Triples as Oxigraph writes terms, sorted, unique."""
    return b"".join(sorted({f"{t.subject} {t.predicate} {t.object} .\n".encode() for t in items}))


def by_oxigraph(lines: bytes) -> bytes:
    out = io.BytesIO()
    serialise_to(ox.parse(lines, format=ox.RdfFormat.N_TRIPLES, lenient=True), out, RdfFormat.TTL)
    return out.getvalue()


def by_text(lines: bytes) -> bytes:
    out = io.BytesIO()
    write_turtle(io.BytesIO(lines), out)
    return out.getvalue()


@settings(max_examples=300, deadline=None)
@given(st.lists(triples(), max_size=40))
def test_turtle_from_text_is_oxigraphs(items: list[ox.Triple]) -> None:
    lines = sorted_lines(items)
    assert by_text(lines) == by_oxigraph(lines)


@pytest.mark.parametrize("line", [
    '<urn:x:s> <urn:x:p> "\\u0041" .',  # another spelling of "A"
    '<urn:x:s> <urn:x:p> "x"^^<http://www.w3.org/2001/XMLSchema#string> .',
    '<urn:x:s> <urn:x:p> "x"@EN .',
    '<urn:x:s>  <urn:x:p> <urn:x:o> .',
    '<urn:x:s>\t<urn:x:p>\t<urn:x:o> .',
    '<urn:x:s> <urn:x:p> <urn:x:o>.',
    '# a comment',
    '',
    '<urn:x:s> <urn:x:p> <urn:x:o> . # a comment',
    '<https://w3id.org/kg-news/id/\\u0051142> <urn:x:p> <urn:x:o> .',
])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_lines_not_written_by_oxigraph_give_the_same_bytes(line: str, where: str) -> None:
    regular = [f"<{KGID}Q{i}> <{KGID}p> <{KGID}Q{i + 1}> .\n" for i in range(10, 16)]
    at = {"first": 0, "middle": 3, "last": len(regular)}[where]
    lines = "".join(regular[:at] + [line + "\n"] + regular[at:]).encode()
    assert by_text(lines) == by_oxigraph(lines)


def test_a_last_line_without_its_newline() -> None:
    lines = f'<{KGID}Q1> <{KGID}p> "a" .\n<{KGID}Q1> <{KGID}p> "b" .'.encode()
    assert by_text(lines) == by_oxigraph(lines)


def test_no_triples_no_prefixes() -> None:
    assert by_text(b"") == by_oxigraph(b"") == b""


def test_a_file_is_read_where_it_stands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From a file (mapped, not read), in pieces written as they fill, and from a position past its start."""
    monkeypatch.setattr(turtle, "FLUSH", 3)
    lines = sorted_lines([ox.Triple(ox.NamedNode(f"{KGID}Q{i % 7}"), ox.NamedNode(IRIS[i % 5]),
                                    ox.Literal(str(i), datatype=ox.NamedNode(f"{XSD}integer"))) for i in range(60)])
    path = tmp_path / "sorted.nt"
    path.write_bytes(b"<urn:x:skipped> <urn:x:p> <urn:x:o> .\n" + lines)
    out = io.BytesIO()
    with path.open("rb") as handle:
        handle.readline()
        write_turtle(handle, out)
    assert out.getvalue() == by_oxigraph(lines)
    empty = tmp_path / "empty.nt"
    empty.write_bytes(b"")
    with empty.open("rb") as handle:
        write_turtle(handle, out := io.BytesIO())
    assert out.getvalue() == b""


def test_memory_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past `CACHE` distinct lines the caches start again; the output does not change."""
    monkeypatch.setattr(turtle, "CACHE", 4)
    lines = sorted_lines([ox.Triple(ox.NamedNode(f"{KGID}Q{i % 3}"), ox.NamedNode(IRIS[i % 4]), ox.Literal(str(i)))
                          for i in range(50)])
    writer = TurtleWriter({prefix: str(namespace) for prefix, namespace in PREFIXES.items()})
    writer.write(io.BytesIO(lines), out := io.BytesIO())
    assert out.getvalue() == by_oxigraph(lines)
    assert len(writer._predicate_of) <= 4 + 50 // 3 + 1
