"""The evidence of a link: each linked entity's strongest mention per article, copied into a `kg:Attestation`.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef

from kg.rdf.mapping import mint
from kg.rdf.ontology import KG
from kg.rdf.terms import OxigraphGraph, to_rdflib


@dataclass(frozen=True)
class Evidence:
    """The best attestation of one entity in one article, with the span it points at."""

    article: URIRef
    node: URIRef
    confidence: Decimal
    rule: str
    start: int
    span: tuple[tuple[URIRef, Literal], ...] = ()  # kg:sentence, kg:startChar, kg:endChar, kg:surfaceForm


_SPAN_PROPS = (KG.sentence, KG.startChar, KG.endChar, KG.surfaceForm)
_EVIDENCE_QUERY = """
SELECT ?entity ?node ?article ?confidence ?rule ?mention ?sentence ?startChar ?endChar ?surfaceForm WHERE {
  ?node a kg:Attestation ; kg:article ?article ; kg:confidence ?confidence ; rdf:predicate ?p .
  { ?node rdf:subject ?entity } UNION { ?node rdf:object ?entity }
  FILTER(isIRI(?entity) && isIRI(?node) && isIRI(?article) && isLiteral(?confidence) && ?p != kg:wikidata)
  BIND(?p IN (kg:mentions, kg:name) AS ?mention)
  OPTIONAL { ?node kg:rule ?rule }
  OPTIONAL { ?node kg:sentence ?sentence }
  OPTIONAL { ?node kg:startChar ?startChar }
  OPTIONAL { ?node kg:endChar ?endChar }
  OPTIONAL { ?node kg:surfaceForm ?surfaceForm }
}"""


def evidence_by_entity(graph: Graph) -> dict[URIRef, dict[URIRef, Evidence]]:
    """Per entity and article, the strongest attestation naming the entity: a mention first, else any fact about
    it; then the highest confidence, the earliest span, the smallest node IRI (so ties do not depend on order).

    One query for the whole graph: asking per entity and property costs a round trip each, minutes on a corpus.
    On a graph held by Oxigraph (the build's `OxigraphGraph`) the query runs there and only the chosen rows become
    rdflib terms.
    """
    if isinstance(graph, OxigraphGraph):
        prefixes = f"PREFIX kg: <{KG}>\nPREFIX rdf: <{RDF}>\n"
        solutions = graph.oxigraph.query(prefixes + _EVIDENCE_QUERY)
        assert isinstance(solutions, ox.QuerySolutions)
        rows: Iterable[Sequence[object]] = (tuple(row) for row in solutions)
    else:
        rows = graph.query(_EVIDENCE_QUERY, initNs={"kg": str(KG), "rdf": str(RDF)})  # type: ignore[assignment]
    best: dict[tuple[str, str], tuple[tuple[int, Decimal, int], str, Sequence[object]]] = {}
    for row in rows:
        entity, node, article, confidence, _rule, mention, _sentence, start = row[:8]
        try:
            rank = (int(_text(mention) in ("true", "1")), Decimal(_text(confidence)),
                    -int(_text(start)) if start is not None else 0)
        except ArithmeticError:
            continue
        key = (_text(entity), _text(article))
        held = best.get(key)
        if held is None or rank > held[0] or (rank == held[0] and _text(node) < held[1]):
            best[key] = (rank, _text(node), row)
    found: dict[URIRef, dict[URIRef, Evidence]] = defaultdict(dict)
    for (entity, article), (rank, node, row) in sorted(best.items()):
        span = tuple((prop, _rdflib(value)) for prop, value in zip(_SPAN_PROPS, row[6:], strict=True)
                     if value is not None)
        found[URIRef(entity)][URIRef(article)] = Evidence(URIRef(article), URIRef(node), rank[1],
                                                           _text(row[4]) if row[4] is not None else "",
                                                           -rank[2], span)  # type: ignore[arg-type]
    return found


def _text(term: object) -> str:
    """The IRI or lexical form of an Oxigraph or rdflib term."""
    value = getattr(term, "value", None)
    return value if isinstance(value, str) and not isinstance(term, Literal) else str(term)


def _rdflib(term: object) -> Literal:
    return term if isinstance(term, Literal) else to_rdflib(term)  # type: ignore[return-value,arg-type]


def attest_link(out: Graph, entity: URIRef, item: URIRef, evidence: Evidence, rule: str,
                 confidence: Decimal) -> None:
    """A kg:Attestation of `entity kg:wikidata item`, at the span of `evidence`."""
    digest = hashlib.sha1(f"{evidence.article}\x1f{entity}\x1f{item}\x1f{evidence.node}".encode()).hexdigest()
    node = mint("attestation", digest[:16])
    out.add((node, RDF.type, KG.Attestation))
    out.add((node, RDF.subject, entity))
    out.add((node, RDF.predicate, KG.wikidata))
    out.add((node, RDF.object, item))
    out.add((node, KG.article, evidence.article))
    for prop, value in evidence.span:
        out.add((node, prop, value))
    out.add((node, KG.rule, Literal(rule)))
    out.add((node, KG.confidence, Literal(min(confidence, Decimal(1)), datatype=XSD.decimal)))


def entity_names(graph: Graph, entity: URIRef) -> list[tuple[str, str]]:
    """(text, lang) pairs to look an entity up by: its labels and names, in English and French if untagged."""
    names: set[tuple[str, str]] = set()
    for prop in (RDFS.label, KG.name):
        for value in graph.objects(entity, prop):
            if isinstance(value, Literal) and str(value).strip():
                langs = [value.language] if value.language in ("en", "fr") else ["en", "fr"]
                names.update((str(value).strip(), lang) for lang in langs)
    return sorted(names)
