"""Dumps of the store: every format parses without a warning in rapper, serdi, pyoxigraph and rdflib, byte-stable."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import graph_diff, isomorphic

from kg.interfaces.cli import main
from kg.rdf.serialise import EXPORT_FORMATS, RdfFormat
from kg.rdf.terms import to_rdflib
from kg.store.dumps import export_bytes
from kg.store.triplestore import INFERRED_GRAPH, STORE_DIR, WIKIDATA_GRAPH, GraphSet, TripleStore, article_graph

XSD = "http://www.w3.org/2001/XMLSchema#"
HOSTILE = [
    'quote " and \\ backslash', "line\nbreak\r\nand\ttab", "emoji 🚀🇫🇷 and a ZWJ 👩\u200d👩\u200d👧",
    "עברית ומספרים 2018", "مرحبا بالعالم", "ctrl \x01\x02\x1f\x7f end", "x" * 100_000, '"""triple"""',
    "'single' '''", "}{ ; DROP ALL ; #", "trailing backslash \\", " leading and trailing spaces ", "",
    "@prefix x: <y> .", "a\u2028b\u2029c", "nul-free \ufeff BOM"]
TAGGED = [("l'Inde « et » le Pakistan", "fr"), ("colour", "en-GB"), ("中文", "zh-Hans-CN"), ("ελληνικά", "el")]
TYPED = [("1", "decimal"), ("1.", "decimal"), ("1.0", "decimal"), ("-0.50", "decimal"), ("+3", "integer"),
         ("007", "integer"), ("2018-05", "gYearMonth"), ("2018", "gYear"), ("1e3", "double"), ("true", "boolean")]
#: Local names (after kgid:) that Turtle can only write with backslash escapes in a prefixed name.
ESCAPED_LOCALS = ["article/000-a%20b", "end.", "-start", "x~y", "p(1)'s", "q?a=1&b=2;c", "pct%20x", "h#frag", "at@x",
                  "kg:deep/er!$*+,="]
#: Command lines that read each format and write N-Quads (or N-Triples) to standard output.
READERS = {
    "rapper": {"ttl": ["-i", "turtle"], "nt": ["-i", "ntriples"], "nq": ["-i", "nquads"], "trig": ["-i", "trig"]},
    "serdi": {"ttl": ["-i", "turtle"], "nt": ["-i", "ntriples"], "nq": ["-i", "nquads"], "trig": ["-i", "trig"]},
}


def _iri(local: str) -> ox.NamedNode:
    return ox.NamedNode(f"https://w3id.org/kg-news/{local}")


def hostile_store() -> TripleStore:
    """Two article graphs and the derived graphs, with hostile literals; a triple shared by the two articles."""
    quads = []
    s = _iri("id/test")
    for i, text in enumerate(HOSTILE):
        quads.append(ox.Quad(s, _iri(f"ontology#p{i}"), ox.Literal(text), article_graph("a.txt")))
    for i, (text, lang) in enumerate(TAGGED):
        quads.append(ox.Quad(s, _iri(f"ontology#t{i}"), ox.Literal(text, language=lang), article_graph("a.txt")))
    for i, (text, kind) in enumerate(TYPED):
        quads.append(ox.Quad(s, _iri(f"ontology#d{i}"), ox.Literal(text, datatype=ox.NamedNode(XSD + kind)),
                             article_graph("b b.txt")))
    shared = ox.Triple(_iri("id/Q668"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                       ox.Literal("India", language="en"))
    quads += [ox.Quad(*shared, article_graph("a.txt")), ox.Quad(*shared, article_graph("b b.txt"))]
    quads.append(ox.Quad(_iri("id/Q668"), _iri("ontology#allied"), _iri("id/Q30"), INFERRED_GRAPH))
    quads.append(ox.Quad(_iri("id/Q668"), _iri("ontology#wikidata"), ox.NamedNode("http://www.wikidata.org/entity/Q668"),
                         WIKIDATA_GRAPH))
    quads.append(ox.Quad(_iri("id/x%20y"), _iri("ontology#iri"), ox.NamedNode("http://example.org/é?q=a&b#f"),
                         WIKIDATA_GRAPH))
    for i, local in enumerate(ESCAPED_LOCALS):  # IRIs whose prefixed names would need backslash escapes
        quads.append(ox.Quad(_iri(f"id/{local}"), _iri(f"ontology#e{i}"), _iri(f"id/{local}"), article_graph(local)))
    store = TripleStore.open_memory()
    store.inner.extend(reversed(quads))  # inserted in some order: dumps must not depend on it
    return store


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile-dumps")
    store = hostile_store()
    paths = {}
    for fmt in EXPORT_FORMATS:
        paths[fmt.value] = folder / f"dump.{fmt.value}"
        paths[fmt.value].write_bytes(export_bytes(store, fmt))
    return paths


def read_with(tool: str, fmt: str, path: Path) -> int:
    """Statements a command-line parser reads from `path`; fails on any warning or error it prints."""
    command = [tool, *READERS[tool][fmt], "-o", "nquads", str(path)]
    if tool == "rapper":
        command.insert(1, "-q")
    result = subprocess.run(command, capture_output=True, check=False)
    assert result.returncode == 0, f"{tool} {fmt}: {result.stderr[:500]!r}"
    assert not result.stderr.strip(), f"{tool} {fmt} warned: {result.stderr[:500]!r}"
    return sum(1 for line in result.stdout.splitlines() if line.strip())


def expected_counts(store: TripleStore) -> dict[str, int]:
    merged = store.count(merged=True)
    quads = store.count()
    return {"ttl": merged, "nt": merged, "nq": quads, "trig": quads, "jsonld": quads}


@pytest.mark.parametrize("tool", ["rapper", "serdi"])
@pytest.mark.parametrize("fmt", ["ttl", "nt", "nq", "trig"])
def test_hostile_dumps_parse_in_other_tools_without_warnings(tool: str, fmt: str, hostile: dict[str, Path]) -> None:
    assert read_with(tool, fmt, hostile[fmt]) == expected_counts(hostile_store())[fmt]


@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS))
def test_hostile_dumps_parse_in_pyoxigraph(fmt: RdfFormat, hostile: dict[str, Path]) -> None:
    parsed = list(ox.parse(path=str(hostile[fmt.value]), format=fmt.oxigraph))
    assert len(parsed) == expected_counts(hostile_store())[fmt.value]


def _rdflib_graph(store: TripleStore, name: ox.NamedNode | None) -> Graph:
    graph = Graph()
    names = store.graph_names() if name is None else [name]
    for g in names:
        for q in store.inner.quads_for_pattern(None, None, None, g):
            graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return graph


def _assert_isomorphic(got: Graph, want: Graph, what: str) -> None:
    if not isomorphic(got, want):
        _, only_got, only_want = graph_diff(got, want)
        pytest.fail(f"{what}: {sorted(only_got)[:3]} vs {sorted(only_want)[:3]}")


@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS))
def test_hostile_dumps_round_trip_through_rdflib(fmt: RdfFormat, hostile: dict[str, Path]) -> None:
    store = hostile_store()
    rdflib_format = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld"}[fmt.value]
    if not fmt.keeps_graphs:
        _assert_isomorphic(Graph().parse(hostile[fmt.value], format=rdflib_format), _rdflib_graph(store, None),
                           fmt.value)
        return
    dataset = Dataset().parse(hostile[fmt.value], format=rdflib_format)
    names = sorted(str(g.identifier) for g in dataset.graphs() if len(g))
    assert names == [g.value for g in store.graph_names()]
    for name in store.graph_names():
        _assert_isomorphic(dataset.graph(to_rdflib(name)), _rdflib_graph(store, name), f"{fmt.value} {name}")


def _outside_literals(text: bytes) -> bytes:
    return re.sub(rb'"(?:[^"\\\n]|\\.)*"', b'""', text)


@pytest.mark.parametrize("fmt", ["ttl", "trig"])
def test_turtle_and_trig_write_full_iris_where_a_prefixed_name_would_need_an_escape(fmt: str,
                                                                                     hostile: dict[str, Path]) -> None:
    """Virtuoso keeps the backslash of `kgid:article\\/a1` in the IRI: such names are written `<…>`, and every
    parser reads the same statements as from N-Quads."""
    data = hostile[fmt].read_bytes()
    assert b"\\" not in _outside_literals(data)
    assert b"<https://w3id.org/kg-news/id/end.>" in data and b"kgid:test " in data  # plain names stay prefixed
    flat = "nt" if fmt == "ttl" else "nq"
    want = set(ox.parse(path=str(hostile[flat]), format=RdfFormat(flat).oxigraph))
    assert set(ox.parse(data, format=RdfFormat(fmt).oxigraph)) == want
    for tool in ("rapper", "serdi"):
        command = [tool, *READERS[tool][fmt], "-o", "nquads", str(hostile[fmt])]
        out = subprocess.run(command, capture_output=True, check=True).stdout
        assert set(ox.parse(out, format=ox.RdfFormat.N_QUADS)) == {ox.Quad(*q) if fmt == "ttl" else q for q in want}


def test_dumps_write_numbers_and_dates_in_canonical_form_and_are_byte_stable(hostile: dict[str, Path]) -> None:
    """Oxigraph keeps the value of a numeric or date literal, written in its XSD 1.1 canonical form: "1.", "1.0"
    and "1" (xsd:decimal) are all "1", never rdflib's 1.0; "+3" and "007" (xsd:integer) are 3 and 7."""
    text = hostile["nt"].read_text(encoding="utf-8")
    assert text.count(f'"1"^^<{XSD}decimal>') == 3 and f'"-0.5"^^<{XSD}decimal>' in text
    assert f'"7"^^<{XSD}integer>' in text and f'"2018-05"^^<{XSD}gYearMonth>' in text
    assert "1.0" not in hostile["ttl"].read_text(encoding="utf-8")
    for fmt in EXPORT_FORMATS:
        assert export_bytes(hostile_store(), fmt) == hostile[fmt.value].read_bytes(), fmt


def test_graph_selection_and_merging() -> None:
    store = hostile_store()
    asserted = export_bytes(store, RdfFormat.NQ, [GraphSet.ASSERTED]).decode()
    assert "graph/inferred" not in asserted and "graph/wikidata" not in asserted
    merged = export_bytes(store, RdfFormat.NT, [GraphSet.ASSERTED]).decode()
    assert merged.count('"India"@en') == 1  # the triple both articles hold, once
    assert export_bytes(store, RdfFormat.NQ).decode().count('"India"@en') == 2  # once per graph
    inferred = export_bytes(store, RdfFormat.TTL, [GraphSet.INFERRED]).decode()
    assert "allied" in inferred and "India" not in inferred


@pytest.mark.slow
@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS))
def test_dumps_of_the_sample_and_development_builds_parse_everywhere(fmt: RdfFormat, seed_build: Path,
                                                                     dev_build: Path, tmp_path: Path) -> None:
    for build in (seed_build, dev_build):
        with TripleStore.open(build / STORE_DIR, read_only=True) as store:
            data = export_bytes(store, fmt)
            assert data == export_bytes(store, fmt)
            want = expected_counts(store)[fmt.value]
        path = tmp_path / f"{build.name}.{fmt.value}"
        path.write_bytes(data)
        assert len(list(ox.parse(data, format=fmt.oxigraph))) == want
        if fmt in (RdfFormat.TTL, RdfFormat.TRIG):
            assert b"\\" not in _outside_literals(data)
        if fmt is not RdfFormat.JSONLD:  # neither raptor nor serd reads JSON-LD
            assert read_with("rapper", fmt.value, path) == want
            assert read_with("serdi", fmt.value, path) == want


@pytest.mark.slow
def test_kg_export_writes_to_standard_output_or_a_file(seed_build: Path, tmp_path: Path,
                                                       capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["export", str(seed_build), "--format", "trig", "--graphs", "asserted,inferred"]) == 0
    out = capfdbinary.readouterr().out
    target = str(tmp_path / "d.trig")
    assert main(["export", str(seed_build), "-f", "trig", "-g", "inferred,asserted", "-o", target]) == 0
    assert (tmp_path / "d.trig").read_bytes() == out
    assert main(["export", str(seed_build), "--graphs", "nonsense"]) == 1
    assert b"unknown graph set nonsense" in capfdbinary.readouterr().err
