"""The Python API: open a build folder or a SPARQL endpoint, ask saved queries or SPARQL, get pandas DataFrames.

`kg.open(DIR)` reads the folder's store `DIR/store` when it holds what the graph files hold, else loads the files
into an in-memory Oxigraph store (`kg.store.folder.BuildFolder.open_for_queries`); either way each layer is in its
own named graph (`kg.store.layers`): `asserted` (graph.ttl, what the articles say), `inferred` (inferred.ttl, what
the reasoner adds) and `wikidata` (wikidata.ttl). `kg.open(URL)` (an http:// or https:// address) asks a SPARQL
endpoint through SPARQLWrapper: `kg serve`, a store filled by `kg push` or by `load_commands` keep the same graphs.
The same saved queries run unchanged on both, through the one query path of `kg query` (`kg.query.graph`);
`inferred=` and `wikidata=` (or `.using()`) choose the layers that answer. `.graph` is the rdflib graph of the same
layers, for walking the graph in Python.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyoxigraph as ox

from kg.errors import QueryError
from kg.query.binding import IRI, AnyTerm
from kg.query.catalogue import saved_queries
from kg.query.graph import DEFAULT_PREFIXES, EndpointSource, QueryGraph, StoreSource, open_graph
from kg.query.hints import UnknownValueWarning
from kg.rdf.terms import shorten
from kg.resources import sample_corpus
from kg.store.folder import BuildFolder
from kg.store.layers import LAYER_FILES, LAYER_GRAPHS, LAYERS

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = ["DEFAULT_PREFIXES", "IRI", "LAYERS", "LAYER_FILES", "LAYER_GRAPHS", "SAMPLE_CORPUS", "KnowledgeGraph",
           "Results", "catalogue", "load_commands", "open", "shorten", "to_frame"]

#: The sample corpus bundled with kg (the folder `kg build` reads when given no PATH).
SAMPLE_CORPUS = sample_corpus()
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
    """A store of the build folder `data` ready for queries (each layer in its named graph, their merge in the
    default graph: its own store when current, else the files in memory), and the layers found.

    Raises StoreError when there is no `graph.ttl` or a file cannot be parsed.
    """
    found = BuildFolder(data).open_for_queries()
    return found.store, found.layers


def load_commands(data: Path, location: Path) -> list[list[str]]:
    """The `oxigraph load` commands that put a build folder's layers in their named graphs of a server's store, and
    their merge in its default graph, as `kg serve` and `kg push` keep them (`kg.store.layers`).

    Served with `oxigraph serve --location LOCATION`, the store answers `kg.open(URL)` layer by layer.
    """
    folder = BuildFolder(data)
    files = [str(folder.file(layer)) for layer in folder.layers()]
    layers = [["oxigraph", "load", "--location", str(location), "--file", str(folder.file(layer)),
               "--graph", LAYER_GRAPHS[layer]] for layer in folder.layers()]
    return [*layers, ["oxigraph", "load", "--location", str(location), "--file", *files]] if files else []


# ---------------------------------------------------------------------------------------------------------------
# Answers as DataFrames


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
class KnowledgeGraph(QueryGraph):
    """A built graph (a folder, in its store or the files loaded) or a SPARQL endpoint, answering queries with
    DataFrames.

    Made by `kg.open`; `layers` are the layers that answer (see `using`). The rows come from the same path as
    `kg query`'s (`kg.query.graph.QueryGraph.select`).
    """

    _graphs: dict[tuple[str, ...], Graph] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_remote(self) -> bool:
        """Whether the answers come from a remote SPARQL endpoint."""
        return isinstance(self._source, EndpointSource)

    @property
    def store(self) -> ox.Store:
        """The pyoxigraph store that answers (each layer in its named graph, `LAYER_GRAPHS`); local graphs only."""
        if not isinstance(self._source, StoreSource):
            raise QueryError(f"{self.source} is a remote endpoint: it has no local store")
        return self._source.store

    def using(self, *, inferred: bool | None = None, wikidata: bool | None = None) -> KnowledgeGraph:
        """The same graph answering from other layers: asserted always, plus inferred and Wikidata if asked.

        >>> kb.using(inferred=False, wikidata=False).query("co-members")   # asserted triples only # doctest: +SKIP
        """
        return super().using(inferred=inferred, wikidata=wikidata)

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

    @property
    def graph(self) -> Graph:
        """The rdflib graph of the same layers (copied from the store on first use), for walking it in Python.

        On an endpoint, a read-only rdflib graph over it (rdflib's SPARQLStore) reading the graphs queries read:
        its merge for all layers, else one graph per layer, read together.
        """
        if self.layers not in self._graphs:
            from rdflib import Graph

            if isinstance(self._source, EndpointSource):
                from rdflib import URIRef
                from rdflib.graph import ReadOnlyGraphAggregate
                from rdflib.plugins.stores.sparqlstore import SPARQLStore

                store = SPARQLStore(query_endpoint=self._source.url, returnFormat="json")
                layers = self._source.default_graphs(self.layers)
                graph = ReadOnlyGraphAggregate([Graph(store=store, identifier=URIRef(g)) for g in layers]) \
                    if layers else Graph(store=store, bind_namespaces="none")
            else:
                graph = self._local_graph()
            self._graphs[self.layers] = graph
        return self._graphs[self.layers]

    def _local_graph(self) -> Graph:
        """The chosen layers copied from the store that answers into an rdflib graph over Oxigraph (no Turtle file
        parsed again): the default graph for all layers, else the union of their layer graphs."""
        from kg.rdf.terms import OxigraphGraph

        source = self._source
        assert isinstance(source, StoreSource)
        graph = OxigraphGraph()
        for name in source.graphs(self.layers):
            graph.oxigraph.bulk_extend(ox.Quad(q.subject, q.predicate, q.object)
                                       for q in source.store.quads_for_pattern(None, None, None, name))
        for prefix, namespace in self.prefixes.items():
            graph.bind(prefix, namespace, override=True)
        return graph

    def __repr__(self) -> str:
        where = ""
        if isinstance(self._source, StoreSource):
            where = ", from its store" if self._source.from_store else ", from its files"
        return f"<KnowledgeGraph {self.source} ({' + '.join(self.layers)}{where})>"


def open(source: str | os.PathLike[str], *, inferred: bool = True, wikidata: bool = True,  # noqa: A001
         timeout: float = 60, isolate: bool = True) -> KnowledgeGraph:
    """Open a build folder (`kg build … --out DIR`) or a SPARQL endpoint (an http:// or https:// URL).

    A folder is read from its store `DIR/store` when that holds what the graph files hold (no file is parsed),
    else from its files loaded into an in-memory Oxigraph store; an endpoint is asked through SPARQLWrapper
    (`timeout` in seconds per query). The answers come from the asserted triples, plus the inferred ones
    (`inferred`) and the Wikidata links and enrichment (`wikidata`) when the folder has them. SPARQL text (not a
    saved query) on a folder runs in a child process, so that an abort of the engine on it cannot kill the caller
    (a notebook's kernel; see `kg.query.sandbox`); `isolate=False` runs it in this process.

    Raises StoreError when the folder has no graph.ttl.

    >>> kb = kg.open("out", inferred=False)                             # doctest: +SKIP
    """
    found = open_graph(source, inferred=inferred, wikidata=wikidata, timeout=timeout, isolate=isolate)
    return KnowledgeGraph(found.source, found.layers, found.available, found.prefixes, found._source, found.isolate)
