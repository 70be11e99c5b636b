"""SHACL inside Oxigraph: the kg shapes compiled to SPARQL queries, run once each over the whole graph.

pySHACL checks every focus node through rdflib's API, tens of microseconds per triple it reads: minutes and gigabytes
on a graph of millions of triples. The shapes of `ontology/shapes.ttl` use a small part of SHACL Core (targets by
class and by subject of a property; on a property path that is one IRI: `sh:minCount`, `sh:maxCount`,
`sh:nodeKind`, `sh:datatype`, `sh:minInclusive`, `sh:maxInclusive`, `sh:lessThan`, `sh:class`, `sh:in`, `sh:or`
of such shapes; on a node shape, `sh:or` of property shapes with `sh:minCount`) and SHACL-SPARQL constraints.
Each constraint becomes one SELECT whose rows are the failing (focus node, value) pairs, so a graph is checked in
a few queries that Oxigraph answers in C++ over the store the build already holds.

`compile_shapes` refuses (returns None) shapes that use anything else, and the caller then runs pySHACL: the
results are the same either way (focus node, path, value, message, severity; tests/test_validation.py compares
both on broken graphs). As with pySHACL given the ontology as `ont_graph`, `sh:targetClass` and `sh:class`
follow the ontology's sub-classes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox
from rdflib import RDF, RDFS, SH, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.rdf.mapping import PREFIXES
from kg.rdf.ontology import ontology_graph
from kg.rdf.terms import shorten
from kg.reason.validation import SHAPES_PATH, ShapeResult, ValidationReport

__all__ = ["Check", "compile_shapes", "validate_oxigraph"]

_SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
_NODE_KINDS = {SH.IRI: "isIRI({v})", SH.Literal: "isLiteral({v})", SH.BlankNode: "isBlank({v})",
               SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))", SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
               SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))"}
#: Lexical forms of the datatypes whose well-formedness is checked (pySHACL refuses ill-typed literals).
_LEXICAL = {XSD.integer: r"^[+-]?[0-9]+$", XSD.decimal: r"^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)$",
            XSD.date: r"^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(Z|[+-][0-9]{2}:[0-9]{2})?$",
            XSD.gYearMonth: r"^-?[0-9]{4,}-(0[1-9]|1[0-2])(Z|[+-][0-9]{2}:[0-9]{2})?$",
            XSD.gYear: r"^-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?$"}
_SIMPLE = {XSD.string, RDF.langString, *_LEXICAL}
#: Keys a property shape may have besides its constraints; anything else makes the shapes unsupported.
_ANNOTATIONS = {RDF.type, SH.name, SH.description, SH.message, SH.severity, SH.path, SH.order, SH.group}


class Unsupported(Exception):
    """The shapes use a part of SHACL this module does not compile."""


@dataclass(frozen=True)
class Check:
    """One compiled constraint: its query (rows `?this`, and `?value` when `with_value`) and what a row reports."""

    query: str
    severity: str
    path: str | None
    message: str
    with_value: bool
    fill: bool = False  # a SHACL-SPARQL constraint: the message has {$this} {?path} {?value}, the rows ?path


def _iri(term: Node) -> str:
    if not isinstance(term, URIRef):
        raise Unsupported(f"not an IRI: {term!r}")
    return f"<{term}>"


def _term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        text = str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if term.language:
            return f'"{text}"@{term.language}'
        return f'"{text}"^^<{term.datatype or XSD.string}>'
    raise Unsupported(f"not a named term: {term!r}")


def _message(shapes: Graph, shape: Node) -> str:
    messages = sorted(shapes.objects(shape, SH.message), key=lambda m: (getattr(m, "language", None) != "en", str(m)))
    if not messages:
        raise Unsupported(f"{shape} has no sh:message (pySHACL would write its own)")
    return str(messages[0])


def _severity(shapes: Graph, shape: Node) -> str:
    value = shapes.value(shape, SH.severity)
    if value is not None and value not in _SEVERITIES:
        raise Unsupported(f"severity {value}")
    return _SEVERITIES[value] if value is not None else "Violation"  # type: ignore[index]


def _list(shapes: Graph, head: Node) -> list[Node]:
    return list(Collection(shapes, head))  # type: ignore[arg-type]


class _Compiler:
    def __init__(self, shapes: Graph, ontology: Graph) -> None:
        self.shapes = shapes
        self.subclasses: dict[Node, set[Node]] = {}
        for sub, sup in ontology.subject_objects(RDFS.subClassOf):
            self.subclasses.setdefault(sup, set()).add(sub)

    def descendants(self, cls: Node) -> list[str]:
        seen, todo = {cls}, [cls]
        while todo:
            for sub in self.subclasses.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        return sorted(_iri(c) for c in seen)

    def has_class(self, var: str, cls: Node) -> str:
        return f"EXISTS {{ {var} a ?class_ . VALUES ?class_ {{ {' '.join(self.descendants(cls))} }} }}"

    def targets(self, shape: Node) -> str:
        s = self.shapes
        parts = [f"{{ ?this a ?target_ . VALUES ?target_ {{ {' '.join(self.descendants(c))} }} }}"
                 for c in sorted(s.objects(shape, SH.targetClass), key=str)]
        parts += [f"{{ ?this {_iri(p)} [] }}" for p in sorted(s.objects(shape, SH.targetSubjectsOf), key=str)]
        parts += [f"{{ ?this ^{_iri(p)} [] }}" for p in sorted(s.objects(shape, SH.targetObjectsOf), key=str)]
        parts += [f"{{ VALUES ?this {{ {_term(n)} }} }}" for n in sorted(s.objects(shape, SH.targetNode), key=str)]
        if (shape, RDF.type, RDFS.Class) in s or list(s.objects(shape, SH.target)):
            raise Unsupported(f"implicit or SPARQL-based targets on {shape}")
        classes = list(s.objects(shape, SH.targetClass))
        if len(parts) == 1 and len(classes) == 1 and len(self.descendants(classes[0])) == 1:
            return f"?this a {_iri(classes[0])} ."  # each focus node once, without a sub-query (twice as fast)
        return f"{{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(parts)} }} }}" if parts else ""

    def value_condition(self, shape: Node, var: str) -> str:
        """A FILTER expression true when the value `var` meets the value-level constraints of `shape`."""
        conditions = []
        for key, value in sorted(self.shapes.predicate_objects(shape)):
            if key in _ANNOTATIONS or key in (SH.minCount, SH.maxCount, SH.lessThan):
                continue
            conditions.append(self.value_constraint(key, value, var))
        return " && ".join(conditions) if conditions else "true"

    def value_constraint(self, key: Node, value: Node, var: str) -> str:
        if key == SH.nodeKind and value in _NODE_KINDS:
            return _NODE_KINDS[value].format(v=var)  # type: ignore[index]
        if key == SH.datatype and value in _SIMPLE:
            if value == RDF.langString:
                return f"(isLiteral({var}) && lang({var}) != \"\")"
            check = f"(isLiteral({var}) && datatype({var}) = {_iri(value)}"
            if value in _LEXICAL:
                check += f' && REGEX(STR({var}), "{_LEXICAL[value]}")'  # type: ignore[index]
            return check + ")"
        if key in (SH.minInclusive, SH.maxInclusive) and isinstance(value, Literal):
            op = ">=" if key == SH.minInclusive else "<="
            return f"COALESCE({var} {op} {_term(value)}, false)"
        if key == SH["class"]:
            return self.has_class(var, value)
        if key == SH["in"]:
            members = sorted({_term(m) for m in _list(self.shapes, value)})
            return "(" + " || ".join(f"sameTerm({var}, {m})" for m in members) + ")" if members else "false"
        if key == SH["or"]:
            options = _list(self.shapes, value)
            for option in options:
                if not isinstance(option, BNode) or (option, SH.path, None) in self.shapes:
                    raise Unsupported("sh:or of shapes with a path on a value")
            return "(" + " || ".join(f"({self.value_condition(o, var)})" for o in options) + ")"
        raise Unsupported(f"{key} {value}")

    def property_checks(self, shape: Node, target: str) -> Iterator[Check]:
        s = self.shapes
        path = _iri(s.value(shape, SH.path))  # type: ignore[arg-type]
        severity, message = _severity(s, shape), _message(s, shape)
        short = shorten(str(s.value(shape, SH.path)), PREFIXES)
        conditions: list[str] = []
        for key, value in sorted(s.predicate_objects(shape)):
            if key in _ANNOTATIONS:
                continue
            if key == SH.minCount and int(str(value)) == 1:
                query = f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {path} ?value }} FILTER(!BOUND(?value)) }}"
                yield Check(query, severity, short, message, with_value=False)
            elif key == SH.maxCount and int(str(value)) == 1:
                query = (f"SELECT DISTINCT ?this WHERE {{ {target} ?this {path} ?value . ?this {path} ?other "
                         "FILTER(!sameTerm(?value, ?other)) }")
                yield Check(query, severity, short, message, with_value=False)
            elif key == SH.minCount:
                query = (f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {path} ?value }} }} GROUP BY ?this "
                         f"HAVING (COUNT(DISTINCT ?value) < {int(str(value))})")
                yield Check(query, severity, short, message, with_value=False)
            elif key == SH.maxCount:
                query = (f"SELECT ?this WHERE {{ {target} ?this {path} ?value }} GROUP BY ?this "
                         f"HAVING (COUNT(DISTINCT ?value) > {int(str(value))})")
                yield Check(query, severity, short, message, with_value=False)
            elif key == SH.lessThan:
                query = (f"SELECT DISTINCT ?this ?value WHERE {{ {target} ?this {path} ?value . "
                         f"?this {_iri(value)} ?other FILTER(!COALESCE(?value < ?other, false)) }}")
                yield Check(query, severity, short, message, with_value=True)
            else:
                conditions.append(self.value_constraint(key, value, "?value"))
        if conditions:  # one pass for all: a value failing two gives two results pySHACL would give the same
            query = (f"SELECT DISTINCT ?this ?value WHERE {{ {target} ?this {path} ?value "
                     f"FILTER(!({' && '.join(conditions)})) }}")
            yield Check(query, severity, short, message, with_value=True)

    def node_checks(self, shape: Node) -> Iterator[Check]:
        s = self.shapes
        target = self.targets(shape)
        if not target:
            return
        for key, value in sorted(s.predicate_objects(shape)):
            if key in _ANNOTATIONS or key in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode):
                continue
            if key == SH.property:
                if (value, SH.path, None) not in s or not isinstance(s.value(value, SH.path), URIRef):
                    raise Unsupported(f"property shape {value} without a one-IRI path")
                yield from self.property_checks(value, target)
            elif key == SH["or"]:
                options = []
                for member in _list(s, value):
                    keys = set(s.predicates(member)) - _ANNOTATIONS
                    count = s.value(member, SH.minCount)
                    if keys != {SH.minCount} or count is None or int(count) != 1:  # type: ignore[call-overload]
                        raise Unsupported("sh:or on a node shape other than of paths with sh:minCount 1")
                    options.append(f"EXISTS {{ ?this {_iri(s.value(member, SH.path))} [] }}")  # type: ignore[arg-type]
                query = f"SELECT ?this (?this AS ?value) WHERE {{ {target} FILTER(!({' || '.join(options)})) }}"
                yield Check(query, _severity(s, shape), None, _message(s, shape), with_value=True)
            elif key == SH.sparql:
                yield self.sparql_check(shape, value, target)
            else:
                raise Unsupported(f"{key} on node shape {shape}")

    def sparql_check(self, shape: Node, constraint: Node, target: str) -> Check:
        s = self.shapes
        prefixes = "".join(f"PREFIX {s.value(d, SH.prefix)}: <{s.value(d, SH.namespace)}>\n"
                           for p in s.objects(constraint, SH.prefixes) for d in s.objects(p, SH.declare))
        select = re.sub(r"\$(\w+)", r"?\1", str(s.value(constraint, SH.select)))
        if not re.fullmatch(r"\s*SELECT\s+\?this\s+\?path\s+\?value\s+WHERE\s*\{.*\}\s*", select, re.S):
            raise Unsupported(f"SHACL-SPARQL select of {shape} is not SELECT $this ?path ?value WHERE {{ … }}")
        body = select[select.index("{") + 1:select.rindex("}")]
        query = f"{prefixes}SELECT DISTINCT ?this ?path ?value WHERE {{ {target} {body} }}"
        message = str(s.value(constraint, SH.message) or s.value(shape, SH.message) or "")
        return Check(query, _severity(s, shape), None, message, with_value=True, fill=True)


def compile_shapes(shapes: Graph, ontology: Graph) -> tuple[Check, ...] | None:
    """The constraints of `shapes` as queries, or None when they use something this module does not compile."""
    compiler = _Compiler(shapes, ontology)
    checks: list[Check] = []
    try:
        node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
        node_shapes |= {n for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
                        for n in shapes.subjects(p, None)}
        for shape in sorted(node_shapes, key=str):
            if (shape, SH.deactivated, None) in shapes:
                raise Unsupported("sh:deactivated")
            checks.extend(compiler.node_checks(shape))
        if any(shapes.subjects(SH.path, None)) and not checks:
            raise Unsupported("property shapes without node shapes")
    except (Unsupported, ValueError, TypeError):
        return None
    return tuple(checks)


@cache
def _compiled() -> tuple[Check, ...] | None:
    return compile_shapes(Graph().parse(SHAPES_PATH, format="turtle"), ontology_graph())


def _short(term: object) -> str | None:
    if term is None:
        return None
    text = term.value if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal) else str(term)
    return shorten(text, {k: str(v) for k, v in PREFIXES.items()})


def _fill(template: str, values: dict[str, str]) -> str:
    return re.sub(r"\{[$?](\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def validate_oxigraph(store: ox.Store, *, source: str = "graph") -> ValidationReport | None:
    """Validate the default graph of `store` against the kg shapes in Oxigraph; None when the shapes use what
    `compile_shapes` does not compile (then use `kg.reason.validation.validate_graph`)."""
    checks = _compiled()
    if checks is None:
        return None
    found: set[ShapeResult] = set()
    for check in checks:
        solutions = store.query(check.query)
        assert isinstance(solutions, ox.QuerySolutions)
        for row in solutions:
            focus = _short(row["this"]) or ""
            if check.fill:
                values = {v: _short(row[v]) or "" for v in ("this", "path", "value") if row[v] is not None}
                found.add(ShapeResult(check.severity, focus, values.get("path"), _fill(check.message, values),
                                      values.get("value")))
                continue
            value = _short(row["value"]) if check.with_value else None
            found.add(ShapeResult(check.severity, focus, check.path, check.message, value))
    ordered = sorted(found, key=lambda r: (_ORDER[r.severity], r.focus, r.path or "", r.message, r.value or ""))
    return ValidationReport(source, tuple(ordered))
