"""Parameters bound as RDF terms, never formatted into the query.

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

import datetime
import math
import numbers
import re
from collections.abc import Mapping
from decimal import Decimal

import pyoxigraph as ox

from kg.errors import QueryError
from kg.query.catalogue import KINDS, SavedQuery


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
