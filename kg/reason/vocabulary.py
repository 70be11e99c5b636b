"""The kg ontology compiled for reasoning: its classes and properties with the closure of its axioms, and the rules
of `ontology/rules.ru`.

Both reasoners filter what they entail by this vocabulary (`kg.reason.reasoning.useful`), and the fast path
(`kg.reason.fastpath`) is generated from it. Any axiom the fast path does not implement is refused here, so that
the two reasoners cannot drift apart silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.term import Node

from kg.errors import ReasoningError
from kg.rdf.ontology import ONTOLOGY_DIR, ontology_graph

__all__ = ["RULES_PATH", "Vocabulary", "compile_vocabulary", "ontology", "rules"]

RULES_PATH = ONTOLOGY_DIR / "rules.ru"
_DECLARATIONS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.Ontology}
_CHARACTERISTICS = {OWL.SymmetricProperty, OWL.TransitiveProperty, OWL.IrreflexiveProperty}
_AXIOMS = {RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf}
_ANNOTATIONS = {RDFS.label, RDFS.comment, RDFS.isDefinedBy, RDFS.seeAlso, OWL.versionIRI, OWL.versionInfo}
#: Where an operation of an update text starts (rules.ru writes each at the start of a line).
OPERATION_START = re.compile(r"(?m)^(?=INSERT\b|DELETE\b)")


@dataclass(frozen=True)
class Vocabulary:
    """The ontology's classes and properties, with the closure of its axioms precomputed per term."""

    classes: frozenset[str]
    object_properties: frozenset[str]
    datatype_properties: frozenset[str]
    superclasses: Mapping[str, frozenset[str]]  # reflexive and transitive
    consequences: Mapping[str, frozenset[tuple[str, bool]]]  # x p y entails x q y (False) or y q x (True)
    domains: Mapping[str, frozenset[str]]  # of each property, closed under sub-classes
    ranges: Mapping[str, frozenset[str]]
    transitive: frozenset[str]
    irreflexive: frozenset[str]

    @property
    def properties(self) -> frozenset[str]:
        return self.object_properties | self.datatype_properties


def compile_vocabulary(ontology: Graph) -> Vocabulary:
    """The closure of the ontology's axioms, for the fast path and for filtering.

    Raises:
        ReasoningError: the ontology uses an axiom the fast path does not implement, or a term it does not declare.
    """
    declared: dict[Node, set[str]] = {}
    subclass: dict[str, set[str]] = {}
    subproperty: dict[str, set[str]] = {}
    inverse: dict[str, set[str]] = {}
    domain: dict[str, set[str]] = {}
    range_: dict[str, set[str]] = {}
    characteristic: dict[Node, set[str]] = {c: set() for c in _CHARACTERISTICS}
    tables: dict[Node, dict[str, set[str]]] = {RDFS.subClassOf: subclass, RDFS.subPropertyOf: subproperty,
                                               RDFS.domain: domain, RDFS.range: range_, OWL.inverseOf: inverse}
    for s, p, o in ontology:
        if p == RDF.type and o in _DECLARATIONS:
            declared.setdefault(o, set()).add(str(s))
        elif p == RDF.type and o in _CHARACTERISTICS:
            characteristic[o].add(str(s))
        elif p in _AXIOMS:
            if not isinstance(o, URIRef) or not isinstance(s, URIRef):
                raise ReasoningError(f"the fast reasoner handles named terms only: {s.n3()} {p.n3()} {o.n3()}")
            tables[p].setdefault(str(s), set()).add(str(o))
            if p == OWL.inverseOf:
                inverse.setdefault(str(o), set()).add(str(s))
        elif p == RDF.type or (str(p).startswith((str(OWL), str(RDFS))) and p not in _ANNOTATIONS):
            raise ReasoningError(f"the fast reasoner does not implement {p.n3()} {o.n3()} (on {s.n3()})")
    classes = declared.get(OWL.Class, set())
    objects = declared.get(OWL.ObjectProperty, set())
    datatypes = declared.get(OWL.DatatypeProperty, set())
    for kind, terms, known in (
        ("class", [*subclass, *(c for cs in subclass.values() for c in cs)], classes),
        ("property", [*subproperty, *(q for qs in subproperty.values() for q in qs), *domain, *range_],
         objects | datatypes),
        ("object property", [*inverse, *characteristic[OWL.SymmetricProperty],
                             *characteristic[OWL.TransitiveProperty], *characteristic[OWL.IrreflexiveProperty]],
         objects),
    ):
        for term in sorted(set(terms) - known):
            raise ReasoningError(f"the ontology uses {term} as a {kind} without declaring it one")
    superclasses = {c: frozenset(_reachable(c, subclass)) for c in classes}

    def typed(table: dict[str, set[str]], prop: str) -> frozenset[str]:
        # Datatypes (ranges of datatype properties) type nothing: only declared classes do.
        return frozenset(s for c in table.get(prop, ()) if c in classes for s in superclasses[c])

    consequences = {}
    for prop in objects | datatypes:
        seen = {(prop, False)}
        todo = [(prop, False)]
        while todo:
            q, flipped = todo.pop()
            nexts = [(sup, flipped) for sup in subproperty.get(q, ())]
            nexts += [(inv, not flipped) for inv in inverse.get(q, ())]
            if q in characteristic[OWL.SymmetricProperty]:
                nexts.append((q, not flipped))
            for n in nexts:
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
        consequences[prop] = frozenset(seen)
    return Vocabulary(
        classes=frozenset(classes), object_properties=frozenset(objects), datatype_properties=frozenset(datatypes),
        superclasses=superclasses, consequences=consequences,
        domains={p: typed(domain, p) for p in objects | datatypes},
        ranges={p: typed(range_, p) for p in objects},
        transitive=frozenset(characteristic[OWL.TransitiveProperty]),
        irreflexive=frozenset(characteristic[OWL.IrreflexiveProperty]))


def _reachable(start: str, edges: Mapping[str, Iterable[str]]) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@cache
def ontology() -> tuple[Graph, Vocabulary]:
    """The ontology graph (owlrl reads it) and its compiled vocabulary."""
    graph = ontology_graph()
    return graph, compile_vocabulary(graph)


@cache
def rules() -> tuple[str, frozenset[str]]:
    """The text of ontology/rules.ru and the predicates its rules insert (each rule must name them).

    Each rule must be an `INSERT … WHERE` (or `DELETE …`) starting a line, without `WITH`: the fast path runs the
    rules on a named graph of a remote store by putting a `WITH` before each (`kg.reason.fastpath.within`)."""
    from rdflib.plugins.sparql import prepareUpdate

    text = RULES_PATH.read_text(encoding="utf-8")
    operations = prepareUpdate(text).algebra
    predicates = [t[1] for op in operations if op.get("insert") for t in op.insert.triples]
    if not all(isinstance(p, URIRef) for p in predicates):
        raise ReasoningError(f"{RULES_PATH}: every rule must insert triples with a named predicate")
    starts = len(OPERATION_START.findall(text))
    if any(op.name != "Modify" or "withClause" in op for op in operations) \
            or starts != len(operations):
        raise ReasoningError(f"{RULES_PATH}: every rule must be one INSERT … WHERE (or DELETE) at the start of a "
                             f"line, without WITH ({len(operations)} operations, {starts} starting a line)")
    return text, frozenset(str(p) for p in predicates)

