"""The kg shapes compiled to SPARQL and run in Oxigraph (`kg.reason.shacl_oxigraph`, what a build validates with)
give what pySHACL gives: the same results (severity, focus node, path, value, message) on the built graphs and on
graphs broken in every way the shapes check."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, XSD, Graph, Literal, URIRef
from test_validation import broken

from kg.rdf.ontology import KG
from kg.rdf.terms import OxigraphGraph, to_oxigraph
from kg.reason.shacl_oxigraph import compile_shapes, validate_oxigraph
from kg.reason.validation import validate_graph


def _store(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph)  # type: ignore[arg-type]
    return store


def _badly_broken(graph: Graph) -> Graph:
    """`broken`, and a value out of range, ill-typed or of the wrong kind for each constraint component."""
    g = broken(graph)
    attestations = sorted(g.subjects(RDF.type, KG.Attestation))
    g.add((attestations[0], KG.confidence, Literal("1.5", datatype=XSD.decimal)))  # maxCount, maxInclusive
    g.add((attestations[0], KG.startChar, Literal("abc", datatype=XSD.integer)))  # ill-typed
    g.set((attestations[1], KG.startChar, Literal(900000)))  # not less than kg:endChar
    g.set((attestations[1], KG.rule, Literal("x", lang="en")))  # datatype
    g.add((attestations[1], KG.article, Literal("not an IRI")))  # nodeKind
    g.remove((attestations[2], KG.confidence, None))  # minCount
    deal = sorted(g.subjects(RDF.type, KG.ArmsDeal))[0]
    g.set((deal, KG.status, Literal("maybe")))  # sh:in
    g.remove((deal, KG.recipient, None))
    g.remove((deal, KG.supplier, None))  # sh:or of paths on a node shape
    exercise = sorted(g.subjects(RDF.type, KG.MilitaryExercise))[0]
    g.add((exercise, KG.endDate, Literal("2019", datatype=XSD.gYear)))
    g.add((exercise, KG.date, Literal("2019-01-02", datatype=XSD.date)))
    g.add((URIRef("urn:x:exercise"), RDF.type, KG.MilitaryExercise))  # sub-class of kg:Event: reportedIn
    return g


@pytest.mark.parametrize("kind", ["as built", "broken", "badly broken"])
@pytest.mark.parametrize("build", ["seed_build", "dev_build"])
def test_same_results_as_pyshacl(build: str, kind: str, request: pytest.FixtureRequest) -> None:
    graph = Graph().parse(request.getfixturevalue(build) / "graph.ttl")
    graph = {"as built": lambda g: g, "broken": broken, "badly broken": _badly_broken}[kind](graph)
    ours = validate_oxigraph(_store(graph))
    assert ours is not None
    theirs = validate_graph(graph)
    assert ours.results == theirs.results
    if kind != "as built":
        assert not ours.conforms


def test_unsupported_shapes_are_refused_and_the_build_validates_with_pyshacl() -> None:
    shapes = Graph().parse(data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:x:s> a sh:NodeShape ; sh:targetClass <urn:x:C> ; sh:property [ sh:path <urn:x:p> ;
            sh:pattern "^a" ; sh:message "starts with a" ] .""", format="turtle")
    assert compile_shapes(shapes, Graph()) is None


def test_the_build_graph_is_validated_in_oxigraph(seed_build: Path) -> None:
    graph = OxigraphGraph()
    graph.oxigraph.load(path=str(seed_build / "graph.ttl"), format=ox.RdfFormat.TURTLE)
    report = validate_oxigraph(graph.oxigraph, source="sample")
    assert report is not None and report.source == "sample" and report.conforms
