"""What the Wikidata endpoint can answer, asked through the client (`kg.wikidata.client`): labels, types, codes
and memberships of items, and items by label, in batches.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from rdflib import Literal

from kg.errors import LinkingError
from kg.rdf.ontology import WD
from kg.wikidata.client import Answer, Row, WikidataClient
from kg.wikidata.snapshot import QID_PATTERN, Facts, Label, Statement

T = TypeVar("T")
Candidate = tuple[str, str, str]  # QID, "label" or "alias", one P31 class ("" for none)
_PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
PREFIX pqv: <http://www.wikidata.org/prop/qualifier/value/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

def _values(qids: Iterable[str]) -> str:
    return " ".join(f"wd:{q}" for q in sorted(qids) if QID_PATTERN.match(q))


def _literal(text: str, lang: str) -> str:
    return Literal(text, lang=lang).n3()


def _batches(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for i in range(0, len(items), max(1, size)):
        yield list(items[i:i + size])


class Endpoint:
    """Asks the client the enrichment queries; records the answers' fetch times and the first failure."""

    def __init__(self, client: WikidataClient) -> None:
        self.client = client
        self.fetched: list[str] = []

    def ask(self, query: str, *, must_match: bool = False) -> list[Row] | None:
        try:
            answer: Answer | None = self.client.select(_PREFIXES + query, must_match=must_match)
        except LinkingError:
            return None  # the client keeps the problem (and asks no more); `enrich` reports it
        if answer is None:
            return None
        self.fetched.append(answer.fetched)
        return list(answer.rows)

    def ask_all(self, template: str, items: Sequence[str], *, must_match: bool = False, **fixed: str
                ) -> list[Row] | None:
        """`template` (with `{values}`) over `items` in batches; None unless every batch was answered."""
        rows: list[Row] = []
        for batch in _batches(sorted(items), self.client.batch_size):
            answer = self.ask(template.format(values=_values(batch), **fixed), must_match=must_match)
            if answer is None:
                return None
            rows += answer
        return rows

    def item_facts(self, items: Sequence[str]) -> Facts | None:
        rows = self.ask_all("""SELECT ?item ?prop ?value WHERE {{
  VALUES ?item {{ {values} }}
  {{ ?item rdfs:label ?value FILTER(LANG(?value) = "en" || LANG(?value) = "fr") BIND("label" AS ?prop) }}
  UNION {{ ?item wdt:P31 ?value BIND("P31" AS ?prop) }}
  UNION {{ ?item wdt:P297 ?value BIND("P297" AS ?prop) }}
  UNION {{ ?item wdt:P298 ?value BIND("P298" AS ?prop) }}
}}""", items, must_match=True)
        return None if rows is None else _facts(self.valid(rows, "item", "prop", "value"))

    def labels(self, items: Sequence[str]) -> Facts | None:
        rows = self.ask_all("""SELECT ?item ?prop ?value WHERE {{
  VALUES ?item {{ {values} }}
  ?item rdfs:label ?value FILTER(LANG(?value) = "en" || LANG(?value) = "fr") BIND("label" AS ?prop)
}}""", items)
        return None if rows is None else _facts(self.valid(rows, "item", "prop", "value"))

    def organisations_with_members(self, organisations: Sequence[str]) -> set[str] | None:
        rows = self.ask_all("""SELECT DISTINCT ?org WHERE {{
  VALUES ?org {{ {values} }}
  ?member p:P463 ?statement . ?statement ps:P463 ?org .
}}""", organisations)
        return None if rows is None else {q for r in self.valid(rows, "org") if (q := _qid_of(r["org"]))}

    def memberships(self, members: Sequence[str], organisations: Sequence[str]) -> list[Statement] | None:
        rows = self.ask_all("""SELECT ?item ?org ?start ?end ?startPrecision ?endPrecision WHERE {{
  VALUES ?item {{ {values} }}
  VALUES ?org {{ {orgs} }}
  ?item p:P463 ?statement . ?statement ps:P463 ?org .
  FILTER NOT EXISTS {{ ?statement wikibase:rank wikibase:DeprecatedRank }}
  OPTIONAL {{ ?statement pq:P580 ?start }}
  OPTIONAL {{ ?statement pq:P582 ?end }}
  OPTIONAL {{ ?statement pqv:P580/wikibase:timePrecision ?startPrecision }}
  OPTIONAL {{ ?statement pqv:P582/wikibase:timePrecision ?endPrecision }}
}}""", members, orgs=_values(organisations))
        if rows is None:
            return None
        found = set()
        for r in self.valid(rows, "item", "org", dates=("start", "end")):
            item, org = _qid_of(r["item"]), _qid_of(r["org"])
            if item and org:
                found.add(Statement(item, "P463", org, "endpoint", _wikidata_date(r, "start"),
                                    _wikidata_date(r, "end")))
        return sorted(found, key=statement_key)

    def valid(self, rows: list[Row], *required: str, dates: Sequence[str] = ()) -> list[Row]:
        """The rows that bind every `required` variable and whose `dates` (with their precisions) can be read; the
        others are skipped and counted in the client's `skipped_rows` (a hostile or broken endpoint)."""
        kept = []
        for row in rows:
            if all(var in row for var in required) and all(_valid_date(row, var) for var in dates):
                kept.append(row)
            else:
                self.client.skipped_rows += 1
        return kept

    def lookup(self, names: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[Candidate]] | None:
        """(text, lang) → [(QID, "label" or "alias", P31 class or "")] of the items carrying that name."""
        found: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
        for batch in _batches(sorted(set(names)), self.client.batch_size):
            values = " ".join(_literal(text, lang) for text, lang in batch)
            rows = self.ask(f"""SELECT ?name ?item ?how ?class WHERE {{
  VALUES ?name {{ {values} }}
  {{ ?item rdfs:label ?name BIND("label" AS ?how) }}
  UNION {{ ?item skos:altLabel ?name BIND("alias" AS ?how) }}
  OPTIONAL {{ ?item wdt:P31 ?class }}
}}""")
            if rows is None:
                return None
            for r in self.valid(rows, "item", "name", "how"):
                qid = _qid_of(r["item"])
                name = r["name"]
                if qid:
                    klass = _qid_of(r["class"]) if "class" in r else None
                    key = (name["value"], name.get("xml:lang", ""))
                    found[key].append((qid, r["how"]["value"], klass or ""))
        return found


def _qid_of(term: dict[str, str]) -> str | None:
    value = term.get("value", "")
    if term.get("type") == "uri" and value.startswith(str(WD)):
        qid = value[len(str(WD)):]
        return qid if QID_PATTERN.match(qid) else None
    return None


def _wikidata_date(row: Row, var: str) -> str | None:
    """A P580/P582 value as 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD', by its precision (day when not given)."""
    term = row.get(var)
    if term is None:
        return None
    m = re.match(r"^\+?(\d{4})-(\d\d)-(\d\d)", term["value"])
    if not m:
        return None
    precision = int(row[f"{var}Precision"]["value"].strip()) if f"{var}Precision" in row else 11
    return m.group(1) if precision <= 9 else f"{m.group(1)}-{m.group(2)}" if precision == 10 else m.group(0)


def _valid_date(row: Row, var: str) -> bool:
    """Whether the date `var` of a row is absent, or present with an absent or whole-number precision."""
    precision = row.get(f"{var}Precision")
    return precision is None or precision["value"].strip().isdigit()


def _facts(rows: list[Row]) -> Facts:
    facts = Facts()
    for r in rows:
        item, prop, value = _qid_of(r["item"]), r["prop"]["value"], r["value"]
        if item is None:
            continue
        if prop == "label" and value.get("xml:lang") in ("en", "fr"):
            facts.labels.append(Label(item, value["xml:lang"], value["value"], "endpoint"))
        elif prop == "P31" and _qid_of(value):
            facts.statements.append(Statement(item, "P31", _qid_of(value) or "", "endpoint"))
        elif prop in ("P297", "P298") and value.get("type") == "literal":
            facts.statements.append(Statement(item, prop, value["value"], "endpoint"))
    return facts


def statement_key(s: Statement) -> tuple[str, ...]:
    return (s.item, s.prop, s.value, s.start or "", s.end or "", s.source)
