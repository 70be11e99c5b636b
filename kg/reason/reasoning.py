"""Reason: what a built graph entails under the kg ontology, written apart from it (stage 6).

`reason(DIR)` reads `DIR/graph.ttl` (and `DIR/wikidata.ttl` when there is one) and writes the triples they entail,
and only those, to `DIR/inferred.ttl`. Two reasoners give the same triples:

- `owlrl`, the reference: owlrl's OWL 2 RL closure (through `kg.reason.owlrl_adapter`) of the data merged with
  `ontology/kg.ttl`, then the SPARQL Update rules of `ontology/rules.ru` (co-members, allies, the country an event
  happens in), then both again until nothing changes. Slow: minutes per 100,000 triples (two owlrl passes).
- `fast`: the same closure as SPARQL Update rules run inside Oxigraph. The OWL part is compiled from the ontology's
  axioms (sub-classes, sub-properties, domains, ranges, inverse, symmetric and transitive properties; any other
  axiom is refused), so the two cannot drift apart silently; `ontology/rules.ru` is run as it is. About a second
  per 100,000 triples, 15 to 25 s per million (`python bench/reasoning.py` measures both).
- `auto` (the default): owlrl up to `AUTO_LIMIT` asserted triples, the fast path above.

Only new, useful triples are kept: an IRI subject, and either a property the ontology declares (its own, and the
Wikidata, PROV, SKOS and SEM properties it aligns to) with, for an object property, a non-literal object, or
`rdf:type` with a class it declares. So no `x owl:sameAs x`, `x a owl:Thing`, triples about the vocabulary,
datatype triples, or triples with a literal subject (which owlrl makes and no RDF parser accepts). On such triples,
both reasoners agree triple for triple (tests/test_reasoning.py); schema triples in the data (a sub-class axiom
in graph.ttl) are seen by owlrl only. Inconsistencies (a state that is its own rival) are reported, not raised.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import ReasoningError, StoreError
from kg.rdf.ontology import ONTOLOGY_DIR, ontology_graph
from kg.rdf.serialise import serialise, to_oxigraph, write_atomic
from kg.store.folderlock import write_lock

__all__ = ["AUTO_LIMIT", "INFERRED_FILE", "Inference", "Reasoner", "ReasoningReport", "infer", "reason"]

INFERRED_FILE = "inferred.ttl"
#: The files of a build folder that are reasoned over, when present (`graph.ttl` must be).
INPUT_FILES = ("graph.ttl", "wikidata.ttl")
#: `Reasoner.AUTO` uses owlrl up to this many asserted triples, the fast path above.
AUTO_LIMIT = 2_000
RULES_PATH = ONTOLOGY_DIR / "rules.ru"

_ASSERTED = ox.NamedNode("urn:x-kg:asserted")
_TYPE = ox.NamedNode(str(RDF.type))
_DECLARATIONS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.Ontology}
_CHARACTERISTICS = {OWL.SymmetricProperty, OWL.TransitiveProperty, OWL.IrreflexiveProperty}
_AXIOMS = {RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf}
_ANNOTATIONS = {RDFS.label, RDFS.comment, RDFS.isDefinedBy, RDFS.seeAlso, OWL.versionIRI, OWL.versionInfo}


class Reasoner(enum.Enum):
    """Which reasoner computes the closure."""

    AUTO = "auto"
    OWLRL = "owlrl"
    FAST = "fast"


@dataclass(frozen=True)
class Inference:
    """The new, useful triples a graph entails, sorted, and what the reasoner found inconsistent."""

    triples: tuple[ox.Triple, ...]
    reasoner: Reasoner
    inconsistencies: tuple[str, ...] = ()

    def graph(self) -> Graph:
        """The triples as an rdflib graph."""
        graph = Graph()
        for t in self.triples:
            graph.add((_to_rdflib(t.subject), _to_rdflib(t.predicate), _to_rdflib(t.object)))
        return graph


@dataclass(frozen=True)
class ReasoningReport:
    """What `reason` did: the reasoner it used, triple counts, times, inconsistencies."""

    path: str
    reasoner: str
    asserted: int
    inferred: int
    seconds: float  # in all: reading the graphs, reasoning, writing inferred.ttl
    closure_seconds: float = 0.0  # reasoning only: from the parsed graphs to the sorted new triples
    closure_cpu_seconds: float = 0.0  # the same in CPU time of this process (steadier on a busy machine)
    inconsistencies: tuple[str, ...] = ()


# ----------------------------------------------------------------------------------------------------------------
# The ontology, compiled


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
def _ontology() -> tuple[Graph, Vocabulary]:
    graph = ontology_graph()
    return graph, compile_vocabulary(graph)


@cache
def _rules() -> tuple[str, frozenset[str]]:
    """The text of ontology/rules.ru and the predicates its rules insert (each rule must name them)."""
    from rdflib.plugins.sparql import prepareUpdate

    text = RULES_PATH.read_text(encoding="utf-8")
    predicates = [t[1] for op in prepareUpdate(text).algebra if op.get("insert") for t in op.insert.triples]
    if not all(isinstance(p, URIRef) for p in predicates):
        raise ReasoningError(f"{RULES_PATH}: every rule must insert triples with a named predicate")
    return text, frozenset(str(p) for p in predicates)


# ----------------------------------------------------------------------------------------------------------------
# The fast path: SPARQL Update rules inside Oxigraph


def _consequences(vocab: Vocabulary, prop: str) -> list[str]:
    """Triple patterns a `?s prop ?o` triple entails by sub-properties, inverses and symmetry."""
    return sorted(f"?o <{q}> ?s ." if flipped else f"?s <{q}> ?o ."
                  for q, flipped in vocab.consequences[prop] if (q, flipped) != (prop, False))


def _types(vocab: Vocabulary, prop: str) -> tuple[frozenset[str], frozenset[str]]:
    """Classes of the subject and of the object of a `prop` triple, by the domains and ranges of all it entails."""
    subject: set[str] = set()
    obj: set[str] = set()
    for q, flipped in vocab.consequences[prop]:
        (obj if flipped else subject).update(vocab.domains[q])
        (subject if flipped else obj).update(vocab.ranges.get(q, ()))
    return frozenset(subject), frozenset(obj)


def typing_rule(vocab: Vocabulary, properties: Iterable[str], *, classes: bool) -> str | None:
    """One update typing the subjects and objects of `properties` by their domains and ranges (and, with
    `classes`, every typed node by its superclasses).

    The nodes are grouped by the classes they get, so that each is typed once per group: a node with five
    properties whose domain is kg:Attestation is typed once, not five times."""
    groups: dict[frozenset[str], set[str]] = {}
    if classes:
        for c, sups in vocab.superclasses.items():
            if sups - {c}:
                groups.setdefault(sups - {c}, set()).add(f"?x a <{c}>")
    for p in sorted(properties):
        subject, obj = _types(vocab, p)
        for types, pattern in ((subject, f"?x <{p}> ?o"), (obj, f"?s <{p}> ?x")):
            if types:
                groups.setdefault(types, set()).add(pattern)
    if not groups:
        return None
    union = " UNION ".join(
        f"{{ {{ SELECT DISTINCT ?x WHERE {{ {' UNION '.join(f'{{ {q} }}' for q in sorted(patterns))} }} }} "
        f"VALUES ?c {{ {_iris(types)} }} }}"
        for types, patterns in sorted(groups.items(), key=lambda group: sorted(group[0])))
    return f"INSERT {{ ?x a ?c }} WHERE {{ {union} }}"


@dataclass(frozen=True)
class FastPlan:
    """The fast path's SPARQL updates, compiled from the ontology and rules.ru."""

    derivable: tuple[str, ...]  # every predicate an update may add, rdf:type included
    first: tuple[str, ...]  # run once, on the asserted triples
    rules: tuple[str, ...]  # transitivity and rules.ru: run until they add nothing…
    after_rules: tuple[str, ...]  # …each time followed by what their conclusions entail
    produced: tuple[str, ...]  # the predicates `rules` insert

    def count_produced(self) -> str:
        """The query counting the triples `rules` may have added to."""
        return f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?p {{ {_iris(self.produced)} }} ?s ?p ?o }}"

    def added(self) -> str:
        """The query for what the updates added: derivable triples not in the copy of the asserted ones."""
        return (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?p {{ {_iris(self.derivable)} }} ?s ?p ?o "
                f"MINUS {{ GRAPH <{_ASSERTED.value}> {{ ?s ?p ?o }} }} }}")


def fast_plan(vocab: Vocabulary, rules_text: str, rule_outputs: Iterable[str]) -> FastPlan:
    """The updates of the fast path, in order.

    First the asserted triples of every predicate that may be derived are copied aside (to tell new triples from
    old at the end); then one update types every node from its asserted classes and from the domains and ranges
    of its asserted properties; then one update per property adds the properties it entails. Each of these
    reads asserted triples only, and their conclusions are complete for sub-classes, sub-properties, inverses,
    symmetry, domains and ranges. What they cannot reach, transitivity and rules.ru, runs after them until it adds
    nothing, each time followed by the property rules of what it concludes.
    """
    derivable = {str(RDF.type), *vocab.transitive, *(o for o in rule_outputs if o in vocab.properties)}
    derivable.update(q for p in vocab.properties for q, flipped in vocab.consequences[p] if (q, flipped) != (p, False))
    first = [f"INSERT {{ GRAPH <{_ASSERTED.value}> {{ ?s ?p ?o }} }} WHERE {{ VALUES ?p {{ {_iris(derivable)} }} "
             "?s ?p ?o }"]
    if typing := typing_rule(vocab, vocab.properties, classes=True):
        first.append(typing)
    for p in sorted(vocab.properties):
        if template := _consequences(vocab, p):
            source = f"GRAPH <{_ASSERTED.value}> {{ ?s <{p}> ?o }}" if p in derivable else f"?s <{p}> ?o"
            first.append(f"INSERT {{ {' '.join(template)} }} WHERE {{ {source} }}")
    rules = [f"INSERT {{ ?x <{t}> ?z }} WHERE {{ ?x <{t}>+ ?z }}" for t in sorted(vocab.transitive)]
    rules.append(rules_text)
    again = sorted((vocab.transitive | set(rule_outputs)) & vocab.properties)
    after_rules = [f"INSERT {{ {' '.join(template)} }} WHERE {{ ?s <{p}> ?o }}"
                   for p in again if (template := _consequences(vocab, p))]
    if typing := typing_rule(vocab, again, classes=str(RDF.type) in rule_outputs):
        after_rules.append(typing)
    produced = tuple(sorted(vocab.transitive | set(rule_outputs)))
    return FastPlan(tuple(sorted(derivable)), tuple(first), tuple(rules), tuple(after_rules), produced)


def _iris(iris: Iterable[str]) -> str:
    return " ".join(f"<{i}>" for i in sorted(iris))


def _fast(store: ox.Store, vocab: Vocabulary) -> tuple[list[ox.Triple], list[str]]:
    """Close the default graph of `store` in place; the triples added, and the irreflexivity violations."""
    plan = fast_plan(vocab, *_rules())
    for update in plan.first:
        store.update(update)
    size = _count(store, plan.count_produced())
    while True:  # once the rules add nothing, the property rules have seen all their conclusions
        for update in plan.rules:
            store.update(update)
        size, before = _count(store, plan.count_produced()), size
        if size == before:
            break
        for update in plan.after_rules:
            store.update(update)
        size = _count(store, plan.count_produced())
    problems = [f"Irreflexive property used on {row[0].value} with {prop}"
                for prop in sorted(vocab.irreflexive)
                for row in _select(store, f"SELECT ?x WHERE {{ ?x <{prop}> ?x }}")]
    added = store.query(plan.added())
    assert isinstance(added, ox.QueryTriples)
    return list(added), problems


def _count(store: ox.Store, query: str) -> int:
    (row,) = _select(store, query)
    return int(row[0].value)  # type: ignore[union-attr]


def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    return result


# ----------------------------------------------------------------------------------------------------------------
# The reference: owlrl, then rules.ru, until nothing changes


def _owlrl(store: ox.Store, ontology: Graph) -> tuple[list[ox.Triple], list[str]]:
    from kg.reason.owlrl_adapter import owl_rl_closure

    asserted = Graph()
    for quad in store:
        asserted.add((_to_rdflib(quad.subject), _to_rdflib(quad.predicate), _to_rdflib(quad.object)))
    graph = Graph()
    graph += ontology
    graph += asserted
    rules_text, _ = _rules()
    problems: set[str] = set()
    while True:
        problems.update(owl_rl_closure(graph))
        size = len(graph)
        graph.update(rules_text)
        if len(graph) == size:
            break
    triples = [ox.Triple(ox.NamedNode(str(s)), ox.NamedNode(str(p)), to_oxigraph(o)) for s, p, o in graph
               if isinstance(s, URIRef) and not isinstance(o, BNode)
               and (s, p, o) not in asserted and (s, p, o) not in ontology]
    return triples, sorted(problems)


# ----------------------------------------------------------------------------------------------------------------
# Entry points


def useful(triple: ox.Triple, vocab: Vocabulary) -> bool:
    """Whether an entailed triple is worth writing: about data, in the ontology's vocabulary, valid RDF."""
    s, p, o = triple.subject, triple.predicate, triple.object
    if not isinstance(s, ox.NamedNode) or isinstance(o, ox.BlankNode):
        return False
    if p == _TYPE:
        return isinstance(o, ox.NamedNode) and o.value in vocab.classes
    if p.value in vocab.object_properties:
        return not isinstance(o, ox.Literal)
    return p.value in vocab.datatype_properties


def _infer(store: ox.Store, reasoner: Reasoner | str, asserted: int) -> Inference:
    reasoner = Reasoner(reasoner)
    if reasoner is Reasoner.AUTO:
        reasoner = Reasoner.OWLRL if asserted <= AUTO_LIMIT else Reasoner.FAST
    ontology, vocab = _ontology()
    try:
        triples, problems = _fast(store, vocab) if reasoner is Reasoner.FAST else _owlrl(store, ontology)
    except (SyntaxError, ValueError, RuntimeError, OSError) as err:
        raise ReasoningError(f"the {reasoner.value} reasoner failed: {err}") from err
    kept = sorted((t for t in triples if useful(t, vocab)), key=str)
    return Inference(tuple(kept), reasoner, tuple(problems))


def infer(graph: Graph, *, reasoner: Reasoner | str = Reasoner.AUTO) -> Inference:
    """The new, useful triples `graph` entails under the kg ontology and its rules (`graph` is not changed).

    Args:
        graph: asserted triples, e.g. a parsed `graph.ttl`; without the ontology, which is added here.
        reasoner: `owlrl`, `fast` or `auto` (owlrl up to `AUTO_LIMIT` triples).

    Raises:
        ReasoningError: the reasoner failed.

    >>> from rdflib import Graph
    >>> g = Graph().parse(data='''@prefix kg: <https://w3id.org/kg-news/ontology#> .
    ...     <urn:x:fi> a kg:State ; kg:memberOf <urn:x:nato> . <urn:x:se> a kg:State ; kg:memberOf <urn:x:nato> .
    ...     <urn:x:nato> a kg:MilitaryAlliance .''', format="turtle")
    >>> [str(t) for t in infer(g, reasoner="fast").triples if "alliedWith" in str(t)]  # doctest: +NORMALIZE_WHITESPACE
    ['<urn:x:fi> <https://w3id.org/kg-news/ontology#alliedWith> <urn:x:se>',
     '<urn:x:se> <https://w3id.org/kg-news/ontology#alliedWith> <urn:x:fi>']
    """
    store = ox.Store()
    store.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph)  # type: ignore[arg-type]
    return _infer(store, reasoner, len(graph))


def reason(directory: Path, *, reasoner: Reasoner | str = Reasoner.AUTO) -> ReasoningReport:
    """Reason over the build folder `directory` and write what is entailed to `directory/inferred.ttl`.

    Reads `graph.ttl` and, when present, `wikidata.ttl`; `inferred.ttl` holds only the new triples, sorted, so the
    same input always gives the same bytes.

    Holds the folder's write lock (`kg.store.folderlock`) meanwhile.

    Raises:
        StoreError: `directory/graph.ttl` is missing or not valid Turtle.
        FolderBusyError: another kg command is writing `directory`.
        ReasoningError: the reasoner failed.
    """
    if not (directory / INPUT_FILES[0]).is_file():
        raise StoreError(f"no {INPUT_FILES[0]} in {directory}; run `kg build … --out {directory}` first")
    with write_lock(directory, "reason"):
        return _reason(directory, reasoner)


def _reason(directory: Path, reasoner: Reasoner | str) -> ReasoningReport:
    """`reason`, once the folder's write lock is held."""
    started = time.perf_counter()
    if not (directory / INPUT_FILES[0]).is_file():
        raise StoreError(f"no {INPUT_FILES[0]} in {directory}; run `kg build … --out {directory}` first")
    store = ox.Store()
    for path in (directory / name for name in INPUT_FILES):
        if path.is_file():
            try:
                store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
            except (SyntaxError, ValueError, OSError) as err:
                raise StoreError(f"cannot read {path}: {err}") from err
    asserted = len(store)
    loaded, loaded_cpu = time.perf_counter(), time.process_time()
    inference = _infer(store, reasoner, asserted)
    closure, closure_cpu = time.perf_counter() - loaded, time.process_time() - loaded_cpu
    out = directory / INFERRED_FILE
    write_atomic(out, serialise(inference.triples))
    return ReasoningReport(str(out), inference.reasoner.value, asserted, len(inference.triples),
                           round(time.perf_counter() - started, 2), round(closure, 3), round(closure_cpu, 3),
                           inference.inconsistencies)


def _to_rdflib(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = None if term.datatype.value == str(XSD.string) else URIRef(term.datatype.value)
        return Literal(term.value, datatype=datatype)
    raise TypeError(f"not an RDF term: {term!r}")
