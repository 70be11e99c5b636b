"""The Python API: open a build folder or a SPARQL endpoint, ask saved queries or SPARQL, get pandas DataFrames.

`kg.open(DIR)` loads the folder's layers into an embedded Oxigraph store (fast joins on large graphs), each layer
in its own named graph: `asserted` (graph.ttl, what the articles say), `inferred` (inferred.ttl, what the reasoner
adds) and `wikidata` (wikidata.ttl). `kg.open(URL)` (an http:// or https:// address) asks a SPARQL endpoint
through SPARQLWrapper. The same saved queries run unchanged on both; `inferred=` and `wikidata=` (or `.using()`)
choose the layers that answer. `.graph` is the rdflib graph of the same layers, for walking the graph in Python.

>>> import kg
>>> kb = kg.open("out")                                            # doctest: +SKIP
>>> kb.query("members", organisation="SCO")                         # doctest: +SKIP
>>> kb.using(inferred=False).query("SELECT (COUNT(*) AS ?n) { ?s kg:coMemberOf ?o }")   # doctest: +SKIP
"""

from __future__ import annotations

import datetime
import os
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyoxigraph as ox

from kg.errors import QueryError, StoreError
from kg.query.binding import IRI, AnyTerm, Term, bindings, to_term
from kg.query.catalogue import get_query, saved_queries
from kg.query.hints import NAMES_QUERY, UnknownValueWarning, hints
from kg.query.local import select, term_value
from kg.resources import sample_corpus

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = ["LAYERS", "LAYER_FILES", "LAYER_GRAPHS", "SAMPLE_CORPUS", "KnowledgeGraph", "Results", "catalogue",
           "load_commands", "open", "shorten", "to_frame"]

#: The layers of a build folder, in the order they are loaded.
LAYERS = ("asserted", "inferred", "wikidata")
LAYER_FILES = {"asserted": "graph.ttl", "inferred": "inferred.ttl", "wikidata": "wikidata.ttl"}
#: The named graph of each layer, in the embedded store and on an endpoint loaded with `load_commands`.
LAYER_GRAPHS = {layer: f"https://w3id.org/kg-news/graph/{layer}" for layer in LAYERS}
#: The sample corpus bundled with kg (the folder `kg build` reads when given no PATH).
SAMPLE_CORPUS = sample_corpus()
#: Prefixes for endpoints, whose files kg cannot read: those `kg build` writes (kg.rdf.mapping.PREFIXES).
DEFAULT_PREFIXES = {
    "kg": "https://w3id.org/kg-news/ontology#", "kgid": "https://w3id.org/kg-news/id/",
    "wd": "http://www.wikidata.org/entity/", "wdt": "http://www.wikidata.org/prop/direct/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "prov": "http://www.w3.org/ns/prov#", "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#", "schema": "https://schema.org/",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/", "wikibase": "http://wikiba.se/ontology#",
    "p": "http://www.wikidata.org/prop/", "ps": "http://www.wikidata.org/prop/statement/",
    "pq": "http://www.wikidata.org/prop/qualifier/", "pqv": "http://www.wikidata.org/prop/qualifier/value/",
}
_SAVED_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_PREFIX_LINE = re.compile(r"^@prefix\s+([\w.-]*):\s*<([^>]*)>\s*\.\s*$")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {_XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                                 "negativeInteger", "nonPositiveInteger", "unsignedLong", "unsignedInt",
                                 "unsignedShort", "unsignedByte")}
_REALS = {_XSD + t for t in ("decimal", "double", "float")}
_DATES = {_XSD + t for t in ("date", "dateTime", "dateTimeStamp", "gYear", "gYearMonth")}
_STRINGS = {_XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}


# ---------------------------------------------------------------------------------------------------------------
# Build folders and endpoints


def load_layers(data: Path) -> tuple[ox.Store, tuple[str, ...]]:
    """An in-memory store of the build folder `data`, each layer in its named graph, and the layers found.

    Raises StoreError when there is no `graph.ttl` or a file cannot be parsed.
    """
    if not (data / LAYER_FILES["asserted"]).is_file():
        raise StoreError(f"no graph.ttl in {data}; run `kg build … --out {data}` first")
    store = ox.Store()
    found = []
    for layer in LAYERS:
        path = data / LAYER_FILES[layer]
        if path.is_file():
            try:
                store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE,
                                to_graph=ox.NamedNode(LAYER_GRAPHS[layer]))
            except (SyntaxError, OSError, ValueError) as err:
                raise StoreError(f"cannot load {path}: {err}") from err
            found.append(layer)
    return store, tuple(found)


def file_prefixes(paths: Iterable[Path]) -> dict[str, str]:
    """The `@prefix` lines at the top of Turtle files, prefix → namespace (the first file wins)."""
    prefixes: dict[str, str] = {}
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                m = _PREFIX_LINE.match(line)
                if m is None:
                    break
                prefixes.setdefault(m.group(1), m.group(2))
    return prefixes


def load_commands(data: Path, location: Path) -> list[list[str]]:
    """The `oxigraph load` commands that put a build folder's layers in their named graphs of a server's store.

    Served with `oxigraph serve --location LOCATION`, the store answers `kg.open(URL)` layer by layer.
    """
    return [["oxigraph", "load", "--location", str(location), "--file", str(data / LAYER_FILES[layer]),
             "--graph", LAYER_GRAPHS[layer]] for layer in LAYERS if (data / LAYER_FILES[layer]).is_file()]


@dataclass
class _Endpoint:
    """A remote endpoint and where it keeps kg's graph (asked once): `layers` (each layer in its named graph),
    `merged` (kg push's merge of all graphs in `kg.store.push.MERGED_GRAPH`, for stores such as Virtuoso) or `default`
    (in the default graph)."""

    url: str
    timeout: float
    keeps: str | None = None

    def default_graphs(self, layers: tuple[str, ...]) -> list[str]:
        """The `default-graph-uri` values that give `layers` here; raises QueryError when the endpoint holds no kg
        graph at all, rather than answering every query with nothing."""
        from kg.store.push import MERGED_GRAPH

        if self.keeps is None:
            self.keeps = self._check()
        if self.keeps == "layers":
            return [LAYER_GRAPHS[layer] for layer in layers]
        if layers != LAYERS:
            raise QueryError(f"the endpoint {self.url} keeps no kg layers in named graphs, so it cannot answer "
                             f"from {' + '.join(layers)} only; load them with `oxigraph load --graph` "
                             "(kg.interfaces.api.load_commands)")
        return [MERGED_GRAPH] if self.keeps == "merged" else []

    def _has_graph(self, graph: str, label: str) -> bool:
        """Whether the endpoint holds the named graph `graph`. The graph is named in a FILTER: Virtuoso answers
        `ASK { GRAPH <absent> { ?s ?p ?o } }` with true whenever a default graph applies, and then every query
        would read an empty layer without a word."""
        from kg.query.endpoint import ask_endpoint

        return ask_endpoint(self.url, f"ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g = <{graph}>) }}",
                            timeout=self.timeout, label=label)

    def _check(self) -> str:
        """Where the endpoint keeps kg's graph: its layer graphs, else kg push's merged graph, else kg articles in
        its default graph."""
        from kg.query.endpoint import ask_endpoint
        from kg.store.push import MERGED_GRAPH

        asserted = LAYER_GRAPHS["asserted"]
        if self._has_graph(asserted, "layer check"):
            return "layers"
        if self._has_graph(MERGED_GRAPH, "merged graph check"):
            return "merged"
        article = f"{DEFAULT_PREFIXES['kg']}Article"
        if ask_endpoint(self.url, f"ASK {{ ?article a <{article}> }}", timeout=self.timeout, label="graph check"):
            return "default"
        raise QueryError(f"the endpoint {self.url} holds no kg graph: neither the layer graph <{asserted}> "
                         f"(kg.interfaces.api.load_commands), nor the merged graph <{MERGED_GRAPH}> "
                         "(kg push --merged-graph), "
                         "nor kg articles in its default graph (kg push); load a build there first")


# ---------------------------------------------------------------------------------------------------------------
# Answers as DataFrames


def shorten(iri: str, prefixes: Mapping[str, str]) -> str:
    """`iri` as a prefixed name when a namespace of `prefixes` starts it, else unchanged.

    >>> shorten("https://w3id.org/kg-news/id/Q159", {"kgid": "https://w3id.org/kg-news/id/"})
    'kgid:Q159'
    """
    best = ""
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace) and len(iri) > len(namespace) and len(namespace) > len(prefixes.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(prefixes[best]):]}" if best in prefixes and iri.startswith(prefixes[best]) else iri


class Results(pd.DataFrame):
    """A query's answer: a pandas DataFrame whose IRIs (`kg.query.binding.IRI` values) show as prefixed names.

    The values stay full IRIs (`df.member[0]` is the whole IRI and binds as an IRI when passed back as a
    parameter); only the display (`repr`, Jupyter's HTML) shortens them with the graph's prefixes.
    """

    _metadata = ["prefixes"]
    prefixes: dict[str, str] = {}  # pandas metadata, set per instance

    @property
    def _constructor(self) -> type[Results]:
        return Results

    def shortened(self) -> pd.DataFrame:
        """A plain DataFrame for display: IRIs written as prefixed names, blanks as blanks (not NaN, NaT or <NA>).

        Dates show as days; a column with a blank shows its values as text (the frame itself keeps its types).
        """
        frame = pd.DataFrame(self)
        for column in frame.columns:
            values = frame[column]
            if values.dtype == object:
                values = values.map(lambda v: shorten(v, self.prefixes) if isinstance(v, IRI) else v)
            dates = values.dropna()
            if pd.api.types.is_datetime64_any_dtype(values) and (dates.dt.normalize() == dates).all():
                values = values.dt.strftime("%Y-%m-%d")
            missing = values.isna()
            if missing.any():
                values = values.astype(object).where(~missing, "")
            frame[column] = values
        return frame

    def __repr__(self) -> str:
        return repr(self.shortened())

    def _repr_html_(self) -> str | None:
        return self.shortened()._repr_html_()


def to_frame(columns: Sequence[str], rows: Sequence[Sequence[AnyTerm | None]],
             prefixes: Mapping[str, str] | None = None) -> Results:
    """Rows of RDF terms as a typed DataFrame: numbers as numbers, dates as datetimes, IRIs as `IRI` values.

    A column of integers is `Int64` (nullable), of other numbers `float64`, of dates (`xsd:date`, `dateTime`,
    `gYear`, `gYearMonth`: a partial date is its first day; a time zone is converted to UTC) `datetime64`, of
    booleans `boolean`, of strings `str`; a column mixing kinds holds Python values. Unbound cells are missing.
    """
    data = {name: _column([row[i] for row in rows]) for i, name in enumerate(columns)}
    frame = Results(data, columns=list(columns))
    frame.prefixes = dict(prefixes or {})
    return frame


def _column(cells: list[AnyTerm | None]) -> Any:
    kinds = {_kind(c) for c in cells if c is not None}
    if not kinds:
        return pd.Series([None] * len(cells), dtype=object)
    if kinds <= {"integer"}:
        try:
            return pd.array([None if c is None else int(c.value) for c in cells], dtype="Int64")
        except ValueError:
            pass
    elif kinds <= {"integer", "real"}:
        try:
            return pd.array([None if c is None else float(c.value) for c in cells], dtype="float64")
        except ValueError:
            pass
    elif kinds == {"date"}:
        try:
            return pd.to_datetime(pd.Series([None if c is None else _timestamp(c)  # type: ignore[arg-type]
                                             for c in cells], dtype=object))
        except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
            pass
    elif kinds == {"boolean"}:
        return pd.array([None if c is None else c.value in ("true", "1") for c in cells], dtype="boolean")
    elif kinds == {"string"}:
        return pd.Series([None if c is None else c.value for c in cells], dtype=object).astype("str")
    return pd.Series([_python(c) for c in cells], dtype=object)


def _kind(term: AnyTerm) -> str:
    if isinstance(term, ox.NamedNode):
        return "iri"
    if isinstance(term, ox.BlankNode):
        return "bnode"
    datatype = term.datatype.value
    if datatype in _INTEGERS:
        return "integer"
    if datatype in _REALS:
        return "real"
    if datatype in _DATES:
        return "date"
    if datatype == _XSD + "boolean":
        return "boolean"
    return "string" if datatype in _STRINGS else "other"


def _timestamp(term: ox.Literal) -> pd.Timestamp:
    """An xsd date, dateTime, gYear or gYearMonth as a naive Timestamp (UTC; a partial date is its first day)."""
    text, datatype = term.value.strip(), term.datatype.value
    if datatype.endswith(("gYear", "gYearMonth", "#date")):
        m = re.fullmatch(r"(-?\d{4,})(?:-(\d\d))?(?:-(\d\d))?(Z|[+-]\d\d:\d\d)?", text)
        if m is None:
            raise ValueError(text)
        return pd.Timestamp(datetime.date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)))
    stamp = pd.Timestamp(text)
    return stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo is not None else stamp


def _python(term: AnyTerm | None) -> object:
    """A term as a Python value, for columns that mix kinds."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return IRI(term.value)
    if isinstance(term, ox.BlankNode):
        return str(term)
    kind = _kind(term)
    try:
        if kind == "integer":
            return int(term.value)
        if kind == "real":
            return float(term.value)
        if kind == "date":
            return _timestamp(term)
        if kind == "boolean":
            return term.value in ("true", "1")
    except (ValueError, OverflowError):
        pass
    return term.value


def catalogue() -> pd.DataFrame:
    """The saved queries: name, title, description and parameters (`name=default`)."""
    return pd.DataFrame([{"name": q.name, "title": q.title, "description": q.description,
                          "parameters": ", ".join(f"{p.name}={p.default or ''}" for p in q.parameters)}
                         for q in saved_queries().values()])


# ---------------------------------------------------------------------------------------------------------------
# The object `kg.open` returns


@dataclass(frozen=True)
class KnowledgeGraph:
    """A built graph (a folder, in an embedded store) or a SPARQL endpoint, answering queries with DataFrames.

    Made by `kg.open`; `layers` are the layers that answer (see `using`).
    """

    source: str
    layers: tuple[str, ...]
    available: tuple[str, ...]
    prefixes: dict[str, str]
    _store: ox.Store | None = field(default=None, repr=False)
    _endpoint: _Endpoint | None = field(default=None, repr=False)
    _graphs: dict[tuple[str, ...], Graph] = field(default_factory=dict, repr=False, compare=False)
    isolate: bool = True  # SPARQL text runs in a child process (`kg.query.sandbox`): an engine abort spares the kernel

    @property
    def is_remote(self) -> bool:
        """Whether the answers come from a remote SPARQL endpoint."""
        return self._endpoint is not None

    @property
    def store(self) -> ox.Store:
        """The embedded pyoxigraph store (each layer in its named graph, `LAYER_GRAPHS`); local graphs only."""
        if self._store is None:
            raise QueryError(f"{self.source} is a remote endpoint: it has no local store")
        return self._store

    def using(self, *, inferred: bool | None = None, wikidata: bool | None = None) -> KnowledgeGraph:
        """The same graph answering from other layers: asserted always, plus inferred and Wikidata if asked.

        >>> kb.using(inferred=False, wikidata=False).query("co-members")   # asserted triples only # doctest: +SKIP
        """
        want = {"inferred": "inferred" in self.layers if inferred is None else inferred,
                "wikidata": "wikidata" in self.layers if wikidata is None else wikidata}
        layers = tuple(layer for layer in LAYERS if layer == "asserted" or (want[layer] and layer in self.available))
        return KnowledgeGraph(self.source, layers, self.available, self.prefixes, self._store, self._endpoint,
                              self._graphs, self.isolate)

    def query(self, query: str, /, **params: object) -> Results:
        """The answer to a saved query (by name) or to SPARQL text, as a typed DataFrame.

        Parameters are bound as RDF terms, never formatted into the query (see `kg.query.binding`): a saved query
        accepts its declared parameters (unknown names and bad values are QueryErrors), SPARQL text any of its
        variables. The graph's prefixes (kg:, kgid:, wd:, rdfs: …) need not be declared.
        """
        columns, rows = self.select(query, **params)
        if not rows:
            for message in self.hints(query, **params):
                warnings.warn(message, UnknownValueWarning, stacklevel=2)
        return to_frame(columns, rows, self.prefixes)

    def hints(self, query: str, /, **params: object) -> list[str]:
        """Why a saved query may answer nothing: its `entity` parameters whose values name nothing in the graph,
        each with the closest names the graph has (see `kg.query.hints`); empty for SPARQL text."""
        if not _SAVED_NAME.match(query):
            return []
        return hints(get_query(query), params, lambda: [r["name"] or "" for r in self.rows(NAMES_QUERY)[1]])

    def rows(self, query: str, /, **params: object) -> tuple[list[str], list[dict[str, str | None]]]:
        """Like `query`, but the column names and the rows as dicts of plain strings (as `kg query` prints them)."""
        columns, rows = self.select(query, **params)
        return columns, [{c: term_value(t) for c, t in zip(columns, row, strict=True)} for row in rows]

    def select(self, query: str, /, **params: object) -> tuple[list[str], list[list[AnyTerm | None]]]:
        """Like `query`, but the column names and the rows of pyoxigraph terms."""
        if _SAVED_NAME.match(query):
            saved = get_query(query)
            text, label, values = saved.text, f"query {query!r}", bindings(saved, params)
        else:
            text, label = query, "query"
            values = {ox.Variable(name): to_term(value, what=f"parameter {name}")
                      for name, value in params.items() if value is not None}
        return self._select(text, values, label)

    def _select(self, text: str, values: Mapping[ox.Variable, Term], label: str
                ) -> tuple[list[str], list[list[AnyTerm | None]]]:
        if self._endpoint is not None:
            from kg.query.endpoint import select_endpoint

            return select_endpoint(self._endpoint.url, text, values=values, prefixes=self.prefixes,
                                   default_graphs=self._endpoint.default_graphs(self.layers),
                                   timeout=self._endpoint.timeout, label=label)
        graphs = [ox.NamedNode(LAYER_GRAPHS[layer]) for layer in self.layers]

        def run() -> tuple[list[str], list[list[AnyTerm | None]]]:
            return select(self.store, text, values=values, default_graph=graphs, prefixes=self.prefixes,
                          label=label)

        if self.isolate and label == "query":  # SPARQL text from the user, not a saved query
            from kg.query.sandbox import isolated

            return isolated(run, label=label)
        return run()

    @property
    def graph(self) -> Graph:
        """The rdflib graph of the same layers (parsed on first use), for walking it in Python.

        On an endpoint, a read-only rdflib graph over it (rdflib's SPARQLStore; one graph per layer when the
        endpoint keeps them in named graphs, read together).
        """
        if self.layers not in self._graphs:
            from rdflib import Graph

            if self._endpoint is not None:
                from rdflib import URIRef
                from rdflib.graph import ReadOnlyGraphAggregate
                from rdflib.plugins.stores.sparqlstore import SPARQLStore

                store = SPARQLStore(query_endpoint=self._endpoint.url, returnFormat="json")
                layers = self._endpoint.default_graphs(self.layers)
                graph = ReadOnlyGraphAggregate([Graph(store=store, identifier=URIRef(g)) for g in layers]) \
                    if layers else Graph(store=store, bind_namespaces="none")
            else:
                graph = Graph(bind_namespaces="none")
                for layer in self.layers:
                    graph.parse(Path(self.source) / LAYER_FILES[layer], format="turtle")
                for prefix, namespace in self.prefixes.items():
                    graph.bind(prefix, namespace, override=True)
            self._graphs[self.layers] = graph
        return self._graphs[self.layers]

    def __repr__(self) -> str:
        size = f", {len(self._store)} triples loaded" if self._store is not None else ""
        return f"<KnowledgeGraph {self.source} ({' + '.join(self.layers)}{size})>"


def open(source: str | os.PathLike[str], *, inferred: bool = True, wikidata: bool = True,  # noqa: A001
         timeout: float = 60, isolate: bool = True) -> KnowledgeGraph:
    """Open a build folder (`kg build … --out DIR`) or a SPARQL endpoint (an http:// or https:// URL).

    A folder is loaded into an embedded Oxigraph store; an endpoint is asked through SPARQLWrapper (`timeout` in
    seconds per query). The answers come from the asserted triples, plus the inferred ones (`inferred`) and
    the Wikidata links and enrichment (`wikidata`) when the folder has them. SPARQL text (not a saved query) on
    a folder runs in a child process, so that an abort of the engine on it cannot kill the caller (a notebook's
    kernel; see `kg.query.sandbox`); `isolate=False` runs it in this process.

    Raises StoreError when the folder has no graph.ttl.

    >>> kb = kg.open("out", inferred=False)                             # doctest: +SKIP
    """
    text = os.fspath(source)
    if isinstance(source, str) and re.match(r"(?i)^https?://", text):
        kb = KnowledgeGraph(text, LAYERS, LAYERS, dict(DEFAULT_PREFIXES), _endpoint=_Endpoint(text, timeout))
    else:
        data = Path(text)
        store, found = load_layers(data)
        prefixes = {**DEFAULT_PREFIXES, **file_prefixes(data / LAYER_FILES[layer] for layer in found)}
        kb = KnowledgeGraph(str(data), found, found, prefixes, _store=store, isolate=isolate)
    return kb.using(inferred=inferred, wikidata=wikidata)
