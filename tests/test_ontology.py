"""Tests for the ontology (`ontology/kg.ttl`), its SHACL shapes (`ontology/shapes.ttl`) and `kg.rdf.ontology`."""

from __future__ import annotations

import html
import importlib.util
import inspect
import re
from collections.abc import Callable
from decimal import Decimal

import owlrl
import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, SH, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from kg.rdf.ontology import KG, KGID, ONTOLOGY_DIR, SEM, WD, WDT, ontology_graph

NS = str(KG._NS)
KG_TERMS = sorted(inspect.get_annotations(KG))
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
# A plain Namespace: pytest probes module globals for attributes, and rdflib's XSD warns on unknown names.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")  # where owlrl reports inconsistencies


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return ontology_graph()


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")


def declared_terms(g: Graph) -> set[str]:
    """Local names of the kg classes and properties that `g` declares."""
    return {str(s)[len(NS) :] for t in TERM_TYPES for s in g.subjects(RDF.type, t) if str(s).startswith(NS)}


# ----------------------------------------------------------------------------------------------------------
# The KG namespace mirrors kg.ttl


def test_ontology_has_header_with_version_iri(ontology: Graph) -> None:
    onto = URIRef("https://w3id.org/kg-news/ontology")
    assert (onto, RDF.type, OWL.Ontology) in ontology
    assert (onto, OWL.versionIRI, URIRef("https://w3id.org/kg-news/ontology/0.1.0")) in ontology


def test_every_declared_term_is_in_kg_namespace_and_vice_versa(ontology: Graph) -> None:
    assert declared_terms(ontology) == set(KG_TERMS)


def test_every_kg_iri_used_in_ontology_and_shapes_is_declared(ontology: Graph, shapes: Graph) -> None:
    used = {
        str(term)[len(NS) :]
        for g in (ontology, shapes)
        for triple in g
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(NS)
    }
    assert used <= declared_terms(ontology)


def test_unknown_term_raises_instead_of_minting_an_iri() -> None:
    with pytest.raises(AttributeError):
        KG.Nonexistent  # noqa: B018
    with pytest.raises(AttributeError):
        KG.militaryExercise  # noqa: B018


def test_terms_are_iris_in_the_stable_namespace() -> None:
    assert KG.MilitaryExercise == URIRef("https://w3id.org/kg-news/ontology#MilitaryExercise")
    assert KGID["state/FR"] == URIRef("https://w3id.org/kg-news/id/state/FR")


def test_ontology_graph_returns_a_fresh_graph_each_time() -> None:
    first = ontology_graph()
    first.add((KG.Article, RDFS.comment, Literal("scratch")))
    assert (KG.Article, RDFS.comment, Literal("scratch")) not in ontology_graph()


# ----------------------------------------------------------------------------------------------------------
# Documentation: labels and definitions in English and French


@pytest.mark.parametrize("term", KG_TERMS)
@pytest.mark.parametrize("annotation", [RDFS.label, SKOS.definition])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_term_has_label_and_definition_in_english_and_french(
    ontology: Graph, term: str, annotation: URIRef, lang: str
) -> None:
    values = [
        o for o in ontology.objects(KG[term], annotation) if isinstance(o, Literal) and o.language == lang
    ]
    assert len(values) == 1, f"kg:{term} needs one {annotation} @{lang}, has {values}"
    assert str(values[0]).strip()


@pytest.fixture(scope="module")
def documentation() -> str:
    """docs/ontology.html as rendered now by scripts/build_docs.py (pyLODE)."""
    pytest.importorskip("pylode")
    spec = importlib.util.spec_from_file_location("build_docs", ONTOLOGY_DIR.parent / "scripts" / "build_docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.render())


def test_docs_are_up_to_date(documentation: str) -> None:
    checked_in = (ONTOLOGY_DIR.parent / "docs" / "ontology.html").read_text(encoding="utf-8")
    assert checked_in == documentation, "docs/ontology.html is out of date: run python scripts/build_docs.py"


@pytest.mark.parametrize("term", KG_TERMS)
def test_docs_show_every_term_in_english_and_french(ontology: Graph, documentation: str, term: str) -> None:
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", documentation)).split())
    assert f'id="{term}"' in documentation
    for annotation in (RDFS.label, SKOS.definition):
        for value in ontology.objects(KG[term], annotation):
            assert " ".join(str(value).split()) in text, (term, annotation, value.language)


# ----------------------------------------------------------------------------------------------------------
# Axioms


@pytest.mark.parametrize(
    ("prop", "inverse"), [(KG.memberOf, KG.hasMember), (KG.participant, KG.participatesIn)]
)
def test_inverse_properties_are_declared(ontology: Graph, prop: URIRef, inverse: URIRef) -> None:
    assert (prop, OWL.inverseOf, inverse) in ontology


@pytest.mark.parametrize(
    ("prop", "characteristic"),
    [
        (KG.rivalOf, OWL.SymmetricProperty),
        (KG.alliedWith, OWL.SymmetricProperty),
        (KG.coMemberOf, OWL.SymmetricProperty),
        (KG.rivalOf, OWL.IrreflexiveProperty),
        (KG.alliedWith, OWL.IrreflexiveProperty),
        (KG.coMemberOf, OWL.IrreflexiveProperty),
        (KG.locatedIn, OWL.TransitiveProperty),
    ],
)
def test_property_characteristics(ontology: Graph, prop: URIRef, characteristic: URIRef) -> None:
    assert (prop, RDF.type, characteristic) in ontology


@pytest.mark.parametrize(
    "forbidden", [OWL.equivalentProperty, OWL.propertyChainAxiom, OWL.sameAs, OWL.unionOf, OWL.imports]
)
def test_ontology_avoids_axioms_that_would_leak_or_leave_owl_rl(ontology: Graph, forbidden: URIRef) -> None:
    assert (None, forbidden, None) not in ontology


@pytest.mark.parametrize(
    ("prop", "wikidata"),
    [
        (KG.memberOf, WDT.P463),
        (KG.participant, WDT.P710),
        (KG.participatesIn, WDT.P1344),
        (KG.country, WDT.P17),
        (KG.location, WDT.P276),
        (KG.startDate, WDT.P580),
        (KG.endDate, WDT.P582),
        (KG.date, WDT.P585),
    ],
)
def test_wikidata_alignment_is_subproperty_only(ontology: Graph, prop: URIRef, wikidata: URIRef) -> None:
    assert set(ontology.predicates(prop, wikidata)) == {RDFS.subPropertyOf}


@pytest.mark.parametrize(
    ("term", "parent"),
    [
        (KG.participant, SEM.hasActor),
        (KG.location, SEM.hasPlace),
        (KG.startDate, SEM.hasBeginTimeStamp),
        (KG.endDate, SEM.hasEndTimeStamp),
        (KG.date, SEM.hasTimeStamp),
        (KG.host, KG.country),
        (KG.Actor, SEM.Actor),
        (KG.Place, SEM.Place),
        (KG.Event, SEM.Event),
    ],
)
def test_sem_alignment_and_host_as_country(ontology: Graph, term: URIRef, parent: URIRef) -> None:
    assert (term, RDFS.subPropertyOf, parent) in ontology or (term, RDFS.subClassOf, parent) in ontology


def test_wikidata_link_is_exact_match_not_same_as(ontology: Graph) -> None:
    assert set(ontology.objects(KG.wikidata, RDFS.subPropertyOf)) == {SKOS.exactMatch}


@pytest.mark.parametrize(
    ("prop", "domain", "range_"),
    [
        (KG.participant, KG.Event, KG.Actor),
        (KG.organiser, KG.MilitaryExercise, KG.Actor),
        (KG.host, KG.MilitaryExercise, KG.State),
        (KG.location, KG.Event, KG.Place),
        (KG.locatedIn, KG.Place, KG.Place),
        (KG.country, None, KG.State),  # no domain: places and events have a country
        (KG.supplier, KG.ArmsDeal, KG.Actor),
        (KG.recipient, KG.ArmsDeal, KG.Actor),
        (KG.item, KG.ArmsDeal, KG.WeaponSystem),
        (KG.member, KG.Membership, KG.Actor),
        (KG.organisation, KG.Membership, KG.Organisation),
        (KG.memberOf, KG.Actor, KG.Organisation),
        (KG.party, KG.Rivalry, KG.State),
        (KG.rivalOf, KG.State, KG.State),
        (KG.alliedWith, KG.State, KG.State),
        (KG.coMemberOf, KG.State, KG.State),
        (KG.affiliation, KG.Person, KG.Actor),
        (KG.article, KG.Attestation, KG.Article),
        (KG.reportedIn, KG.Event, KG.Article),
        (KG.confidence, KG.Attestation, XSD.decimal),
        (KG.startChar, KG.Attestation, XSD.integer),
        (KG.status, KG.ArmsDeal, XSD.string),
        (KG.membershipKind, KG.Membership, XSD.string),
    ],
)
def test_domain_and_range(ontology: Graph, prop: URIRef, domain: URIRef | None, range_: URIRef) -> None:
    assert set(ontology.objects(prop, RDFS.domain)) == ({domain} if domain else set())
    assert set(ontology.objects(prop, RDFS.range)) == {range_}


# ----------------------------------------------------------------------------------------------------------
# SHACL shapes

CONFORMING = """
@prefix kg:   <https://w3id.org/kg-news/ontology#> .
@prefix kgid: <https://w3id.org/kg-news/id/> .
@prefix rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .

kgid:article-1 a kg:Article .
kgid:france a kg:State .
kgid:india a kg:State .
kgid:finland a kg:State .
kgid:nato a kg:MilitaryAlliance .
kgid:dassault a kg:Organisation .
kgid:rafale-m a kg:WeaponSystem .
kgid:macron a kg:Person ; kg:role "président"@fr ; kg:affiliation kgid:france .

kgid:deal-1 a kg:ArmsDeal ;
    kg:supplier kgid:dassault ; kg:recipient kgid:india ; kg:item kgid:rafale-m ;
    kg:status "signed" ; kg:quantity 26 ; kg:value 6.5 ; kg:currency "EUR" ;
    kg:date "2025-04"^^xsd:gYearMonth ; kg:reportedIn kgid:article-1 .

kgid:orion-26 a kg:MilitaryExercise ;
    kg:name "Orion 26"@fr ; kg:participant kgid:france ; kg:host kgid:france ;
    kg:startDate "2026-02-08"^^xsd:date ; kg:endDate "2026"^^xsd:gYear ; kg:reportedIn kgid:article-1 .

kgid:membership-1 a kg:Membership ;
    kg:member kgid:finland ; kg:organisation kgid:nato ; kg:membershipKind "joined" ;
    kg:date "2023-04-04"^^xsd:date ; kg:reportedIn kgid:article-1 .

kgid:attestation-1 a kg:Attestation ;
    kg:article kgid:article-1 ; kg:rule "exercise_named" ; kg:confidence 0.9 ;
    kg:startChar 12 ; kg:endChar 20 ;
    kg:sentence "L'exercice Orion 26 débute en février."@fr ; kg:surfaceForm "Orion 26"@fr ;
    rdf:subject kgid:orion-26 ; rdf:predicate kg:name ; rdf:object "Orion 26"@fr .
"""

DEAL = KGID["deal-1"]
ORION = KGID["orion-26"]
MEMBERSHIP = KGID["membership-1"]
ATTESTATION = KGID["attestation-1"]


KGSH = Namespace("https://w3id.org/kg-news/shapes#")
UNATTESTED = {KG.reportedIn, KG.wikidata, KG.country}  # reference data and provenance: no attestation needed


def attest(g: Graph, s: Node, p: URIRef, o: Node) -> None:
    """Add a second attestation, from kgid:article-1, for the fact (s, p, o)."""
    node = KGID[f"attestation-{len(g)}"]
    for prop, value in [(RDF.type, KG.Attestation), (RDF.subject, s), (RDF.predicate, p), (RDF.object, o),
                        (KG.article, KGID["article-1"]), (KG.rule, Literal("test")),
                        (KG.confidence, Literal(Decimal("1"))), (KG.startChar, Literal(0)), (KG.endChar, Literal(1))]:
        g.add((node, prop, value))


def conforming_data() -> Graph:
    """CONFORMING, with one more attestation for every fact the shapes want evidence for (so that taking
    attestation-1 apart leaves Orion's name attested)."""
    g = Graph().parse(data=CONFORMING, format="turtle")
    shapes = Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")
    props = set(shapes.objects(KGSH.AttestedFactShape, SH.targetSubjectsOf))
    subjects = {s for s, p, _ in g if p in props}
    for s, p, o in list(g):
        if s in subjects and str(p).startswith(NS) and p not in UNATTESTED:
            attest(g, s, p, o)
    return g


def replace_fact(g: Graph, s: Node, p: URIRef, o: Node) -> None:
    """Change the value of a fact and the evidence with it, as a wrong reading of an article would."""
    g.set((s, p, o))
    for node in g.subjects(RDF.subject, s):
        if (node, RDF.predicate, p) in g:
            g.set((node, RDF.object, o))


Result = tuple[Node | None, Node | None, Node | None]


def report(data: Graph, shapes: Graph, ontology: Graph) -> tuple[bool, set[Result]]:
    """Validate `data`; return whether it conforms and its results as (focus node, path, severity)."""
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none")
    assert isinstance(results, Graph)
    found = {
        (results.value(r, SH.focusNode), results.value(r, SH.resultPath), results.value(r, SH.resultSeverity))
        for r in results.subjects(RDF.type, SH.ValidationResult)
    }
    return bool(conforms), found


def english(g: Graph, node: Node, prop: URIRef) -> list[Literal]:
    return [o for o in g.objects(node, prop) if isinstance(o, Literal) and o.language == "en"]


def test_every_shape_has_an_english_name_and_message(shapes: Graph) -> None:
    all_shapes = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
        shapes.subjects(RDF.type, SH.PropertyShape)
    )
    assert len(all_shapes) > 10
    for shape in all_shapes:
        assert english(shapes, shape, SH.name), shape
        if (shape, SH.property, None) not in shapes:  # node shapes that only group property shapes have no
            assert english(shapes, shape, SH.message), shape  # constraint of their own to report


def test_shapes_are_valid_shacl(shapes: Graph) -> None:
    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=shapes, meta_shacl=True)
    assert conforms, text


def test_conforming_data_passes(shapes: Graph, ontology: Graph) -> None:
    conforms, found = report(conforming_data(), shapes, ontology)
    assert conforms, found


Mutation = Callable[[Graph], object]


def _supplier_is_person(g: Graph) -> None:
    replace_fact(g, DEAL, KG.supplier, KGID.macron)


def _status_as_typed_string(g: Graph) -> None:
    g.set((DEAL, KG.status, Literal("signed", datatype=XSD.string)))  # its evidence says "signed", the same literal


def _supplier_is_military_alliance(g: Graph) -> None:
    replace_fact(g, DEAL, KG.supplier, KGID.nato)


@pytest.mark.parametrize("mutate", [_status_as_typed_string, _supplier_is_military_alliance])
def test_variants_that_still_conform(shapes: Graph, ontology: Graph, mutate: Mutation) -> None:
    data = conforming_data()
    mutate(data)
    conforms, found = report(data, shapes, ontology)
    assert conforms, found


def _without_evidence(s: URIRef, p: URIRef) -> Mutation:
    def mutate(g: Graph) -> None:
        for node in list(g.subjects(RDF.subject, s)):
            if (node, RDF.predicate, p) in g:
                g.remove((node, None, None))

    return mutate


VIOLATIONS: list[tuple[str, Mutation, URIRef, URIRef]] = [
    ("fact without attestation", _without_evidence(DEAL, KG.item), DEAL, KG.item),
    ("membership fact without attestation", _without_evidence(MEMBERSHIP, KG.member), MEMBERSHIP, KG.member),
    ("fact added without evidence", lambda g: g.add((DEAL, KG.quantity, Literal(30))), DEAL, KG.quantity),
    (
        "evidence for another value",
        lambda g: g.set((KGID.macron, KG.affiliation, KGID.india)),
        KGID.macron,
        KG.affiliation,
    ),
    ("arms deal supplier is a person", _supplier_is_person, DEAL, KG.supplier),
    ("arms deal status unknown", lambda g: g.set((DEAL, KG.status, Literal("pending"))), DEAL, KG.status),
    ("attestation without rule", lambda g: g.remove((ATTESTATION, KG.rule, None)), ATTESTATION, KG.rule),
    (
        "attestation without article",
        lambda g: g.remove((ATTESTATION, KG.article, None)),
        ATTESTATION,
        KG.article,
    ),
    (
        "confidence above one",
        lambda g: g.set((ATTESTATION, KG.confidence, Literal(Decimal("1.5")))),
        ATTESTATION,
        KG.confidence,
    ),
    (
        "confidence as a float (xsd:double)",
        lambda g: g.set((ATTESTATION, KG.confidence, Literal(0.9))),
        ATTESTATION,
        KG.confidence,
    ),
    (
        "negative start offset",
        lambda g: g.set((ATTESTATION, KG.startChar, Literal(-1))),
        ATTESTATION,
        KG.startChar,
    ),
    (
        "start offset after end offset",
        lambda g: g.set((ATTESTATION, KG.startChar, Literal(30))),
        ATTESTATION,
        KG.startChar,
    ),
    (
        "attestation without subject",
        lambda g: g.remove((ATTESTATION, RDF.subject, None)),
        ATTESTATION,
        RDF.subject,
    ),
    ("date as a plain string", lambda g: g.set((DEAL, KG.date, Literal("2025"))), DEAL, KG.date),
    (
        "start date as a datetime",
        lambda g: g.set((ORION, KG.startDate, Literal("2026-02-08T00:00:00", datatype=XSD.dateTime))),
        ORION,
        KG.startDate,
    ),
    ("exercise without name", lambda g: g.remove((ORION, KG.name, None)), ORION, KG.name),
    ("event without article", lambda g: g.remove((ORION, KG.reportedIn, None)), ORION, KG.reportedIn),
    (
        "membership without organisation",
        lambda g: g.remove((MEMBERSHIP, KG.organisation, None)),
        MEMBERSHIP,
        KG.organisation,
    ),
    (
        "membership with two members",
        lambda g: g.add((MEMBERSHIP, KG.member, KGID.france)),
        MEMBERSHIP,
        KG.member,
    ),
    (
        "membership kind unknown",
        lambda g: g.set((MEMBERSHIP, KG.membershipKind, Literal("suspended"))),
        MEMBERSHIP,
        KG.membershipKind,
    ),
]


@pytest.mark.parametrize(
    ("mutate", "focus", "path"), [case[1:] for case in VIOLATIONS], ids=[case[0] for case in VIOLATIONS]
)
def test_invalid_data_is_reported_as_violation_at_focus_node(
    shapes: Graph, ontology: Graph, mutate: Mutation, focus: URIRef, path: URIRef
) -> None:
    data = conforming_data()
    mutate(data)
    conforms, found = report(data, shapes, ontology)
    assert not conforms
    assert found == {(focus, path, SH.Violation)}


def test_exercise_without_participant_is_only_a_warning(shapes: Graph, ontology: Graph) -> None:
    data = conforming_data()
    data.remove((ORION, KG.participant, None))
    _, found = report(data, shapes, ontology)
    assert found == {(ORION, KG.participant, SH.Warning)}


def test_arms_deal_without_supplier_or_recipient_is_only_a_warning(shapes: Graph, ontology: Graph) -> None:
    data = conforming_data()
    data.remove((DEAL, KG.supplier, None))
    data.remove((DEAL, KG.recipient, None))
    _, found = report(data, shapes, ontology)
    assert found == {(DEAL, None, SH.Warning)}


# ----------------------------------------------------------------------------------------------------------
# OWL 2 RL reasoning with owlrl

REASONING = """
@prefix kg:   <https://w3id.org/kg-news/ontology#> .
@prefix kgid: <https://w3id.org/kg-news/id/> .
@prefix wd:   <http://www.wikidata.org/entity/> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .

kgid:finland kg:memberOf kgid:nato ; kg:wikidata wd:Q33 .
kgid:sweden kg:memberOf kgid:nato .
kgid:france kg:rivalOf kgid:russia .
kgid:brest kg:locatedIn kgid:brittany .
kgid:brittany kg:locatedIn kgid:france .
kgid:deal-1 kg:supplier kgid:dassault ; kg:item kgid:rafale-m ; kg:value 6.5 .
kgid:attestation-1 kg:article kgid:article-1 ; kg:confidence 0.9 ; kg:startChar 0 .
kgid:orion-26 kg:host kgid:france ; kg:participant kgid:belgium ; kg:startDate "2026-02"^^xsd:gYearMonth .
"""


@pytest.fixture(scope="module")
def closure(ontology: Graph) -> Graph:
    g = Graph()
    for triple in ontology:
        g.add(triple)
    g.parse(data=REASONING, format="turtle")
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    return g


@pytest.mark.parametrize(
    "triple",
    [
        (KGID.nato, KG.hasMember, KGID.finland),
        (KGID.belgium, KG.participatesIn, KGID["orion-26"]),
        (KGID.russia, KG.rivalOf, KGID.france),
        (KGID.brest, KG.locatedIn, KGID.france),
        (KGID.finland, WDT.P463, KGID.nato),
        (KGID["orion-26"], WDT.P580, Literal("2026-02", datatype=XSD.gYearMonth)),
    ],
    ids=["inverse", "inverse of participant", "symmetric", "transitive", "wikidata superproperty", "date"],
)
def test_owlrl_derives(closure: Graph, triple: tuple[Node, Node, Node]) -> None:
    assert triple in closure


@pytest.mark.parametrize(
    ("node", "cls"),
    [
        (KGID["deal-1"], KG.ArmsDeal),
        (KGID["deal-1"], KG.Event),
        (KGID.dassault, KG.Actor),
        (KGID["rafale-m"], KG.WeaponSystem),
        (KGID["orion-26"], KG.MilitaryExercise),
        (KGID.france, KG.State),
        (KGID.france, KG.Place),
        (KGID.nato, KG.Organisation),
        (KGID.brittany, KG.Place),
        (KGID["attestation-1"], KG.Attestation),
        (KGID["article-1"], KG.Article),
    ],
)
def test_owlrl_types_untyped_nodes_from_domains_and_ranges(closure: Graph, node: URIRef, cls: URIRef) -> None:
    assert (node, RDF.type, cls) in closure


def test_owlrl_closure_is_consistent_and_merges_nothing(closure: Graph) -> None:
    assert list(closure.objects(None, ERR.error)) == []
    merged = {(s, o) for s, o in closure.subject_objects(OWL.sameAs) if s != o}
    assert merged == set()
    assert (KGID.finland, SKOS.exactMatch, WD.Q33) in closure


def test_owlrl_does_not_make_a_state_its_own_ally_or_co_member(closure: Graph) -> None:
    # No property chain: alliedWith and coMemberOf come from the project's rules, never from the ontology.
    assert (None, KG.alliedWith, None) not in closure
    assert (None, KG.coMemberOf, None) not in closure


def test_owlrl_reports_a_state_allied_with_itself(ontology: Graph) -> None:
    g = Graph()
    for triple in ontology:
        g.add(triple)
    g.add((KGID.france, KG.alliedWith, KGID.france))
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    assert any("Irreflexive" in str(m) for m in g.objects(None, ERR.error))
