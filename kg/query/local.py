"""Queries run on an Oxigraph store (a build folder's, or its graph files loaded into one): SELECT rows as terms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from kg.errors import QueryError
from kg.query.binding import IRI, AnyTerm, Term, with_values
from kg.query.catalogue import get_query


def term_value(term: object) -> str | None:
    """A result term as plain text: IRIs (as `IRI`, a `str`) and literals as strings, unbound as None."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return IRI(term.value)
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def select(store: ox.Store, sparql: str, *, values: Mapping[ox.Variable, Term] | Mapping[str, Term] | None = None,
           default_graph: Sequence[ox.NamedNode | ox.DefaultGraph] | None = None,
           prefixes: Mapping[str, str] | None = None, label: str = "query"
           ) -> tuple[list[str], list[list[AnyTerm | None]]]:
    """Run a SELECT query on `store` with `values` bound; the column names and the rows of RDF terms.

    The query's default graph is the union of the `default_graph` graphs when given, else of every graph of the
    store. `prefixes` are declared for the query (its own PREFIX lines win).
    """
    text = with_values(sparql, values)
    try:
        if default_graph is not None:
            result = store.query(text, prefixes=dict(prefixes or {}), default_graph=list(default_graph))
        else:
            result = store.query(text, prefixes=dict(prefixes or {}), use_default_graph_as_union=True)
    except (SyntaxError, ValueError, RuntimeError, OSError) as err:
        raise QueryError(f"{label}: {err}") from err
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError(f"{label}: only SELECT queries are supported here")
    columns = [v.value for v in result.variables]
    rows: list[list[AnyTerm | None]] = []
    for solution in result:
        rows.append([solution[c] for c in columns])  # type: ignore[misc]
    return columns, rows


def run(store: ox.Store, sparql: str, *, values: Mapping[ox.Variable, Term] | Mapping[str, Term] | None = None,
        label: str = "query", default_graph: Sequence[ox.NamedNode | ox.DefaultGraph] | None = None
        ) -> tuple[list[str], list[dict[str, str | None]]]:
    """Run a SELECT query on `store`; the column names and the rows as dicts of strings."""
    columns, rows = select(store, sparql, values=values, label=label, default_graph=default_graph)
    return columns, [{c: term_value(t) for c, t in zip(columns, row, strict=True)} for row in rows]


def graph_files(data: Path) -> list[Path]:
    """The graph files of a build folder, asserted first."""
    from kg.store.folder import BuildFolder

    folder = BuildFolder(data)
    folder.require_build()
    return [folder.file(layer) for layer in folder.layers()]


def load_store(data: Path) -> ox.Store:
    """A build folder's graphs: its store `DIR/store` opened read-only while it holds what the graph files hold,
    else the files loaded into an in-memory Oxigraph store (`kg.store.folder.BuildFolder.open_for_queries`); the
    default graph holds their merge."""
    from kg.store.folder import BuildFolder

    return BuildFolder(data).open_for_queries().store


def run_saved(name: str, data: Path, params: Mapping[str, object] | None = None
              ) -> tuple[list[str], list[dict[str, str | None]]]:
    """Run the saved query `name` on the build folder `data`, all its layers (the one query path of `kg query` and
    `kg.open`: `kg.query.graph.QueryGraph.rows`)."""
    from kg.query.graph import open_graph

    get_query(name)  # an unknown name is an error before the folder is opened
    return open_graph(data).rows(name, **dict(params or {}))
