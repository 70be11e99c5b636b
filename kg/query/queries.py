"""Saved SPARQL queries: load `queries/*.rq`, bind parameters safely, run, and format the rows.

A saved query's leading `#` lines are its header:

    # title: Members of an organisation
    # description: States the articles say are members of an organisation, and since when.
    # param organisation = SCO : label or Wikidata QID of the organisation
    # param year (integer) = : only this year (empty: every year)
    # param scope (alliances|all) = alliances : one of the listed values

A parameter's type, in parentheses, is `text` (the default), `entity` (text naming something in the graph: a
label, name, QID or IRI; an empty answer for a value that names nothing gets a hint, see `kg.query.hints`), `integer`,
`decimal`, `date`, `iri` (a full IRI or a prefixed name the query declares) or a list of allowed values; a value
that does not fit is a QueryError.

Parameters are bound the same way on the local store and on a remote endpoint: each value becomes an RDF term
(pyoxigraph's `Literal` or `NamedNode`, never user text) and the query runs with a `VALUES` block of these terms at
the top of its WHERE clause — the initial-bindings semantics of rdflib's `initBindings`. The block is text because
the SPARQL protocol has no other way to send bindings to an endpoint, and the same text runs locally so that a
saved query cannot answer differently on the files and on a server. The terms are written by pyoxigraph's
N-Triples serialiser, which escapes quotes, backslashes and line breaks, so a value such as
`x" } ; DROP ALL ; #` stays one literal; blank nodes, which VALUES cannot hold, are refused. A parameter is seen
by the whole WHERE clause except the inside of sub-SELECTs, and need not be projected.
"""

from __future__ import annotations

import csv
import datetime
import enum
import io
import json
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg.errors import QueryError
from kg.resources import directory

QUERIES_DIR = directory("queries")  # the top-level queries/, shipped as kg.resources.queries
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_PARAM = re.compile(r"^#\s*param\s+(?P<name>\w+)\s*(?:\((?P<kind>[^)]*)\))?\s*(?:=\s*(?P<default>[^:]*?))?\s*"
                    r"(?::\s*(?P<doc>.*))?$")
KINDS = ("text", "entity", "integer", "decimal", "date", "iri")


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
    kind: str = "text"  # one of KINDS, or allowed values separated by "|"

    @property
    def choices(self) -> tuple[str, ...]:
        """The allowed values, when the parameter's type lists them."""
        return tuple(self.kind.split("|")) if self.kind not in KINDS else ()


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
                                    (m.group("doc") or "").strip(), (m.group("kind") or "text").strip()))
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


class IRI(str):
    """An IRI in a query answer: the full IRI as a `str`; passed back as a parameter it is bound as an IRI.

    >>> IRI("https://w3id.org/kg-news/id/Q159") == "https://w3id.org/kg-news/id/Q159"
    True
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"IRI({str.__repr__(self)})"


Term = ox.NamedNode | ox.Literal
AnyTerm = ox.NamedNode | ox.Literal | ox.BlankNode
_XSD = "http://www.w3.org/2001/XMLSchema#"
_VARIABLE = re.compile(r"^\w+$")


def bindings(query: SavedQuery, params: Mapping[str, object]) -> dict[ox.Variable, Term]:
    """Parameter values (given or default) as RDF terms of their declared types; unknown names are errors."""
    known = {p.name: p for p in query.parameters}
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise QueryError(f"query {query.name!r} has no parameter {', '.join(unknown)}; "
                         f"parameters: {', '.join(known) or 'none'}")
    values: dict[ox.Variable, Term] = {}
    for name, p in known.items():
        value = params.get(name, p.default)
        if value is None or value == "":
            continue
        values[ox.Variable(name)] = to_term(value, kind=p.kind, prefixes=declared_prefixes(query.text),
                                            what=f"query {query.name!r}: parameter {name}")
    return values


def to_term(value: object, *, kind: str = "text", prefixes: Mapping[str, str] | None = None,
            what: str = "parameter") -> Term:
    r"""`value` as the RDF term a parameter of type `kind` is bound to, or a QueryError naming `what`.

    For `text`, the Python type decides: `str` → plain literal; `IRI`, rdflib `URIRef` or pyoxigraph `NamedNode`
    → IRI; `int`, `float`, `Decimal`, `bool`, `date`, `datetime` → typed literals; RDF literals as they are.

    >>> print(to_term('x" } ; DROP ALL ; #'))
    "x\" } ; DROP ALL ; #"
    >>> print(to_term("2018", kind="integer"))
    "2018"^^<http://www.w3.org/2001/XMLSchema#integer>
    """
    from rdflib.term import BNode, Identifier, URIRef
    from rdflib.term import Literal as RdfLiteral

    if isinstance(value, ox.BlankNode | BNode):
        raise QueryError(f"{what}: a blank node cannot be bound (VALUES holds IRIs and literals only)")
    if isinstance(value, str) and "\x00" in value:
        raise QueryError(f"{what}: a value cannot contain NUL characters")
    if kind not in KINDS:
        choices = [c.strip() for c in kind.split("|")]
        if str(value) not in choices:
            raise QueryError(f"{what} must be one of {', '.join(choices)}; got {value!r}")
        return ox.Literal(str(value))
    if kind == "iri":
        return _iri(value, prefixes or {}, what)
    if kind not in ("text", "entity"):
        return _typed(value, kind, what)
    if isinstance(value, ox.NamedNode | ox.Literal):
        return value
    if isinstance(value, IRI | URIRef):
        return _iri(str(value), {}, what)
    if isinstance(value, RdfLiteral):
        if value.language:
            return ox.Literal(str(value), language=value.language)
        return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype)) if value.datatype else None)
    if isinstance(value, Identifier):
        raise QueryError(f"{what}: cannot bind {type(value).__name__} {value!r}")
    if isinstance(value, str):
        return ox.Literal(value)
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(_XSD + "boolean"))
    if isinstance(value, numbers.Integral):
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(_XSD + "integer"))
    if isinstance(value, Decimal) and value.is_finite():
        return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + "decimal"))
    if isinstance(value, numbers.Real) and math.isfinite(float(value)):
        return ox.Literal(repr(float(value)), datatype=ox.NamedNode(_XSD + "double"))
    if isinstance(value, datetime.datetime):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(_XSD + "dateTime"))
    if isinstance(value, datetime.date):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(_XSD + "date"))
    raise QueryError(f"{what} must be text, a finite number, a date or an IRI; got {type(value).__name__} "
                     f"{value!r}")


def _iri(value: object, prefixes: Mapping[str, str], what: str) -> ox.NamedNode:
    text = str(value)
    prefix, sep, local = text.partition(":")
    if sep and prefix in prefixes and not local.startswith("//"):
        text = prefixes[prefix] + local
    try:
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", text):
            raise ValueError("not an absolute IRI")
        return ox.NamedNode(text)
    except ValueError as err:
        known = f" or a prefixed name ({', '.join(f'{p}:' for p in prefixes)})" if prefixes else ""
        raise QueryError(f"{what} must be an IRI{known}; got {value!r} ({err})") from err


def _typed(value: object, kind: str, what: str) -> ox.Literal:
    text = value.isoformat() if isinstance(value, datetime.date) else str(value).strip()
    try:
        if isinstance(value, bool):
            raise ValueError("a boolean")
        if kind == "integer":
            if not re.fullmatch(r"[+-]?\d+", text):
                raise ValueError(text)
            text = str(int(text))
        elif kind == "decimal":
            number = Decimal(text)
            if not number.is_finite():
                raise ValueError(text)
            text = str(number)
        else:
            text = datetime.date.fromisoformat(text[:10] if isinstance(value, datetime.datetime) else text).isoformat()
    except (ValueError, ArithmeticError) as err:
        raise QueryError(f"{what} must be {'an' if kind == 'integer' else 'a'} {kind}; got {value!r}") from err
    return ox.Literal(text, datatype=ox.NamedNode(_XSD + kind))


def declared_prefixes(sparql: str) -> dict[str, str]:
    """The PREFIX declarations of a query's text, prefix → namespace IRI."""
    return {m.group(1): m.group(2) for m in re.finditer(r"(?im)^\s*PREFIX\s+([\w.-]*):\s*<([^>]*)>", sparql)}


_LEXEMES = re.compile(r"""
    \#[^\n\r]*                                                              # comment
  | '''(?:[^'\\]|\\.|'(?!''))*''' | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"    # long strings
  | '(?:[^'\\\n\r]|\\.)*' | "(?:[^"\\\n\r]|\\.)*"                           # strings
  | <[^<>"{}|^`\\\x00-\x20]*>                                               # IRIs
""", re.VERBOSE | re.DOTALL)
_FORM = re.compile(r"(?is)\s*(?:(?:PREFIX\s+[\w.-]*:|BASE)\s*)*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b")


def where_start(sparql: str) -> int:
    """The offset just after the `{` that opens the WHERE clause of a SELECT or ASK query.

    Comments, strings and IRIs are skipped, and so are braces inside the parentheses of the SELECT clause.

    >>> q = 'SELECT ?x WHERE { ?x <urn:p> "{" }'
    >>> q[:where_start(q)]
    'SELECT ?x WHERE {'
    """
    blank = _LEXEMES.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), sparql)
    form = _FORM.match(blank)
    if form is None or form.group(1).upper() not in ("SELECT", "ASK"):
        raise QueryError("parameters can be bound in SELECT and ASK queries only")
    depth = 0
    for i in range(form.end(), len(blank)):
        char = blank[i]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "{" and depth == 0:
            return i + 1
    raise QueryError("the query has no WHERE clause to bind parameters in")


def with_values(sparql: str, values: Mapping[ox.Variable, Term] | Mapping[str, Term] | None) -> str:
    r"""The query with `VALUES (?name…) { (term…) }` at the top of its WHERE clause (see the module docstring).

    The block goes on the line of the opening brace, so the query's line numbers stay as they were.

    >>> print(with_values("SELECT ?s WHERE { ?s ?p ?o }", {"o": ox.Literal('x" } ; DROP ALL ; #')}))
    SELECT ?s WHERE { VALUES (?o) { ("x\" } ; DROP ALL ; #") } ?s ?p ?o }
    """
    if not values:
        return sparql
    names: list[str] = []
    terms: list[str] = []
    for variable, term in values.items():
        name = variable.value if isinstance(variable, ox.Variable) else str(variable)
        if not _VARIABLE.match(name):
            raise QueryError(f"{name!r} is not a SPARQL variable name")
        if not isinstance(term, ox.NamedNode | ox.Literal):
            raise QueryError(f"parameter {name}: only IRIs and literals can be bound, got {term!r}")
        names.append(f"?{name}")
        terms.append(str(term))  # N-Triples syntax written by pyoxigraph, never the raw value
    at = where_start(sparql)
    return f"{sparql[:at]} VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}{sparql[at:]}"


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


def format_rows(columns: list[str], rows: list[dict[str, str | None]], fmt: OutputFormat, *,
                prefixes: Mapping[str, str] | None = None, width: int | None = None) -> str:
    """Rows as an aligned text table, CSV, or a JSON array of objects.

    CSV and JSON keep every value whole. The table is for reading: IRIs (`IRI` values) are written as prefixed
    names (`kgid:exercise/…`) with `prefixes` (default: those `kg build` writes), and with a `width` (a terminal's)
    the widest columns are narrowed, their long cells shortened with "…", until a line fits; no column is dropped.
    Without a width a cell shows at most 40 characters.
    """
    if fmt is OutputFormat.JSON:
        return json.dumps(rows, ensure_ascii=False, indent=1)
    if fmt is OutputFormat.CSV:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    if prefixes is None:
        from kg.interfaces.api import DEFAULT_PREFIXES

        prefixes = DEFAULT_PREFIXES
    return _table(columns, [[_cell(r[c], prefixes) for c in columns] for r in rows], width)


def _cell(value: str | None, prefixes: Mapping[str, str]) -> str:
    """A value as a table shows it: on one line, an IRI as a prefixed name."""
    if value is None:
        return ""
    if isinstance(value, IRI) or (value.startswith(tuple(prefixes.values())) and not any(c.isspace() for c in value)):
        # an IRI, or a label that is an IRI's text (a class with no label of its own)
        from kg.interfaces.api import shorten

        return shorten(value, prefixes)
    return value.replace("\n", " ")


MIN_COLUMN = 3  # characters a narrowed column keeps ("Ru…"), so that even a wide query fits 80 columns
MAX_CELL = 40  # characters a cell shows when the table has no width to fit


def column_widths(natural: list[int], width: int | None) -> list[int]:
    """Column widths that fit `width` (two spaces between columns) by narrowing the widest first.

    >>> column_widths([10, 30, 8], 40)
    [10, 18, 8]
    """
    if width is None:
        return [min(n, MAX_CELL) for n in natural]
    widths = list(natural)
    while sum(widths) + 2 * (len(widths) - 1) > width:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= MIN_COLUMN:
            break
        widths[widest] -= 1
    return widths


def _table(columns: list[str], cells: list[list[str]], width: int | None) -> str:
    def fit(text: str, size: int) -> str:
        return text if len(text) <= size else text[: size - 1] + "…"

    natural = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    widths = column_widths(natural, width)
    lines = ["  ".join(fit(c, w).ljust(w) for c, w in zip(columns, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(fit(v, w).ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    lines = [line.rstrip() for line in lines]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines)


def graph_files(data: Path) -> list[Path]:
    """The graph files of a build folder, asserted first."""
    files = [data / name for name in ("graph.ttl", "inferred.ttl", "wikidata.ttl") if (data / name).exists()]
    if not files:
        raise QueryError(f"no graph.ttl in {data}; run `kg build … --out {data}` first")
    return files


def load_store(data: Path) -> ox.Store:
    """A build folder's graphs: its store `DIR/store` opened read-only while it holds what the graph files hold
    (`kg.store.folder.open_query_store`), else an in-memory Oxigraph store loaded from the files."""
    from kg.store.folder import open_query_store

    embedded = open_query_store(data)
    if embedded is not None:
        return embedded
    store = ox.Store()
    for path in graph_files(data):
        try:
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
        except (SyntaxError, OSError) as err:
            raise QueryError(f"cannot load {path}: {err}") from err
    return store


def run_saved(name: str, data: Path, params: Mapping[str, object] | None = None
              ) -> tuple[list[str], list[dict[str, str | None]]]:
    """Run the saved query `name` on the build folder `data` (on the default graph of `load_store`: the graph files
    merged, or the embedded store's merged view of its article, Wikidata and inferred graphs)."""
    query = get_query(name)
    return run(load_store(data), query.text, values=bindings(query, params or {}), label=f"query {name!r}",
               default_graph=[ox.DefaultGraph()])
