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
from rdflib.term import Node

from kg.rdf.mapping import mint
from kg.rdf.ontology import KG
from kg.rdf.terms import XSD_STRING, OxigraphGraph, to_oxigraph, to_rdflib


@dataclass(frozen=True)
class Evidence:
    """The best attestation of one entity in one article, with the span it points at (IRIs as text, the span's
    values as N-Triples terms: a link's attestation is written as N-Triples lines, not as rdflib triples)."""

    article: str
    node: str
    confidence: Decimal
    rule: str
    start: int
    span: tuple[tuple[str, str], ...] = ()  # kg:sentence, kg:startChar, kg:endChar, kg:surfaceForm


_SPAN_PROPS = (KG.sentence, KG.startChar, KG.endChar, KG.surfaceForm)
_EVIDENCE_QUERY = """
SELECT ?entity ?node ?article ?confidence ?rule ?mention ?sentence ?startChar ?endChar ?surfaceForm WHERE {
  ?node a kg:Attestation ; kg:article ?article ; kg:confidence ?confidence ; rdf:predicate ?p .
  { ?node rdf:subject ?entity } UNION { ?node rdf:object ?entity }
  FILTER(isIRI(?entity) && isIRI(?node) && isIRI(?article) && isLiteral(?confidence) && ?p != kg:wikidata)
  LINKED
  BIND(?p IN (kg:mentions, kg:name) AS ?mention)
  OPTIONAL { ?node kg:rule ?rule }
  OPTIONAL { ?node kg:sentence ?sentence }
  OPTIONAL { ?node kg:startChar ?startChar }
  OPTIONAL { ?node kg:endChar ?endChar }
  OPTIONAL { ?node kg:surfaceForm ?surfaceForm }
}"""
#: With `linked_only`: the entities the gazetteer linked, the only ones whose evidence is used without an endpoint.
_LINKED = "FILTER EXISTS { ?entity kg:wikidata ?item_ }"
_XSD_INTEGER = str(XSD.integer)
_RANK = tuple[int, Decimal, int]


def evidence_by_entity(graph: Graph, *, linked_only: bool = False) -> dict[URIRef, dict[URIRef, Evidence]]:
    """Per entity and article, the strongest attestation naming the entity: a mention first, else any fact about
    it; then the highest confidence, the earliest span, the smallest node IRI (so ties do not depend on order).
    With `linked_only`, only for the entities with a `kg:wikidata` link.

    One query for the whole graph: asking per entity and property costs a round trip each, minutes on a corpus.
    On a graph held by Oxigraph (the build's `OxigraphGraph`) the query runs there, each row is ranked from the
    few columns it needs, and only the chosen rows' values become N-Triples text.
    """
    query = _EVIDENCE_QUERY.replace("LINKED", _LINKED if linked_only else "")
    rows: Iterable[Sequence[object]]
    if isinstance(graph, OxigraphGraph):
        solutions = graph.oxigraph.query(f"PREFIX kg: <{KG}>\nPREFIX rdf: <{RDF}>\n{query}")
        assert isinstance(solutions, ox.QuerySolutions)
        rows = solutions  # type: ignore[assignment]
    else:
        rows = graph.query(query, initNs={"kg": str(KG), "rdf": str(RDF)})  # type: ignore[assignment]
    best = _best_rows(rows)
    found: dict[URIRef, dict[URIRef, Evidence]] = defaultdict(dict)
    for (entity, article), (rank, node, row) in sorted(best.items()):
        values = [row[i] for i in range(6, 10)]
        span = tuple((str(prop), _ntriples(value)) for prop, value in zip(_SPAN_PROPS, values, strict=True)
                     if value is not None)
        found[URIRef(entity)][URIRef(article)] = Evidence(article, node, rank[1],
                                                           _text(row[4]) if row[4] is not None else "",
                                                           -rank[2], span)
    return found


def _best_rows(rows: Iterable[Sequence[object]]) -> dict[tuple[str, str], tuple[_RANK, str, Sequence[object]]]:
    """The best row per (entity, article) by `evidence_by_entity`'s ranking: a few columns read per row (hundreds of
    thousands of rows at 10,000 articles), decimals parsed once per lexical form."""
    best: dict[tuple[str, str], tuple[_RANK, str, Sequence[object]]] = {}
    decimals: dict[str, Decimal] = {}
    for row in rows:
        confidence, start = _text(row[3]), row[7]
        try:
            value = decimals.get(confidence)
            if value is None:
                value = decimals[confidence] = Decimal(confidence)
            rank = (int(_text(row[5]) in ("true", "1")), value, -int(_text(start)) if start is not None else 0)
        except ArithmeticError:
            continue
        key, node = (_text(row[0]), _text(row[2])), _text(row[1])
        held = best.get(key)
        if held is None or rank > held[0] or (rank == held[0] and node < held[1]):
            best[key] = (rank, node, row)
    return best


def _text(term: object) -> str:
    """The IRI or lexical form of an Oxigraph or rdflib term."""
    value = getattr(term, "value", None)
    return value if isinstance(value, str) and not isinstance(term, Literal) else str(term)


def _ntriples(term: object) -> str:
    """A span value as the N-Triples term the attestation holds: what the value becomes through rdflib, as the
    graph of the links held it (rdflib normalises some typed lexical forms); without rdflib where that changes
    nothing (strings, language-tagged strings, canonical integers), which is nearly every value."""
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if term.language or datatype == XSD_STRING or (datatype == _XSD_INTEGER and _canonical_integer(term.value)):
            return str(term)
        return str(to_oxigraph(to_rdflib(term)))
    if isinstance(term, ox.NamedNode):
        return str(term)
    return str(to_oxigraph(term if isinstance(term, Node) else to_rdflib(term)))


def _canonical_integer(text: str) -> bool:
    return text.isascii() and text.isdigit() and (text == "0" or not text.startswith("0"))


class LinkLines:
    """The attestations of links as N-Triples lines: a million at 10,000 articles, written here as text (each
    distinct literal converted once) instead of as rdflib triples."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._rules: dict[str, str] = {}
        self._confidences: dict[str, str] = {}

    def attest(self, entity: URIRef, item: URIRef, evidence: Evidence, rule: str, confidence: Decimal) -> None:
        """A kg:Attestation of `entity kg:wikidata item`, at the span of `evidence`."""
        digest = hashlib.sha1(f"{evidence.article}\x1f{entity}\x1f{item}\x1f{evidence.node}".encode()).hexdigest()
        node = f"<{mint('attestation', digest[:16])}>"
        lines = self.lines
        lines.append(f"{node} {_TYPE} {_ATTESTATION} .\n")
        lines.append(f"{node} {_SUBJECT} <{entity}> .\n")
        lines.append(f"{node} {_PREDICATE} {_WIKIDATA} .\n")
        lines.append(f"{node} {_OBJECT} <{item}> .\n")
        lines.append(f"{node} {_ARTICLE} <{evidence.article}> .\n")
        lines.extend(f"{node} <{prop}> {value} .\n" for prop, value in evidence.span)
        lines.append(f"{node} {_RULE} {self._rule(rule)} .\n")
        lines.append(f"{node} {_CONFIDENCE} {self._confidence(min(confidence, Decimal(1)))} .\n")

    def _rule(self, rule: str) -> str:
        text = self._rules.get(rule)
        if text is None:
            text = self._rules[rule] = str(ox.Literal(rule))
        return text

    def _confidence(self, value: Decimal) -> str:
        key = str(value)  # equal decimals may differ in their digits ('0.9', '0.90'), and so in their lexical form
        text = self._confidences.get(key)
        if text is None:
            text = self._confidences[key] = str(to_oxigraph(Literal(value, datatype=XSD.decimal)))
        return text


_TYPE, _SUBJECT, _PREDICATE, _OBJECT = (f"<{p}>" for p in (RDF.type, RDF.subject, RDF.predicate, RDF.object))
_ATTESTATION, _WIKIDATA, _ARTICLE, _RULE, _CONFIDENCE = (
    f"<{p}>" for p in (KG.Attestation, KG.wikidata, KG.article, KG.rule, KG.confidence))


def entity_names(graph: Graph, entity: URIRef) -> list[tuple[str, str]]:
    """(text, lang) pairs to look an entity up by: its labels and names, in English and French if untagged."""
    names: set[tuple[str, str]] = set()
    for prop in (RDFS.label, KG.name):
        for value in graph.objects(entity, prop):
            if isinstance(value, Literal) and str(value).strip():
                langs = [value.language] if value.language in ("en", "fr") else ["en", "fr"]
                names.update((str(value).strip(), lang) for lang in langs)
    return sorted(names)
