"""The fast reasoner: the OWL 2 RL closure of the kg ontology as SPARQL Update rules, run where the data is.

The updates are compiled from the ontology's axioms (`kg.reason.vocabulary`) and followed by `ontology/rules.ru`. They
run in an embedded Oxigraph store (`kg.reason.reasoning`, on its default graph) or on a named graph of a remote
SPARQL 1.1 store (`kg.reason.remote`): the plan is the same text, with a `WITH <graph>` before each update and its
queries read inside `GRAPH <graph>`; only how an update is sent differs (`run`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from rdflib import RDF

from kg.reason.vocabulary import OPERATION_START, Vocabulary

__all__ = ["SCRATCH_GRAPH", "FastPlan", "fast_plan", "run", "typing_rule", "within"]

#: Where the asserted triples of derivable predicates are copied aside, to tell new triples from old at the end.
SCRATCH_GRAPH = "urn:x-kg:asserted"


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
    """The fast path's SPARQL updates, compiled from the ontology and rules.ru, and the queries that follow them."""

    derivable: tuple[str, ...]  # every predicate an update may add, rdf:type included
    first: tuple[str, ...]  # run once, on the asserted triples
    rules: tuple[str, ...]  # transitivity and rules.ru: run until they add nothing…
    after_rules: tuple[str, ...]  # …each time followed by what their conclusions entail
    produced: tuple[str, ...]  # the predicates `rules` insert
    graph: str | None = None  # the named graph closed in place (`within`); None: the default graph
    scratch: str = SCRATCH_GRAPH  # where the asserted triples of derivable predicates are copied aside

    def inside(self, pattern: str) -> str:
        """A graph pattern read from the graph being closed."""
        return f"GRAPH <{self.graph}> {{ {pattern} }}" if self.graph else pattern

    def count_produced(self) -> str:
        """The query counting the triples `rules` may have added to."""
        triples = f"VALUES ?p {{ {_iris(self.produced)} }} ?s ?p ?o"
        return f"SELECT (COUNT(*) AS ?n) WHERE {{ {self.inside(triples)} }}"

    def reflexive(self, prop: str) -> str:
        """The query for the nodes `prop` relates to themselves (for an irreflexive property, inconsistencies)."""
        return f"SELECT ?x WHERE {{ {self.inside(f'?x <{prop}> ?x')} }}"

    def added(self) -> str:
        """The query for what the updates added: derivable triples not in the copy of the asserted ones."""
        triples = f"VALUES ?p {{ {_iris(self.derivable)} }} ?s ?p ?o"
        old = f"GRAPH <{self.scratch}> {{ ?s ?p ?o }}"
        return f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {self.inside(triples)} MINUS {{ {old} }} }}"


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
    first = [f"INSERT {{ GRAPH <{SCRATCH_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ VALUES ?p {{ {_iris(derivable)} }} "
             "?s ?p ?o }"]
    if typing := typing_rule(vocab, vocab.properties, classes=True):
        first.append(typing)
    for p in sorted(vocab.properties):
        if template := _consequences(vocab, p):
            source = f"GRAPH <{SCRATCH_GRAPH}> {{ ?s <{p}> ?o }}" if p in derivable else f"?s <{p}> ?o"
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


def within(plan: FastPlan, graph: str, scratch: str) -> FastPlan:
    """The same plan closing the named graph `graph` in place, with `scratch` as its scratch graph: `WITH <graph>`
    before each update (rules.ru's rules each start a line, `kg.reason.vocabulary.rules` checks it).

    >>> plan = within(FastPlan((), ("INSERT { ?s a ?c } WHERE { ?s ?p ?c }",), (), (), ()), "urn:x:g", "urn:x:s")
    >>> plan.first
    ('WITH <urn:x:g>\\nINSERT { ?s a ?c } WHERE { ?s ?p ?c }',)
    """
    def moved(updates: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(OPERATION_START.sub(f"WITH <{graph}>\n", u.replace(f"<{plan.scratch}>", f"<{scratch}>"))
                     for u in updates)

    return replace(plan, first=moved(plan.first), rules=moved(plan.rules), after_rules=moved(plan.after_rules),
                   graph=graph, scratch=scratch)


def run(plan: FastPlan, update: Callable[[str], None], count: Callable[[str], int]) -> None:
    """Run the plan's updates to the fixpoint, each through `update`; `count` answers a COUNT query's number."""
    for text in plan.first:
        update(text)
    size = count(plan.count_produced())
    while True:  # once the rules add nothing, the property rules have seen all their conclusions
        for text in plan.rules:
            update(text)
        size, before = count(plan.count_produced()), size
        if size == before:
            break
        for text in plan.after_rules:
            update(text)
        size = count(plan.count_produced())
