"""Saved SPARQL queries: the catalogue of `queries/*.rq` and their headers.

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
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kg.errors import QueryError
from kg.resources import directory

QUERIES_DIR = directory("queries")  # the top-level queries/, shipped as kg.resources.queries
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_PARAM = re.compile(r"^#\s*param\s+(?P<name>\w+)\s*(?:\((?P<kind>[^)]*)\))?\s*(?:=\s*(?P<default>[^:]*?))?\s*"
                    r"(?::\s*(?P<doc>.*))?$")
KINDS = ("text", "entity", "integer", "decimal", "date", "iri")
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
