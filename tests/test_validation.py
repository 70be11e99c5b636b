"""Tests for `kg.reason.validation` and `kg validate`: SHACL results with their focus node, path and message; exit
codes.

The shapes themselves are tested one by one in tests/test_ontology.py (with pySHACL directly); here, the module that
runs them on built graphs, and its own execution of the SHACL-SPARQL constraints (checked against pySHACL's).
"""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, SH, XSD, Graph, Literal, URIRef
from rdflib.namespace import Namespace

import kg.reason.validation
from kg.errors import StoreError
from kg.interfaces.cli import main
from kg.rdf.ontology import KG, KGID, ontology_graph
from kg.reason.validation import SHAPES_PATH, ShapeResult, validate, validate_graph

KGSH = Namespace("https://w3id.org/kg-news/shapes#")


@pytest.fixture(scope="module")
def seed_graph(seed_build: Path) -> Graph:
    return Graph().parse(seed_build / "graph.ttl")


def broken(seed_graph: Graph) -> Graph:
    """The sample graph with five kinds of mistakes an extractor could make."""
    g = Graph()
    g += seed_graph
    deal = next(g.subjects(RDF.type, KG.ArmsDeal))
    exercise = next(e for e in g.subjects(RDF.type, KG.MilitaryExercise) if (e, KG.name, None) in g)
    person = next(g.subjects(RDF.type, KG.Person))
    g.set((deal, KG.supplier, person))  # a person sells weapons (and no evidence says so)
    g.remove((exercise, KG.name, None))  # an exercise without a name
    g.set((deal, KG.date, Literal("2018")))  # a date as a plain string
    for attestation in list(g.subjects(RDF.predicate, KG.rivalOf)):  # a fact without its evidence
        g.remove((attestation, None, None))
    return g


def test_sample_build_conforms_and_its_report_says_so(seed_build: Path) -> None:
    report = validate(seed_build)
    assert report.conforms and report.violations == 0, report.results
    summary = json.loads((seed_build / "report.json").read_text(encoding="utf-8"))
    assert summary["conforms"] is True and summary["violations"] == 0


def test_violations_are_reported_with_focus_node_path_and_message(seed_graph: Graph) -> None:
    report = validate_graph(broken(seed_graph))
    assert not report.conforms
    found = {(r.severity, r.focus.split("/")[0], r.path) for r in report.results}
    assert {
        ("Violation", "kgid:deal", "kg:supplier"),  # supplier must be a state or an organisation…
        ("Violation", "kgid:exercise", "kg:name"),
        ("Violation", "kgid:deal", "kg:date"),
        ("Violation", "kgid:Q668", "kg:rivalOf"),  # India rival of Pakistan, without evidence
    } <= found
    for result in report.results:
        assert result.focus and result.path and result.message
        assert str(result).startswith(f"{result.severity}: {result.focus} {result.path}: ")
    supplier = [r for r in report.results if r.path == "kg:supplier"]
    assert {r.message for r in supplier} >= {"The kg:supplier of an arms deal must be a kg:State or a kg:Organisation."}
    assert any(r.message.startswith("The fact kgid:deal/") and " kg:supplier kgid:person/" in r.message
               for r in supplier)


def test_results_are_sorted_violations_first(seed_graph: Graph) -> None:
    g = broken(seed_graph)
    exercise = next(g.subjects(RDF.type, KG.MilitaryExercise))
    for attestation in list(g.subjects(RDF.subject, exercise)):
        if (attestation, RDF.predicate, KG.participant) in g:
            g.remove((attestation, None, None))
    g.remove((exercise, KG.participant, None))
    results = validate_graph(g).results
    assert [r.severity for r in results] == sorted((r.severity for r in results), key=["Violation", "Warning"].index)
    assert any(r.severity == "Warning" and r.path == "kg:participant" for r in results)


def test_sparql_constraints_give_what_pyshacl_gives(seed_graph: Graph) -> None:
    """kg.reason.validation runs the shapes' SHACL-SPARQL constraints itself, in Oxigraph; pySHACL agrees."""
    data = broken(seed_graph)
    data.add((KGID.Q159, KG.memberOf, KGID.Q7184))  # no evidence either
    shapes = Graph().parse(SHAPES_PATH)
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology_graph(), inference="none")
    assert isinstance(results, Graph)
    short = kg.reason.validation._short
    theirs = {(short(results.value(r, SH.focusNode)), short(results.value(r, SH.resultPath)),
               short(results.value(r, SH.value)))
              for r in results.subjects(RDF.type, SH.ValidationResult)
              if results.value(r, SH.sourceShape) == KGSH.AttestedFactShape}
    ours = {(r.focus, r.path, r.value) for r in validate_graph(data).results if r.message.startswith("The fact ")}
    assert ours == theirs
    assert ("kgid:Q159", "kg:memberOf", "kgid:Q7184") in ours


def test_attested_literal_matches_the_same_literal_typed_as_string(seed_graph: Graph) -> None:
    g = Graph()
    g += seed_graph
    deal = next(g.subjects(RDF.type, KG.ArmsDeal))
    status = g.value(deal, KG.status)
    g.set((deal, KG.status, Literal(str(status), datatype=XSD.string)))
    assert validate_graph(g).conforms


def test_attested_value_must_be_the_value(seed_graph: Graph) -> None:
    g = Graph()
    g += seed_graph
    att = next(g.subjects(RDF.predicate, KG.startDate))
    subject = g.value(att, RDF.subject)
    g.set((subject, KG.startDate, Literal("2001-01", datatype=XSD.gYearMonth)))
    results = validate_graph(g).results
    assert [(r.path, r.value) for r in results] == [("kg:startDate", "2001-01")]


def test_validate_file_missing_or_unreadable(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no graph.ttl"):
        validate(tmp_path)
    with pytest.raises(StoreError, match="no such file"):
        validate(tmp_path / "nope.ttl")
    (tmp_path / "graph.ttl").write_text("kg:x kg:y .\n", encoding="utf-8")
    with pytest.raises(StoreError, match="cannot read"):
        validate(tmp_path)


def test_cli_validate_exit_codes(seed_build: Path, seed_graph: Graph, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(seed_build)]) == 0
    assert "conforms, 0 violation(s)" in capsys.readouterr().out
    bad = tmp_path / "bad.ttl"
    broken(seed_graph).serialize(bad, format="turtle")
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "does not conform" in out and "Violation: kgid:Q668 kg:rivalOf: The fact kgid:Q668 kg:rivalOf" in out
    assert main(["validate", str(tmp_path / "missing")]) == 2
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "graph.ttl").write_text("not turtle", encoding="utf-8")
    assert main(["validate", str(tmp_path)]) == 2


def test_every_property_that_needs_evidence_is_a_kg_property(seed_graph: Graph) -> None:
    shapes = Graph().parse(SHAPES_PATH)
    targeted = set(shapes.objects(KGSH.AttestedFactShape, SH.targetSubjectsOf))
    assert targeted and all(str(p).startswith(str(KG._NS)) for p in targeted)
    # every kind of fact the mapping attests is targeted, and nothing it does not attest
    attested = {p for p in seed_graph.objects(None, RDF.predicate) if str(p).startswith(str(KG._NS))}
    assert attested - {KG.wikidata} <= targeted | {URIRef(str(RDF.type))}


def test_shape_result_text() -> None:
    r = ShapeResult("Warning", "kgid:x", "kg:participant", "A military exercise should have …", None)
    assert str(r) == "Warning: kgid:x kg:participant: A military exercise should have …"
    assert str(ShapeResult("Violation", "kgid:x", None, "m")) == "Violation: kgid:x: m"


def test_docstring_examples_run() -> None:
    failed, _ = doctest.testmod(kg.reason.validation, optionflags=doctest.ELLIPSIS)
    assert failed == 0
