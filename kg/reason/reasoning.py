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

The ontology is compiled in `kg.reason.vocabulary`, the fast path's updates in `kg.reason.fastpath`; `kg reason
--endpoint` runs them on a remote store (`kg.reason.remote`). Within a build the triples are reasoned over where they
already are, in the build's in-memory store (`reason_store`), not read back from the files just written.

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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, URIRef

from kg.errors import ReasoningError, StoreError
from kg.rdf.serialise import serialise, write_atomic
from kg.rdf.terms import OxigraphGraph, rdflib_graph, to_oxigraph
from kg.reason.fastpath import SCRATCH_GRAPH, fast_plan, run, within
from kg.reason.vocabulary import Vocabulary, compile_vocabulary, ontology, rules
from kg.store.folderlock import write_lock
from kg.store.layers import GRAPH_FILE, INFERRED_FILE, WIKIDATA_FILE

__all__ = ["AUTO_LIMIT", "INFERRED_FILE", "Inference", "Reasoner", "ReasoningReport", "compile_vocabulary", "infer",
           "infer_store", "reason", "reason_store", "useful"]

#: The files of a build folder that are reasoned over, when present (`graph.ttl` must be).
INPUT_FILES = (GRAPH_FILE, WIKIDATA_FILE)
#: `Reasoner.AUTO` uses owlrl up to this many asserted triples, the fast path above.
AUTO_LIMIT = 2_000

_TYPE = ox.NamedNode(str(RDF.type))
#: Where `infer_store` closes a copy of a store's default graph, leaving the default graph as it was.
_WORK = ox.NamedNode("urn:x-kg:reasoning")


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
        return rdflib_graph(self.triples)


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
# The fast path, in an embedded store


def _fast(store: ox.Store, vocab: Vocabulary, graph: ox.NamedNode | None) -> tuple[list[ox.Triple], list[str]]:
    """Close the default graph of `store` (or its named graph `graph`) in place; the triples added, and the
    irreflexivity violations."""
    plan = fast_plan(vocab, *rules())
    if graph is not None:
        plan = within(plan, graph.value, SCRATCH_GRAPH)
    run(plan, store.update, lambda query: _count(store, query))
    problems = [f"Irreflexive property used on {row[0].value} with {prop}"
                for prop in sorted(vocab.irreflexive) for row in _select(store, plan.reflexive(prop))]
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


def _owlrl(store: ox.Store, ontology: Graph, graph_name: ox.NamedNode | None) -> tuple[list[ox.Triple], list[str]]:
    from kg.reason.owlrl_adapter import owl_rl_closure

    asserted = rdflib_graph(store.quads_for_pattern(None, None, None, graph_name or ox.DefaultGraph()))
    graph = Graph()
    graph += ontology
    graph += asserted
    rules_text, _ = rules()
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


def _infer(store: ox.Store, reasoner: Reasoner | str, asserted: int, graph: ox.NamedNode | None = None) -> Inference:
    """What the default graph of `store` (or its named graph `graph`) entails, closing it in place."""
    reasoner = Reasoner(reasoner)
    if reasoner is Reasoner.AUTO:
        reasoner = Reasoner.OWLRL if asserted <= AUTO_LIMIT else Reasoner.FAST
    schema, vocab = ontology()
    try:
        triples, problems = (_fast(store, vocab, graph) if reasoner is Reasoner.FAST
                             else _owlrl(store, schema, graph))
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
    if isinstance(graph, OxigraphGraph):  # already in Oxigraph: reasoned over where it is
        return infer_store(graph.oxigraph, reasoner=reasoner)
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
    return _write(store, directory, reasoner, started, len(store), None)


def infer_store(store: ox.Store, *, extra: Iterable[ox.Triple] = (),
                reasoner: Reasoner | str = Reasoner.AUTO) -> Inference:
    """What the default graph of `store` and the `extra` triples (a build's Wikidata graph) entail, as `infer`;
    the store is left as it was.

    The default graph is copied inside Oxigraph into a named graph of the same store, closed there and dropped: no
    triple is converted or read back from a file. For a store other code still reads (a build's in-memory graph).
    """
    inference, _ = _infer_copy(store, extra, reasoner)
    return inference


def reason_store(store: ox.Store, directory: Path, *, extra: Iterable[ox.Triple] = (),
                 reasoner: Reasoner | str = Reasoner.AUTO, in_place: bool = False) -> ReasoningReport:
    """`infer_store`, written to `directory/inferred.ttl` as `reason` writes it: a build reasons over the triples it
    holds in memory, not over the `graph.ttl` and `wikidata.ttl` it has just written (the same triples).

    With `in_place`, the `extra` triples are added to the default graph of `store` and it is closed there (it then
    holds the closure, and scratch graphs): for a store nothing reads afterwards, which spares the copy of every
    triple (gigabytes at 10,000 articles; the same inferred triples)."""
    started = time.perf_counter()
    if not in_place:
        return _write(store, directory, reasoner, started, 0, extra)
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in extra)
    return _write(store, directory, reasoner, started, _count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
                  None)


def _infer_copy(store: ox.Store, extra: Iterable[ox.Triple], reasoner: Reasoner | str) -> tuple[Inference, int]:
    """`infer_store`, and the number of triples reasoned over."""
    scratch = ox.NamedNode(SCRATCH_GRAPH)
    store.update(f"INSERT {{ GRAPH <{_WORK.value}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}")
    try:
        store.extend(ox.Quad(t.subject, t.predicate, t.object, _WORK) for t in extra)
        asserted = _count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{_WORK.value}> {{ ?s ?p ?o }} }}")
        return _infer(store, reasoner, asserted, _WORK), asserted
    finally:
        for graph in (_WORK, scratch):
            store.remove_graph(graph)


def _write(store: ox.Store, directory: Path, reasoner: Reasoner | str, started: float, asserted: int,
           extra: Iterable[ox.Triple] | None) -> ReasoningReport:
    """Reason over `store` (its default graph in place, or with `extra` a copy of it and them) into
    `directory/inferred.ttl`; the report."""
    loaded, loaded_cpu = time.perf_counter(), time.process_time()
    if extra is None:
        inference = _infer(store, reasoner, asserted)
    else:
        inference, asserted = _infer_copy(store, extra, reasoner)
    closure, closure_cpu = time.perf_counter() - loaded, time.process_time() - loaded_cpu
    out = directory / INFERRED_FILE
    write_atomic(out, serialise(inference.triples))
    return ReasoningReport(str(out), inference.reasoner.value, asserted, len(inference.triples),
                           round(time.perf_counter() - started, 2), round(closure, 3), round(closure_cpu, 3),
                           inference.inconsistencies)
