"""Hints for empty answers: a parameter value that names no entity of the graph, and the closest names it has.

An analyst who asks for the members of "Atlantis" gets no rows, exactly as for an organisation with no members. To
tell the two apart, a saved query's `entity` parameters (a label, name, QID or IRI of something in the graph) are
checked against the graph's names when the answer is empty: `kg query` prints a hint on standard error (and still
exits 0, an empty answer being an answer), the Python API issues an `UnknownValueWarning`. Matching is as lenient
as the queries are (case-insensitive, a part of a name counts), so a hint means that no query could match.

>>> closest("Pakistn", ["Pakistan", "India", "Russia"])
['Pakistan']
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping

from kg.query.catalogue import SavedQuery

__all__ = ["NAMES_QUERY", "UnknownValueWarning", "closest", "hints"]

#: Every name a parameter can match: labels, event names, Wikidata labels and aliases, the words articles used, QIDs.
NAMES_QUERY = """
PREFIX kg: <https://w3id.org/kg-news/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX wd: <http://www.wikidata.org/entity/>
SELECT DISTINCT ?name WHERE {
  { ?entity rdfs:label ?name } UNION { ?entity kg:name ?name } UNION { ?entity kg:wikidata/skos:altLabel ?name }
  UNION { ?attestation kg:surfaceForm ?name }
  UNION { ?entity kg:wikidata ?item BIND(STRAFTER(STR(?item), STR(wd:)) AS ?name) }
}
"""


class UnknownValueWarning(UserWarning):
    """A saved query's parameter names no entity of the graph (the answer is empty for that reason)."""


def closest(value: str, names: Iterable[str], *, n: int = 5) -> list[str]:
    """The names most like `value` (at most `n`, best first, case ignored), for a "did you mean" hint."""
    by_folded: dict[str, str] = {}
    for name in sorted(set(names)):
        by_folded.setdefault(name.casefold(), name)
    matches = difflib.get_close_matches(value.casefold(), list(by_folded), n=n, cutoff=0.6)
    return [by_folded[m] for m in matches]


def hints(query: SavedQuery, params: Mapping[str, object], names: Callable[[], list[str]]) -> list[str]:
    """One message per `entity` parameter of `query` whose value (given or default) no name of the graph contains.

    `names` returns the graph's names (the answer of NAMES_QUERY); it is called only when a value needs checking.
    Values that are IRIs are not checked (they are matched as IRIs, not as names).
    """
    given = {p.name: str(params.get(p.name, p.default)).strip() for p in query.parameters
             if p.kind == "entity" and params.get(p.name, p.default) not in (None, "")}
    given = {k: v for k, v in given.items() if v and not v.startswith(("http://", "https://"))}
    if not given:
        return []
    known = names()
    folded = [name.casefold() for name in known]
    messages = []
    for param, value in given.items():
        if any(value.casefold() in name for name in folded):
            continue
        near = closest(value, known)
        messages.append(f"query {query.name!r}: no entity of the graph is named {value!r} ({param}); "
                        + (f"closest names: {', '.join(near)}" if near else "`kg query states` and "
                           "`kg query organisations` list the known names"))
    return messages
