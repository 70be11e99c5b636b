"""Saved SPARQL queries: load `queries/*.rq`, bind parameters safely, run, and format the rows.

A saved query's leading `#` lines are its header:

    # title: Members of an organisation
    # description: States the articles say are members of an organisation, and since when.
    # param organisation = SCO : label or Wikidata QID of the organisation

Parameters are bound as RDF literals through Oxigraph's `substitutions` (never formatted into the query
text), so a value such as `x" } ; DROP ALL ; #` is only ever a value. A parameter must be a projected
variable of the query.
"""

from __future__ import annotations

import csv
import enum
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg.errors import QueryError

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_PARAM = re.compile(r"^#\s*param\s+(?P<name>\w+)\s*(?:=\s*(?P<default>[^:]*?))?\s*(?::\s*(?P<doc>.*))?$")


class OutputFormat(enum.Enum):
    """How `kg query` prints rows."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"


@dataclass(frozen=True)
class Parameter:
    """A named value a saved query accepts."""

    name: str
    default: str | None
    doc: str


@dataclass(frozen=True)
class SavedQuery:
    """One `queries/NAME.rq` file."""

    name: str
    title: str
    description: str
    text: str
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)
    requires: str = ""  # "network" for federated queries (SERVICE), which cannot answer offline


def _parse(path: Path) -> SavedQuery:
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    params: list[Parameter] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = _PARAM.match(line)
        if m:
            default = m.group("default")
            params.append(Parameter(m.group("name"), default.strip() if default else None,
                                    (m.group("doc") or "").strip()))
            continue
        key, sep, value = line.lstrip("# ").partition(":")
        if sep:
            meta[key.strip().lower()] = value.strip()
    return SavedQuery(path.stem, meta.get("title", path.stem), meta.get("description", ""), text, tuple(params),
                      meta.get("requires", ""))


@cache
def saved_queries(directory: Path = QUERIES_DIR) -> dict[str, SavedQuery]:
    """Every saved query, by name."""
    return {p.stem: _parse(p) for p in sorted(directory.glob("*.rq"))}


def get_query(name: str) -> SavedQuery:
    """The saved query `name`, or a QueryError listing the known ones."""
    queries = saved_queries()
    if name not in queries:
        raise QueryError(f"unknown saved query {name!r}; known: {', '.join(queries)}")
    return queries[name]


def bindings(query: SavedQuery, params: Mapping[str, str]) -> dict[ox.Variable, ox.Literal]:
    """Parameter values (given or default) as Oxigraph substitutions; unknown names are errors."""
    known = {p.name: p for p in query.parameters}
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise QueryError(f"query {query.name!r} has no parameter {', '.join(unknown)}; "
                         f"parameters: {', '.join(known) or 'none'}")
    values: dict[ox.Variable, ox.Literal] = {}
    for name, p in known.items():
        value = params.get(name, p.default)
        if value is None or value == "":
            continue
        if not isinstance(value, str) or "\x00" in value:
            raise QueryError(f"query {query.name!r}: parameter {name} must be text, got {value!r}")
        values[ox.Variable(name)] = ox.Literal(value)
    return values


def term_value(term: object) -> str | None:
    """A result term as plain text: IRIs and literals as strings, unbound as None."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def run(store: ox.Store, sparql: str, *, substitutions: Mapping[ox.Variable, ox.Literal] | None = None,
        label: str = "query") -> tuple[list[str], list[dict[str, str | None]]]:
    """Run a SELECT query on `store`; the column names and the rows as dicts of strings."""
    try:
        result = store.query(sparql, substitutions=dict(substitutions or {}), use_default_graph_as_union=True)
    except (SyntaxError, ValueError, RuntimeError, OSError) as err:
        raise QueryError(f"{label}: {err}") from err
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError(f"{label}: only SELECT queries are supported here")
    columns = [v.value for v in result.variables]
    rows = [{c: term_value(sol[c]) for c in columns} for sol in result]
    return columns, rows


def format_rows(columns: list[str], rows: list[dict[str, str | None]], fmt: OutputFormat) -> str:
    """Rows as an aligned text table, CSV, or a JSON array of objects."""
    if fmt is OutputFormat.JSON:
        return json.dumps(rows, ensure_ascii=False, indent=1)
    if fmt is OutputFormat.CSV:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    return _table(columns, rows)


def _table(columns: list[str], rows: list[dict[str, str | None]], width: int = 40) -> str:
    def cell(v: str | None) -> str:
        v = "" if v is None else v.replace("\n", " ")
        return v if len(v) <= width else v[: width - 1] + "…"

    widths = {c: max([len(c), *(len(cell(r[c])) for r in rows)]) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns), "  ".join("-" * widths[c] for c in columns)]
    lines += ["  ".join(cell(r[c]).ljust(widths[c]) for c in columns) for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def graph_files(data: Path) -> list[Path]:
    """The graph files of a build folder, asserted first."""
    files = [data / name for name in ("graph.ttl", "inferred.ttl", "wikidata.ttl") if (data / name).exists()]
    if not files:
        raise QueryError(f"no graph.ttl in {data}; run `kg build … --out {data}` first")
    return files


def load_store(data: Path) -> ox.Store:
    """An in-memory Oxigraph store holding a build folder's graphs."""
    store = ox.Store()
    for path in graph_files(data):
        try:
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
        except (SyntaxError, OSError) as err:
            raise QueryError(f"cannot load {path}: {err}") from err
    return store


def run_saved(name: str, data: Path, params: Mapping[str, str] | None = None
              ) -> tuple[list[str], list[dict[str, str | None]]]:
    """Run the saved query `name` on the build folder `data`."""
    query = get_query(name)
    return run(load_store(data), query.text, substitutions=bindings(query, params or {}), label=f"query {name!r}")
