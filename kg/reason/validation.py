"""Validate: check a built graph against the SHACL shapes of `ontology/shapes.ttl`.

The asserted graph (`graph.ttl`) is what is validated: it is what the extraction claims, and every fact in it must
have its evidence. `inferred.ttl` is not (derived facts have no attestation, by design), nor `wikidata.ttl`.
A graph conforms when it has no `sh:Violation`; warnings (an exercise without participants) are reported but do not
make it fail.

SHACL Core is checked by pySHACL, with the ontology as its `ont_graph` (so `sh:class` follows sub-classes: a
military alliance is an organisation) and no inference. The SHACL-SPARQL constraints (`sh:sparql`) are run here,
each once over the whole graph in Oxigraph, keeping the solutions whose `$this` is a target of the shape: pySHACL
runs them once per focus node through rdflib's SPARQL engine, parsing the query each time (3.5 s instead of
0.55 s in all on the one-article sample). This is the same as pre-binding `$this` for queries that bind `$this` in
a triple pattern, as the kg shapes do; the tests check that pySHACL finds the same results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, SH, Graph, URIRef
from rdflib.term import Node

from kg.errors import StoreError
from kg.rdf.mapping import PREFIXES
from kg.rdf.ontology import ONTOLOGY_DIR, ontology_graph
from kg.rdf.terms import OxigraphGraph, shorten, to_oxigraph
from kg.store.layers import GRAPH_FILE

__all__ = ["SHAPES_PATH", "ShapeResult", "ValidationReport", "validate", "validate_graph", "validate_store"]

SHAPES_PATH = ONTOLOGY_DIR / "shapes.ttl"
_SEVERITIES = {str(SH.Violation): "Violation", str(SH.Warning): "Warning", str(SH.Info): "Info"}
_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
_PREFIXES = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


@dataclass(frozen=True)
class ShapeResult:
    """One SHACL result: what is wrong (message), where (focus node and path), and how badly (severity)."""

    severity: str
    focus: str
    path: str | None
    message: str
    value: str | None = None

    def __str__(self) -> str:
        where = f"{self.focus} {self.path}" if self.path else self.focus
        return f"{self.severity}: {where}: {self.message}"


@dataclass(frozen=True)
class ValidationReport:
    """The results of validating one graph, violations first."""

    source: str
    results: tuple[ShapeResult, ...] = ()

    @property
    def violations(self) -> int:
        return sum(r.severity == "Violation" for r in self.results)

    @property
    def warnings(self) -> int:
        return sum(r.severity == "Warning" for r in self.results)

    @property
    def conforms(self) -> bool:
        """True when no result is a violation (warnings and infos allowed)."""
        return self.violations == 0


@cache
def _shapes() -> tuple[Graph, Graph]:
    """The shapes for pySHACL (without their SPARQL constraints), and all of them."""
    shapes = Graph().parse(SHAPES_PATH, format="turtle")
    core = Graph()
    core += shapes
    core.remove((None, SH.sparql, None))
    return core, shapes


def _short(term: Node | ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str | None:
    """A term as text (a literal's lexical form), IRIs shortened with the project's prefixes."""
    if term is None:
        return None
    return shorten(term.value if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal) else str(term), _PREFIXES)


def validate_graph(data: Graph, *, source: str = "graph") -> ValidationReport:
    """Validate `data` against the kg shapes; every result with its focus node, path and message.

    Args:
        data: the asserted triples of a build (not the inferred ones).
        source: what `data` is, for messages (e.g. the file it was read from).

    >>> from rdflib import Graph
    >>> g = Graph().parse(data='''@prefix kg: <https://w3id.org/kg-news/ontology#> .
    ...     <https://w3id.org/kg-news/id/exercise/x> a kg:MilitaryExercise .''', format="turtle")
    >>> report = validate_graph(g)
    >>> report.conforms, [(r.severity, r.focus, r.path) for r in report.results]  # doctest: +NORMALIZE_WHITESPACE
    (False, [('Violation', 'kgid:exercise/x', 'kg:name'), ('Violation', 'kgid:exercise/x', 'kg:reportedIn'),
             ('Warning', 'kgid:exercise/x', 'kg:participant')])
    """
    import pyshacl

    core, shapes = _shapes()
    _, results, _ = pyshacl.validate(data, shacl_graph=core, ont_graph=ontology_graph(), inference="none",
                                     allow_warnings=True)
    assert isinstance(results, Graph)
    found = {_result(results, node) for node in results.subjects(RDF.type, SH.ValidationResult)}
    found.update(_sparql_results(data, shapes, data.oxigraph if isinstance(data, OxigraphGraph) else None))
    ordered = sorted(found, key=lambda r: (_ORDER[r.severity], r.focus, r.path or "", r.message, r.value or ""))
    return ValidationReport(source, tuple(ordered))


def _result(results: Graph, node: Node) -> ShapeResult:
    messages = sorted(results.objects(node, SH.resultMessage),
                      key=lambda m: (getattr(m, "language", None) != "en", str(m)))
    return ShapeResult(
        severity=_SEVERITIES.get(str(results.value(node, SH.resultSeverity)), "Violation"),
        focus=_short(results.value(node, SH.focusNode)) or "",
        path=_short(results.value(node, SH.resultPath)),
        message=str(messages[0]) if messages else "",
        value=_short(results.value(node, SH.value)))


def _targets(data: Graph, shapes: Graph, shape: Node) -> set[Node]:
    """The focus nodes of a shape (sh:targetClass: direct instances only, the kg shapes need no more)."""
    nodes: set[Node] = set(shapes.objects(shape, SH.targetNode))
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        nodes.update(data.subjects(URIRef(str(prop)), None))
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        nodes.update(data.objects(None, URIRef(str(prop))))
    for cls in shapes.objects(shape, SH.targetClass):
        nodes.update(data.subjects(RDF.type, cls))
    return nodes


def _sparql_results(data: Graph, shapes: Graph, store: ox.Store | None) -> set[ShapeResult]:
    """The results of the shapes' SHACL-SPARQL constraints, each run once over `data` in Oxigraph: in `store`, whose
    default graph holds `data`, else in a copy of `data`."""
    constraints = list(shapes.subject_objects(SH.sparql))
    if not constraints:
        return set()
    if store is None:
        store = ox.Store()
        store.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in data)  # type: ignore[arg-type]
    found = set()
    for shape, constraint in constraints:
        prefixes = "".join(f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
                           for p in shapes.objects(constraint, SH.prefixes) for d in shapes.objects(p, SH.declare))
        query = prefixes + re.sub(r"\$(\w+)", r"?\1", str(shapes.value(constraint, SH.select)))
        message = str(shapes.value(constraint, SH.message) or shapes.value(shape, SH.message) or "")
        severity = _SEVERITIES.get(str(shapes.value(shape, SH.severity)), "Violation")
        targets = {to_oxigraph(n) for n in _targets(data, shapes, shape)}
        solutions = store.query(query)
        assert isinstance(solutions, ox.QuerySolutions)
        for row in solutions:
            if row["this"] not in targets:
                continue
            values = {v: _short(row[v]) or "" for v in ("this", "path", "value") if row[v] is not None}
            found.add(ShapeResult(severity, values["this"], values.get("path"), _fill(message, values),
                                  values.get("value")))
    return found


def _fill(template: str, values: dict[str, str]) -> str:
    """A SHACL message template with its {$this} and {?var} replaced by their values."""
    return re.sub(r"\{[$?](\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def validate_store(store: ox.Store, *, source: str = "graph") -> ValidationReport:
    """`validate_graph` of the default graph of an Oxigraph store: pySHACL reads it through oxrdflib and the
    SHACL-SPARQL constraints run in the store itself, so no triple is copied."""
    return validate_graph(OxigraphGraph(store), source=source)


def validate(path: Path) -> ValidationReport:
    """Validate a build folder's `graph.ttl` (or a Turtle file given directly), loaded into an Oxigraph store.

    Raises:
        StoreError: there is no such graph, or it is not valid Turtle.
    """
    file = path / GRAPH_FILE if path.is_dir() else path
    if not file.is_file():
        raise StoreError(f"no {GRAPH_FILE} in {path}; run `kg build … --out {path}` first" if path.is_dir()
                         else f"no such file or folder: {path}")
    store = ox.Store()
    try:
        store.bulk_load(path=str(file), format=ox.RdfFormat.TURTLE)
    except (SyntaxError, ValueError, OSError) as err:
        raise StoreError(f"cannot read {file}: {err}") from err
    return validate_store(store, source=str(file))
