"""The kg ontology as Python names: one closed namespace of terms, plus the other namespaces the graph uses.

Every class and property of `ontology/kg.ttl` is an attribute of `KG`, and nothing else is: `KG` is an
rdflib `DefinedNamespace` with `_fail = True`, so `KG.Membreship` raises `AttributeError` instead of quietly
minting a new IRI that no query or rule would ever match. `tests/test_ontology.py` checks `KG` against
`kg.ttl` both ways.

The ontology files are package resources (`ONTOLOGY_DIR`, the top-level `ontology/` shipped as
`kg.resources.ontology`), so this works from a checkout, an editable install and a wheel; nothing is read at import
time.
"""

from __future__ import annotations

from pathlib import Path

import rdflib.namespace
from rdflib import Graph, Namespace, URIRef

from kg.resources import directory

__all__ = ["KG", "KGID", "ONTOLOGY_DIR", "SCHEMA", "SEM", "WD", "WDT", "ontology_graph"]

ONTOLOGY_DIR: Path = directory("ontology")
"""The directory holding `kg.ttl` (the OWL ontology) and `shapes.ttl` (its SHACL shapes)."""

KGID = Namespace("https://w3id.org/kg-news/id/")
"""Instances (articles, states, events, attestations); not part of the ontology."""

WD = Namespace("http://www.wikidata.org/entity/")
"""Wikidata items, the objects of `KG.wikidata`."""

WDT = Namespace("http://www.wikidata.org/prop/direct/")
"""Wikidata direct properties, which some `KG` properties are sub-properties of."""

SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
"""The Simple Event Model; `KG.Event` is a subclass of `sem:Event`."""

SCHEMA = Namespace("https://schema.org/")
"""schema.org; `KG.Article` is a subclass of `schema:NewsArticle`."""


# Subclassed through its module, not imported by name: pytest probes module globals for attributes, and the
# bare DefinedNamespace base (with _warn but not _fail) would warn on each probe.
class KG(rdflib.namespace.DefinedNamespace):
    """The kg ontology, `https://w3id.org/kg-news/ontology#` (prefix `kg`), as defined in `ontology/kg.ttl`.

    >>> KG.MilitaryExercise
    rdflib.term.URIRef('https://w3id.org/kg-news/ontology#MilitaryExercise')
    >>> KG.Exercise
    Traceback (most recent call last):
    ...
    AttributeError: term 'Exercise' not in namespace 'https://w3id.org/kg-news/ontology#'
    """

    _NS = Namespace("https://w3id.org/kg-news/ontology#")
    _fail = True

    # Classes: sources and evidence
    Article: URIRef
    Attestation: URIRef
    # Classes: actors and places
    Actor: URIRef
    State: URIRef
    Organisation: URIRef
    Alliance: URIRef
    MilitaryAlliance: URIRef
    Person: URIRef
    Place: URIRef
    WeaponSystem: URIRef
    # Classes: events
    Event: URIRef
    MilitaryExercise: URIRef
    ArmsDeal: URIRef
    Membership: URIRef
    Rivalry: URIRef

    # Object properties: sources and evidence
    mentions: URIRef
    article: URIRef
    reportedIn: URIRef
    wikidata: URIRef
    # Object properties: events
    participant: URIRef
    participatesIn: URIRef
    organiser: URIRef
    host: URIRef
    location: URIRef
    locatedIn: URIRef
    country: URIRef
    # Object properties: arms deals
    supplier: URIRef
    recipient: URIRef
    item: URIRef
    # Object properties: memberships, alliances, rivalries, people
    member: URIRef
    organisation: URIRef
    memberOf: URIRef
    hasMember: URIRef
    coMemberOf: URIRef
    alliedWith: URIRef
    party: URIRef
    rivalOf: URIRef
    affiliation: URIRef

    # Datatype properties: events
    name: URIRef
    startDate: URIRef
    endDate: URIRef
    date: URIRef
    # Datatype properties: arms deals
    status: URIRef
    quantity: URIRef
    value: URIRef
    currency: URIRef
    # Datatype properties: memberships and people
    membershipKind: URIRef
    role: URIRef
    # Datatype properties: attestations
    sentence: URIRef
    surfaceForm: URIRef
    startChar: URIRef
    endChar: URIRef
    rule: URIRef
    confidence: URIRef


def ontology_graph() -> Graph:
    """Parse the kg ontology (`ontology/kg.ttl`) into a new graph.

    Each call returns a fresh graph, so callers may expand it (e.g. with owlrl) without affecting others.

    Returns:
        The ontology's triples, with its prefixes bound.

    Raises:
        FileNotFoundError: `ONTOLOGY_DIR` has no `kg.ttl` (an install without its package data).

    >>> from rdflib import RDFS
    >>> (KG.MilitaryAlliance, RDFS.subClassOf, KG.Alliance) in ontology_graph()
    True
    """
    path = ONTOLOGY_DIR / "kg.ttl"
    if not path.is_file():
        raise FileNotFoundError(f"Ontology file {path} does not exist")
    return Graph().parse(path, format="turtle")
