"""Turtle that other parsers accept, byte-for-byte deterministic, with hostile literals intact."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import XSD, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic

from kg.rdf.serialise import RdfFormat, serialise, sorted_triples, write_graph

HOSTILE = ['quote " and \\ backslash', "line\nbreak\tand tab", "emoji 🚀🇫🇷", "עברית right-to-left", "ctrl \x01\x7f",
           "x" * 20000, '"""triple"""', "'single'", "}{ ; DROP ALL ; #"]


def hostile_graph() -> Graph:
    g = Graph()
    s = URIRef("https://w3id.org/kg-news/id/test")
    for i, text in enumerate(HOSTILE):
        g.add((s, URIRef(f"https://w3id.org/kg-news/ontology#p{i}"), Literal(text)))
    g.add((s, URIRef("https://w3id.org/kg-news/ontology#fr"), Literal("l'Inde « et » le Pakistan", lang="fr")))
    g.add((s, URIRef("https://w3id.org/kg-news/ontology#one"), Literal(Decimal("1"), datatype=XSD.decimal)))
    g.add((s, URIRef("https://w3id.org/kg-news/ontology#half"), Literal(Decimal("0.5"), datatype=XSD.decimal)))
    return g


def parse_with(tool: str, path: Path) -> int:
    """Number of triples a command-line parser reads; fails the test on any warning or error."""
    cmd = {"rapper": ["rapper", "-q", "-i", "turtle", "-o", "ntriples", str(path)],
           "serdi": ["serdi", "-i", "turtle", "-o", "ntriples", str(path)]}[tool]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert result.returncode == 0 and not result.stderr.strip(), f"{tool}: {result.stderr[:500]}"
    return sum(1 for line in result.stdout.splitlines() if line.strip())


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "graph.ttl"
    write_graph(hostile_graph(), path)
    return path


@pytest.mark.parametrize("tool", ["rapper", "serdi"])
def test_hostile_literals_parse_in_other_tools(tool: str, hostile_file: Path) -> None:
    assert parse_with(tool, hostile_file) == len(hostile_graph())


def test_hostile_literals_round_trip(hostile_file: Path) -> None:
    back = Graph().parse(hostile_file, format="turtle")
    original = hostile_graph()
    if not isomorphic(back, original):
        _, only_back, only_original = graph_diff(back, original)
        pytest.fail(f"differs: {sorted(only_back)[:3]} vs {sorted(only_original)[:3]}")


def test_decimals_keep_their_lexical_form(hostile_file: Path) -> None:
    text = hostile_file.read_text(encoding="utf-8")
    assert '"1"^^xsd:decimal' in text or " 1 " in text or "1 ;" in text or "1 ." in text
    assert "1.0" not in text


@pytest.mark.slow
@pytest.mark.parametrize("tool", ["rapper", "serdi", "pyoxigraph"])
def test_built_graphs_parse_in_other_tools(tool: str, seed_build: Path, dev_build: Path) -> None:
    for build in (seed_build, dev_build):
        path = build / "graph.ttl"
        if tool == "pyoxigraph":
            assert len(list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))) > 100
        else:
            assert parse_with(tool, path) == len(Graph().parse(path, format="turtle"))


def test_serialisation_is_deterministic() -> None:
    g = hostile_graph()
    reordered = Graph()
    for triple in sorted(g, reverse=True):
        reordered.add(triple)
    assert serialise(sorted_triples(g)) == serialise(sorted_triples(reordered))


@pytest.mark.parametrize("fmt", list(RdfFormat))
def test_every_format_parses_back(fmt: RdfFormat) -> None:
    data = serialise(sorted_triples(hostile_graph()), fmt)
    if fmt is RdfFormat.NQ:
        assert len(list(ox.parse(data, format=ox.RdfFormat.N_QUADS))) == len(hostile_graph())
    else:
        assert len(list(ox.parse(data, format=fmt.oxigraph))) == len(hostile_graph())
