"""One query path: a built graph (a build folder's store, or its files) or a SPARQL endpoint, asked for some of its
layers. `kg query`, `kg.open(...).query` and the notebook magics all ask through `QueryGraph.select`.

A source answers a SELECT for a choice of layers (`kg.store.layers`: asserted, inferred, wikidata). Both kinds take
the layers from the same named graphs:

- `StoreSource`, an Oxigraph store: a build folder's own store `DIR/store` while it holds what the graph files hold
  (`kg.store.folder.BuildFolder.open_for_queries`), else the files loaded into memory in the same graphs. All its
  layers are read from the default graph (their merge, each triple once, as `kg serve` answers); some of them from
  the union of their layer graphs.
- `EndpointSource`, a SPARQL endpoint, read the same way: all layers from its merge (kg push's merged graph, else
  its default graph when that holds the merge, as `kg serve`'s does), some of them from the union of their layer
  graphs (`kg serve`, `kg push`, `kg.interfaces.api.load_commands`). So a query counts what it counts on the folder.

>>> graph = open_graph("out").using(inferred=False)                   # doctest: +SKIP
>>> graph.rows("members", organisation="SCO")                           # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

import pyoxigraph as ox

from kg.errors import QueryError
from kg.query.binding import AnyTerm, Term, bindings, to_term
from kg.query.catalogue import get_query
from kg.query.hints import NAMES_QUERY, hints
from kg.query.local import select, term_value
from kg.store.layers import LAYER_GRAPHS, LAYERS, MERGED_GRAPH

__all__ = ["DEFAULT_PREFIXES", "EndpointSource", "QueryGraph", "Source", "StoreSource", "is_endpoint", "open_graph",
           "open_source"]

Rows = tuple[list[str], list[list[AnyTerm | None]]]
G = TypeVar("G", bound="QueryGraph")

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
SAVED_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class Source(Protocol):
    """Where a graph's answers come from: the local store and a remote endpoint share this interface."""

    @property
    def name(self) -> str:
        """The folder or the endpoint's URL."""
        ...

    @property
    def available(self) -> tuple[str, ...]:
        """The layers it holds."""
        ...

    def select(self, text: str, values: Mapping[ox.Variable, Term], *, layers: tuple[str, ...],
               prefixes: Mapping[str, str], label: str, isolate: bool) -> Rows:
        """The columns and rows of the SELECT `text` with `values` bound, read from `layers`."""
        ...


@dataclass(frozen=True)
class StoreSource:
    """An Oxigraph store holding each layer in its layer graph and their merge in the default graph."""

    name: str
    store: ox.Store
    available: tuple[str, ...]
    from_store: bool = False  # the folder's own store (else its files loaded in memory)

    def graphs(self, layers: tuple[str, ...]) -> list[ox.NamedNode | ox.DefaultGraph]:
        """The graphs that give `layers`: the default graph for all the store holds, else their layer graphs."""
        if set(layers) >= set(self.available):
            return [ox.DefaultGraph()]
        return [ox.NamedNode(LAYER_GRAPHS[layer]) for layer in layers]

    def select(self, text: str, values: Mapping[ox.Variable, Term], *, layers: tuple[str, ...],
               prefixes: Mapping[str, str], label: str, isolate: bool) -> Rows:
        graphs = self.graphs(layers)

        def run() -> Rows:
            return select(self.store, text, values=values, default_graph=graphs, prefixes=prefixes, label=label)

        if isolate:
            from kg.query.sandbox import isolated

            return isolated(run, label=label)
        return run()


@dataclass
class EndpointSource:
    """A remote SPARQL endpoint and where it keeps kg's graph (asked once): `layers` (each layer in its named
    graph), `merged` (kg push's merge of all graphs in `MERGED_GRAPH`, for stores such as Virtuoso) or `default`
    (in the default graph). `merge` is where the merge of all layers is read (the `default-graph-uri` values: none
    for the default graph), None when the endpoint keeps no merge and all layers are read from their layer graphs."""

    name: str
    timeout: float
    keeps: str | None = None
    available: tuple[str, ...] = LAYERS
    merge: tuple[str, ...] | None = None

    @property
    def url(self) -> str:
        return self.name

    def default_graphs(self, layers: tuple[str, ...]) -> list[str]:
        """The `default-graph-uri` values that give `layers` here, chosen as a folder's store chooses its graphs
        (`StoreSource.graphs`): the merge for all layers, each triple once (the layers overlap, and a union of
        graphs gives a triple once per graph that holds it), else the union of their layer graphs. Raises
        QueryError when the endpoint holds no kg graph at all, rather than answering every query with nothing."""
        if self.keeps is None:
            self.keeps, self.merge = self._check()
        if set(layers) >= set(self.available) and self.merge is not None:
            return list(self.merge)
        if self.keeps == "layers":
            return [LAYER_GRAPHS[layer] for layer in layers]
        raise QueryError(f"the endpoint {self.url} keeps no kg layers in named graphs, so it cannot answer "
                         f"from {' + '.join(layers)} only; load them with `oxigraph load --graph` "
                         "(kg.interfaces.api.load_commands) or `kg push`")

    def select(self, text: str, values: Mapping[ox.Variable, Term], *, layers: tuple[str, ...],
               prefixes: Mapping[str, str], label: str, isolate: bool) -> Rows:
        from kg.query.endpoint import select_endpoint

        return select_endpoint(self.url, text, values=values, prefixes=prefixes,
                               default_graphs=self.default_graphs(layers), timeout=self.timeout, label=label)

    def _has_graph(self, graph: str, label: str) -> bool:
        """Whether the endpoint holds the named graph `graph`. The graph is named in a FILTER: Virtuoso answers
        `ASK { GRAPH <absent> { ?s ?p ?o } }` with true whenever a default graph applies, and then every query
        would read an empty layer without a word."""
        from kg.query.endpoint import ask_endpoint

        return ask_endpoint(self.url, f"ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g = <{graph}>) }}",
                            timeout=self.timeout, label=label)

    def _default_is_merge(self) -> bool:
        """Whether the default graph holds kg's articles, each once: the merge `kg serve`, `kg push` and
        `load_commands` put there. A default graph that is the union of all graphs (Virtuoso's, or a server's
        union-default-graph option) holds an article's type once per graph that has it: article and layer."""
        from kg.query.endpoint import ask_endpoint

        article = f"<{DEFAULT_PREFIXES['kg']}Article>"
        one = f"{{ SELECT ?a WHERE {{ ?a a {article} }} LIMIT 1 }}"
        return ask_endpoint(self.url, f"ASK {{ {{ SELECT (COUNT(*) AS ?n) WHERE {{ {one} ?a a {article} }} }} "
                                      "FILTER(?n = 1) }", timeout=self.timeout, label="default graph check")

    def _check(self) -> tuple[str, tuple[str, ...] | None]:
        """Where the endpoint keeps kg's graph (its layer graphs, else kg push's merged graph, else kg articles in
        its default graph) and where it keeps the merge of all layers (`merge`)."""
        from kg.query.endpoint import ask_endpoint

        asserted = LAYER_GRAPHS["asserted"]
        layers = self._has_graph(asserted, "layer check")
        if self._has_graph(MERGED_GRAPH, "merged graph check"):
            return ("layers" if layers else "merged"), (MERGED_GRAPH,)
        if layers:
            return "layers", (() if self._default_is_merge() else None)
        article = f"{DEFAULT_PREFIXES['kg']}Article"
        if ask_endpoint(self.url, f"ASK {{ ?article a <{article}> }}", timeout=self.timeout, label="graph check"):
            return "default", ()
        raise QueryError(f"the endpoint {self.url} holds no kg graph: neither the layer graph <{asserted}> "
                         "(kg serve, kg push, kg.interfaces.api.load_commands), nor the merged graph "
                         f"<{MERGED_GRAPH}> (kg push --merged-graph), "
                         "nor kg articles in its default graph; load a build there first")


def is_endpoint(source: str | os.PathLike[str]) -> bool:
    """Whether `source` names a SPARQL endpoint (an http:// or https:// URL) rather than a build folder."""
    return isinstance(source, str) and re.match(r"(?i)^https?://", source) is not None


def open_source(source: str | os.PathLike[str], *, timeout: float = 60) -> tuple[Source, dict[str, str]]:
    """The source of a build folder or an endpoint URL, and the prefixes its queries may use undeclared.

    Raises:
        NoBuildError: a folder without graph.ttl.
        StoreError: a graph file cannot be read.
    """
    if is_endpoint(source):
        return EndpointSource(str(source), timeout), dict(DEFAULT_PREFIXES)
    from kg.store.folder import BuildFolder

    folder = BuildFolder(Path(os.fspath(source)))
    data = folder.open_for_queries()
    prefixes = {**DEFAULT_PREFIXES, **folder.prefixes()}
    return StoreSource(str(folder.path), data.store, data.layers, data.from_store), prefixes


@dataclass(frozen=True)
class QueryGraph:
    """A built graph or an endpoint, answering saved queries (by name) and SPARQL text from some of its layers.

    `layers` are the layers that answer (see `using`); `available` those the source holds.
    """

    source: str
    layers: tuple[str, ...]
    available: tuple[str, ...]
    prefixes: dict[str, str]
    _source: Source = field(repr=False)
    isolate: bool = True  # SPARQL text runs in a child process (`kg.query.sandbox`): an engine abort spares the caller

    def using(self: G, *, inferred: bool | None = None, wikidata: bool | None = None) -> G:
        """The same graph answering from other layers: asserted always, plus inferred and Wikidata if asked."""
        want = {"inferred": "inferred" in self.layers if inferred is None else inferred,
                "wikidata": "wikidata" in self.layers if wikidata is None else wikidata}
        layers = tuple(layer for layer in LAYERS if layer == "asserted" or (want[layer] and layer in self.available))
        return self._with_layers(layers)

    def _with_layers(self: G, layers: tuple[str, ...]) -> G:
        from dataclasses import replace

        return replace(self, layers=layers)

    def select(self, query: str, /, **params: object) -> Rows:
        """The column names and the rows of pyoxigraph terms that answer a saved query (by name) or SPARQL text.

        Parameters are bound as RDF terms, never formatted into the query (see `kg.query.binding`): a saved query
        accepts its declared parameters (unknown names and bad values are QueryErrors), SPARQL text any of its
        variables. SPARQL text on a local store runs in a child process unless `isolate` is off.
        """
        if SAVED_NAME.match(query):
            saved = get_query(query)
            text, label, values = saved.text, f"query {query!r}", bindings(saved, params)
        else:
            text, label = query, "query"
            values = {ox.Variable(name): to_term(value, what=f"parameter {name}")
                      for name, value in params.items() if value is not None}
        isolate = self.isolate and label == "query" and isinstance(self._source, StoreSource)
        return self._source.select(text, values, layers=self.layers, prefixes=self.prefixes, label=label,
                                   isolate=isolate)

    def rows(self, query: str, /, **params: object) -> tuple[list[str], list[dict[str, str | None]]]:
        """Like `select`, but the rows as dicts of plain strings (as `kg query` prints them)."""
        columns, rows = self.select(query, **params)
        return columns, [{c: term_value(t) for c, t in zip(columns, row, strict=True)} for row in rows]

    def hints(self, query: str, /, **params: object) -> list[str]:
        """Why a saved query may answer nothing: its `entity` parameters whose values name nothing in the graph,
        each with the closest names the graph has (see `kg.query.hints`); empty for SPARQL text."""
        if not SAVED_NAME.match(query):
            return []
        names: Callable[[], list[str]] = lambda: [r["name"] or "" for r in self.rows(NAMES_QUERY)[1]]  # noqa: E731
        return hints(get_query(query), params, names)


def open_graph(source: str | os.PathLike[str], *, inferred: bool = True, wikidata: bool = True, timeout: float = 60,
               isolate: bool = True) -> QueryGraph:
    """A build folder or an endpoint ready for queries, answering from the asserted layer plus the inferred and
    Wikidata layers when asked and present (`kg.open` gives the same with answers as DataFrames)."""
    found, prefixes = open_source(source, timeout=timeout)
    graph = QueryGraph(found.name, found.available, found.available, prefixes, found, isolate)
    return graph.using(inferred=inferred, wikidata=wikidata)
