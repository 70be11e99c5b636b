"""Remote SPARQL endpoints, through SPARQLWrapper: SELECT rows as pyoxigraph terms, parameters bound as locally.

Parameters travel as a VALUES block in the query text (`kg.query.binding.with_values`): the SPARQL protocol has no other
way to send bindings. Errors name the endpoint and carry the endpoint's own message.
"""

from __future__ import annotations

import re
import urllib.error
from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from kg.errors import QueryError
from kg.query.binding import AnyTerm, Term, with_values

__all__ = ["ask_endpoint", "select_endpoint"]


def _wrapper(url: str, timeout: float, default_graphs: Sequence[str] = ()):  # -> SPARQLWrapper
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    wrapper = SPARQLWrapper(url, agent="kg (https://w3id.org/kg-news)")
    wrapper.setMethod(POST)
    wrapper.setReturnFormat(JSON)
    wrapper.setTimeout(max(1, round(timeout)))
    for graph in default_graphs:
        wrapper.addDefaultGraph(graph)
    return wrapper


def _send(url: str, text: str, *, timeout: float, default_graphs: Sequence[str], label: str) -> dict:
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    wrapper = _wrapper(url, timeout, default_graphs)
    wrapper.setQuery(text)
    try:
        data = wrapper.queryAndConvert()
    except (SPARQLWrapperException, urllib.error.URLError, OSError, ValueError) as err:
        message = str(err).strip().replace("\n\n", "\n")
        raise QueryError(f"{label} at {url}: {message}") from err
    if not isinstance(data, dict):
        raise QueryError(f"{label} at {url}: the endpoint did not answer with SPARQL JSON results")
    return data


def select_endpoint(url: str, sparql: str, *, values: Mapping[ox.Variable, Term] | Mapping[str, Term] | None = None,
                    default_graphs: Sequence[str] = (), prefixes: Mapping[str, str] | None = None,
                    timeout: float = 60, label: str = "query") -> tuple[list[str], list[list[AnyTerm | None]]]:
    """Run a SELECT query at the SPARQL endpoint `url`; the column names and the rows of RDF terms.

    `values` are bound as in `kg.query.binding.with_values`; `prefixes` the query does not declare are declared on its
    first line (so its line numbers stay); `default_graphs` are sent as `default-graph-uri`.
    """
    text = with_values(sparql, values)
    declared = {m.group(1) for m in re.finditer(r"(?i)PREFIX\s+([\w.-]*):", text)}
    missing = [f"PREFIX {p}: <{ns}>" for p, ns in (prefixes or {}).items() if p not in declared]
    if missing:
        text = " ".join(missing) + " " + text
    data = _send(url, text, timeout=timeout, default_graphs=default_graphs, label=label)
    try:
        columns = list(data["head"]["vars"])
        rows = [[_term(b.get(c)) for c in columns] for b in data["results"]["bindings"]]
    except (KeyError, TypeError, ValueError) as err:
        raise QueryError(f"{label} at {url}: unexpected SPARQL JSON results ({err})") from err
    return columns, rows


def ask_endpoint(url: str, sparql: str, *, timeout: float = 60, label: str = "query") -> bool:
    """The answer of an ASK query at the SPARQL endpoint `url`."""
    data = _send(url, sparql, timeout=timeout, default_graphs=(), label=label)
    if isinstance(data.get("boolean"), bool):
        return bool(data["boolean"])
    # Virtuoso sometimes answers an ASK as a SELECT of ?__ASK_RETVAL: one row of 1 (or 0) for true, none for false
    bindings = data.get("results", {}).get("bindings") if isinstance(data.get("results"), dict) else None
    if data.get("head", {}).get("vars") == ["__ASK_RETVAL"] and isinstance(bindings, list):
        if not bindings:
            return False
        value = bindings[0].get("__ASK_RETVAL") if len(bindings) == 1 and isinstance(bindings[0], dict) else None
        if isinstance(value, dict) and value.get("value") in ("1", "0", "true", "false"):
            return value["value"] in ("1", "true")
    raise QueryError(f"{label} at {url}: the endpoint did not answer with a boolean")


def _term(cell: Mapping[str, str] | None) -> AnyTerm | None:
    """A SPARQL JSON results cell as a pyoxigraph term."""
    if cell is None:
        return None
    kind, value = cell["type"], cell["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value) if re.fullmatch(r"[A-Za-z0-9_][\w.-]*", value) else ox.BlankNode()
    if kind in ("literal", "typed-literal"):
        if cell.get("xml:lang"):
            return ox.Literal(value, language=cell["xml:lang"])
        datatype = cell.get("datatype")
        return ox.Literal(value, datatype=ox.NamedNode(datatype) if datatype else None)
    raise ValueError(f"unknown term type {kind!r}")
