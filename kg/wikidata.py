"""Wikidata links and enrichment (stage 5): which Wikidata item each entity is, and what Wikidata says of it.

`enrich(graph, client=…)` reads a built graph and returns a separate graph (written to `DIR/wikidata.ttl`):

* **Links, with their evidence.** Each entity the gazetteer linked (`kg:wikidata wd:Q…` in graph.ttl) gets
  one `kg:Attestation` per article for the fact `kg:wikidata`, copied from its strongest mention in that
  article: the span, the sentence, a `kg:rule` naming the evidence (`wikidata-label`, `wikidata-alias`,
  `wikidata-demonym`, `wikidata-capital`, `wikidata-context`) and that mention's `kg:confidence`. Entities
  with a local IRI (kgid:org/…, kgid:weapon/…, exercises) are looked up by label at the endpoint when the
  client may; a name is linked only when exactly one item of a fitting type carries it
  (`wikidata-endpoint-label`/`-alias`), and every name left unlinked is reported.
* **Facts in Wikidata's own shapes**, on the `wd:` items: labels in English and French, P31 (instance of),
  P297/P298 (ISO codes) and P463 (member of) with their P580/P582 dates as `p:`/`ps:`/`pq:` statements (dates
  as Wikidata writes them: xsd:dateTime at midnight UTC, whatever their precision). Each
  statement (and each label, by reification) says where it comes from with `prov:wasDerivedFrom`: the snapshot
  shipped in `kg/data` (dated) or the endpoint (with the time its answer was fetched).
* **The same facts in kg terms**, for the reasoner: `kgid:Q… kg:memberOf kgid:Q…` for every current
  membership (no end date), and `kg:MilitaryAlliance` for organisations whose P31 includes military alliance.

The snapshot is the offline truth; with a client the endpoint is asked first (through the client's cache) and
the snapshot fills in whatever it cannot answer: items it has no labels, types or codes for, and organisations
it has no members for. Failures of the endpoint become warnings in the result, never exceptions.

>>> from kg.rdf.mapping import new_graph
>>> result = enrich(new_graph())        # no client: the snapshot only, no network
>>> result.mode, result.snapshot_date
('offline', '2026-10-09')
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.errors import LinkingError
from kg.gazetteer import DATA_DIR, Gazetteer, load_gazetteer
from kg.rdf.mapping import checked_iri, mint, new_graph
from kg.rdf.ontology import KG, KGID, WD, WDT
from kg.rdf.serialise import to_rdflib
from kg.wikidata_client import Answer, Row, WikidataClient

P = Namespace("http://www.wikidata.org/prop/")
PS = Namespace("http://www.wikidata.org/prop/statement/")
PQ = Namespace("http://www.wikidata.org/prop/qualifier/")
PQV = Namespace("http://www.wikidata.org/prop/qualifier/value/")
WIKIBASE = Namespace("http://wikiba.se/ontology#")
CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")

MILITARY_ALLIANCE = "Q1127126"
"""Wikidata class 'military alliance': an organisation with this P31 is typed kg:MilitaryAlliance."""

T = TypeVar("T")
_QID = re.compile(r"^Q[1-9][0-9]*$")
_ACTOR_TYPES = (KG.State, KG.Organisation, KG.Alliance, KG.MilitaryAlliance)
_LINKED_TYPES = (*_ACTOR_TYPES, KG.WeaponSystem, KG.MilitaryExercise)
_ORG_TYPES = (KG.Organisation, KG.Alliance, KG.MilitaryAlliance)
#: Mention rule → the evidence a link rests on.
_EVIDENCE = {"gazetteer-label": "label", "gazetteer-name": "alias", "gazetteer-abbrev": "alias",
             "gazetteer-demonym": "demonym", "gazetteer-prefix": "demonym", "gazetteer-capital": "capital",
             "gazetteer-body": "alias",
             "gazetteer-context": "context"}
#: Confidence of a link found by a label at the endpoint: unique item of a fitting type, or unique item only.
_LIVE_CONFIDENCE = {("label", True): Decimal("0.8"), ("alias", True): Decimal("0.7"),
                    ("label", False): Decimal("0.6"), ("alias", False): Decimal("0.5")}
_ITEM_PROPERTIES = ("P31", "P297", "P298")
_Candidate = tuple[str, str, str]  # QID, "label" or "alias", one P31 class ("" for none)
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


# ------------------------------------------------------------------------------------------------------------
# Facts and where they come from


@dataclass(frozen=True)
class Source:
    """Where enrichment facts come from: a part of the snapshot, or an endpoint at a fetch time."""

    key: str
    title: str
    date: str | None  # ISO date, or a year
    note: str = ""
    endpoint: str | None = None
    fetched: str | None = None  # ISO date-time (UTC) of the newest answer used


@dataclass(frozen=True)
class Statement:
    """One Wikidata claim: item, property, value (a QID or a string) and, for P463, its P580/P582 dates."""

    item: str
    prop: str
    value: str
    source: str
    start: str | None = None  # "YYYY", "YYYY-MM" or "YYYY-MM-DD"
    end: str | None = None


@dataclass(frozen=True)
class Label:
    """A label (or, with `alias`, an alternative name) of a Wikidata item in one language."""

    item: str
    lang: str
    text: str
    source: str
    alias: bool = False


@dataclass
class Facts:
    """What one source says about a set of items."""

    labels: list[Label] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)

    def labels_of(self, item: str) -> list[Label]:
        return [x for x in self.labels if x.item == item]

    def statements_of(self, item: str, prop: str) -> list[Statement]:
        return [s for s in self.statements if s.item == item and s.prop == prop]


@dataclass(frozen=True)
class Snapshot:
    """The Wikidata facts shipped with the package (`kg/data/wikidata/*.csv`), with their sources."""

    facts: Facts
    sources: dict[str, Source]
    organisations: tuple[str, ...]  # QIDs of the organisations of the reference tables
    date: str


def _snapshot_sources(date: str) -> dict[str, Source]:
    tables = "kg/data/wikidata (see kg/data/SOURCES.md and kg/data/wikidata/SOURCES.md)"
    return {s.key: s for s in (
        Source("snapshot", "kg Wikidata snapshot: states, organisations, memberships", date,
               f"{tables}. Member lists as of {date}, with Wikidata P463 P580/P582 dates read that day "
               "(kuni, MIT); QIDs and ISO codes from datasets/country-codes; English labels are Wikidata "
               "labels (owid-grapher, 2022); French state names are UN names, kept as aliases."),
        Source("snapshot-types", "kg Wikidata snapshot: P31 classes from a 2020 Wikidata dump", "2020",
               f"{tables}, instance_of_codex2020.csv (CoDEx, MIT, from a 2020 Wikidata dump)."),
        Source("snapshot-general-knowledge", "kg snapshot: general knowledge, not read in Wikidata", date,
               f"{tables}: memberships_general_knowledge.csv (SCO, CSTO) and instance_of_supplement.csv. "
               "Lower confidence: check against live Wikidata."),
    )}


@cache
def load_snapshot(directory: Path = DATA_DIR) -> Snapshot:
    """Read the snapshot: labels, ISO codes, P31 classes and P463 memberships from the reference tables.

    Raises:
        LinkingError: a table is missing or malformed (the message names the file and line).
    """
    tables = directory / "wikidata"
    date = load_gazetteer(directory).snapshot.get("date") or "unknown"
    facts = Facts()
    organisations = []
    for line, row in _rows(tables / "states.csv"):
        qid = _qid(row["qid"], tables / "states.csv", line)
        facts.labels.append(Label(qid, "en", row["label_en"], "snapshot"))
        if row["label_fr"]:
            facts.labels.append(Label(qid, "fr", row["label_fr"], "snapshot", alias=True))
        for prop, column in (("P297", "iso2"), ("P298", "iso3")):
            if row[column]:
                facts.statements.append(Statement(qid, prop, row[column], "snapshot"))
    for line, row in _rows(tables / "organisations.csv"):
        qid = _qid(row["qid"], tables / "organisations.csv", line)
        organisations.append(qid)
        for lang in ("en", "fr"):
            if row[f"label_{lang}"]:
                facts.labels.append(Label(qid, lang, row[f"label_{lang}"], "snapshot"))
            if row[f"abbrev_{lang}"]:
                facts.labels.append(Label(qid, lang, row[f"abbrev_{lang}"], "snapshot", alias=True))
    for path, source in ((tables / "instance_of_codex2020.csv", "snapshot-types"),
                         (directory / "instance_of_supplement.csv", "snapshot-general-knowledge")):
        for line, row in _rows(path):
            facts.statements.append(Statement(_qid(row["entity_qid"], path, line), "P31",
                                              _qid(row["class_qid"], path, line), source))
    for _, row in _rows(tables / "classes_properties.csv"):
        if row["kind"] == "class":
            for lang in ("en", "fr"):
                if row[f"label_{lang}"]:
                    facts.labels.append(Label(row["id"], lang, row[f"label_{lang}"], "snapshot"))
    for path, source in ((tables / "memberships.csv", "snapshot"),
                         (tables / "memberships_general_knowledge.csv", "snapshot-general-knowledge")):
        for line, row in _rows(path):
            facts.statements.append(Statement(_qid(row["state_qid"], path, line), "P463",
                                              _qid(row["org_qid"], path, line), source,
                                              row["start"] or None, row["end"] or None))
    return Snapshot(facts, _snapshot_sources(date), tuple(organisations), date)


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            yield from enumerate(csv.DictReader(handle), start=2)
    except OSError as err:
        raise LinkingError(f"cannot read the Wikidata snapshot table {path}: {err}") from err


def _qid(value: str, path: Path, line: int) -> str:
    if not _QID.match(value or ""):
        raise LinkingError(f"{path}:{line}: {value!r} is not a Wikidata QID")
    return value


# ------------------------------------------------------------------------------------------------------------
# The endpoint: what it can answer, through the client


def _values(qids: Iterable[str]) -> str:
    return " ".join(f"wd:{q}" for q in sorted(qids) if _QID.match(q))


def _literal(text: str, lang: str) -> str:
    return Literal(text, lang=lang).n3()


def _batches(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for i in range(0, len(items), max(1, size)):
        yield list(items[i:i + size])


class _Endpoint:
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
        return sorted(found, key=_statement_key)

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

    def lookup(self, names: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[_Candidate]] | None:
        """(text, lang) → [(QID, "label" or "alias", P31 class or "")] of the items carrying that name."""
        found: dict[tuple[str, str], list[_Candidate]] = defaultdict(list)
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
        return qid if _QID.match(qid) else None
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


def _statement_key(s: Statement) -> tuple[str, ...]:
    return (s.item, s.prop, s.value, s.start or "", s.end or "", s.source)


# ------------------------------------------------------------------------------------------------------------
# Links


@dataclass(frozen=True)
class _Evidence:
    """The best attestation of one entity in one article, with the span it points at."""

    article: URIRef
    node: URIRef
    confidence: Decimal
    rule: str
    start: int
    span: tuple[tuple[URIRef, Literal], ...] = ()  # kg:sentence, kg:startChar, kg:endChar, kg:surfaceForm


_SPAN_PROPS = (KG.sentence, KG.startChar, KG.endChar, KG.surfaceForm)
_EVIDENCE_QUERY = """
SELECT ?entity ?node ?article ?confidence ?rule ?mention ?sentence ?startChar ?endChar ?surfaceForm WHERE {
  ?node a kg:Attestation ; kg:article ?article ; kg:confidence ?confidence ; rdf:predicate ?p .
  { ?node rdf:subject ?entity } UNION { ?node rdf:object ?entity }
  FILTER(isIRI(?entity) && isIRI(?node) && isIRI(?article) && isLiteral(?confidence) && ?p != kg:wikidata)
  BIND(?p IN (kg:mentions, kg:name) AS ?mention)
  OPTIONAL { ?node kg:rule ?rule }
  OPTIONAL { ?node kg:sentence ?sentence }
  OPTIONAL { ?node kg:startChar ?startChar }
  OPTIONAL { ?node kg:endChar ?endChar }
  OPTIONAL { ?node kg:surfaceForm ?surfaceForm }
}"""


def _evidence_by_entity(graph: Graph) -> dict[URIRef, dict[URIRef, _Evidence]]:
    """Per entity and article, the strongest attestation naming the entity: a mention first, else any fact about
    it; then the highest confidence, the earliest span, the smallest node IRI (so ties do not depend on order).

    One query for the whole graph: asking per entity and property costs a round trip each, minutes on a corpus.
    On a graph held by Oxigraph (the build's) the query runs there and only the chosen rows become rdflib terms.
    """
    inner = getattr(graph.store, "_inner", None)  # oxrdflib's Oxigraph store
    if isinstance(inner, ox.Store):
        prefixes = f"PREFIX kg: <{KG}>\nPREFIX rdf: <{RDF}>\n"
        solutions = inner.query(prefixes + _EVIDENCE_QUERY)
        assert isinstance(solutions, ox.QuerySolutions)
        rows: Iterable[Sequence[object]] = (tuple(row) for row in solutions)
    else:
        rows = graph.query(_EVIDENCE_QUERY, initNs={"kg": str(KG), "rdf": str(RDF)})  # type: ignore[assignment]
    best: dict[tuple[str, str], tuple[tuple[int, Decimal, int], str, Sequence[object]]] = {}
    for row in rows:
        entity, node, article, confidence, _rule, mention, _sentence, start = row[:8]
        try:
            rank = (int(_text(mention) in ("true", "1")), Decimal(_text(confidence)),
                    -int(_text(start)) if start is not None else 0)
        except ArithmeticError:
            continue
        key = (_text(entity), _text(article))
        held = best.get(key)
        if held is None or rank > held[0] or (rank == held[0] and _text(node) < held[1]):
            best[key] = (rank, _text(node), row)
    found: dict[URIRef, dict[URIRef, _Evidence]] = defaultdict(dict)
    for (entity, article), (rank, node, row) in sorted(best.items()):
        span = tuple((prop, _rdflib(value)) for prop, value in zip(_SPAN_PROPS, row[6:], strict=True)
                     if value is not None)
        found[URIRef(entity)][URIRef(article)] = _Evidence(URIRef(article), URIRef(node), rank[1],
                                                           _text(row[4]) if row[4] is not None else "",
                                                           -rank[2], span)  # type: ignore[arg-type]
    return found


def _text(term: object) -> str:
    """The IRI or lexical form of an Oxigraph or rdflib term."""
    value = getattr(term, "value", None)
    return value if isinstance(value, str) and not isinstance(term, Literal) else str(term)


def _rdflib(term: object) -> Literal:
    return term if isinstance(term, Literal) else to_rdflib(term)  # type: ignore[return-value,arg-type]


def _attest_link(out: Graph, entity: URIRef, item: URIRef, evidence: _Evidence, rule: str,
                 confidence: Decimal) -> None:
    """A kg:Attestation of `entity kg:wikidata item`, at the span of `evidence`."""
    digest = hashlib.sha1(f"{evidence.article}\x1f{entity}\x1f{item}\x1f{evidence.node}".encode()).hexdigest()
    node = mint("attestation", digest[:16])
    out.add((node, RDF.type, KG.Attestation))
    out.add((node, RDF.subject, entity))
    out.add((node, RDF.predicate, KG.wikidata))
    out.add((node, RDF.object, item))
    out.add((node, KG.article, evidence.article))
    for prop, value in evidence.span:
        out.add((node, prop, value))
    out.add((node, KG.rule, Literal(rule)))
    out.add((node, KG.confidence, Literal(min(confidence, Decimal(1)), datatype=XSD.decimal)))


def _names(graph: Graph, entity: URIRef) -> list[tuple[str, str]]:
    """(text, lang) pairs to look an entity up by: its labels and names, in English and French if untagged."""
    names: set[tuple[str, str]] = set()
    for prop in (RDFS.label, KG.name):
        for value in graph.objects(entity, prop):
            if isinstance(value, Literal) and str(value).strip():
                langs = [value.language] if value.language in ("en", "fr") else ["en", "fr"]
                names.update((str(value).strip(), lang) for lang in langs)
    return sorted(names)


# ------------------------------------------------------------------------------------------------------------
# The result


@dataclass
class WikidataResult:
    """The graph for `DIR/wikidata.ttl` and what went into it."""

    graph: Graph
    mode: str  # "offline" or "online"
    endpoint: str | None
    snapshot_date: str
    fetched: str | None = None
    linked: int = 0
    linked_live: list[str] = field(default_factory=list)
    unlinked: list[str] = field(default_factory=list)
    memberships: int = 0
    sources: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        """The result as plain data, for the build report."""
        return {"mode": self.mode, "endpoint": self.endpoint, "snapshot_date": self.snapshot_date,
                "fetched": self.fetched, "linked": self.linked, "linked_live": self.linked_live,
                "unlinked": self.unlinked, "memberships": self.memberships, "facts_by_source": self.sources,
                "warnings": self.warnings}


class _Enricher:
    def __init__(self, graph: Graph, client: WikidataClient | None, gazetteer: Gazetteer,
                 snapshot: Snapshot) -> None:
        self.graph = graph
        self.gaz = gazetteer
        self.snapshot = snapshot
        self.endpoint = _Endpoint(client) if client is not None else None
        self.out = new_graph()
        self.evidence: dict[URIRef, dict[URIRef, _Evidence]] = {}
        self.kg_iri: dict[str, URIRef] = {}  # QID → the entity's IRI in the graph
        self.used_sources: dict[str, int] = defaultdict(int)
        self.result = WikidataResult(self.out, "offline" if client is None or client.offline else "online",
                                     client.endpoint if client is not None else None, snapshot.date)

    # -- links -----------------------------------------------------------------------------------------------

    def link(self) -> None:
        g = self.graph
        entities = sorted({e for t in _LINKED_TYPES for e in g.subjects(RDF.type, t)
                           if isinstance(e, URIRef)})
        local = []
        self.evidence = _evidence_by_entity(g)
        for entity in entities:
            items = [i for i in g.objects(entity, KG.wikidata) if isinstance(i, URIRef)]
            if not items:
                local.append(entity)
                continue
            for item in items:
                self.kg_iri.setdefault(str(item)[len(str(WD)):], entity)
                for evidence in self.evidence.get(entity, {}).values():
                    rule = f"wikidata-{_EVIDENCE.get(evidence.rule, 'gazetteer')}"
                    _attest_link(self.out, entity, item, evidence, rule, evidence.confidence)
        self.result.linked = sum(1 for e in entities if e not in local)
        self._link_live(local)

    def _link_live(self, local: list[URIRef]) -> None:
        if not local:
            return
        names = {entity: _names(self.graph, entity) for entity in local}
        found = None
        if self.endpoint is not None:
            found = self.endpoint.lookup([n for ns in names.values() for n in ns])
        expected = self._expected_classes()
        for entity in local:
            label = _describe_entity(entity, names[entity])
            if found is None:
                self.result.unlinked.append(f"{label}: no Wikidata item in the snapshot (not looked up)")
                continue
            kind = self._kind(entity)
            choice, reason = _choose([c for n in names[entity] for c in found.get(n, [])],
                                     expected.get(kind) if kind is not None else None)
            if choice is None:
                self.result.unlinked.append(f"{label}: {reason}")
                continue
            qid, how, typed = choice
            item = WD[qid]
            self.out.add((entity, KG.wikidata, item))
            self.kg_iri.setdefault(qid, entity)
            self.result.linked_live.append(f"{label}: {qid} ({reason})")
            for evidence in self.evidence.get(entity, {}).values():
                confidence = min(evidence.confidence, _LIVE_CONFIDENCE[(how, typed)])
                rule = f"wikidata-endpoint-{how}"
                _attest_link(self.out, entity, item, evidence, rule, confidence)

    def _kind(self, entity: URIRef) -> URIRef | None:
        for t in (KG.State, *_ORG_TYPES):
            if (entity, RDF.type, t) in self.graph:
                return KG.Organisation if t in _ORG_TYPES else t
        return None

    def _expected_classes(self) -> dict[URIRef, set[str]]:
        """P31 classes that items of each kg type carry in the snapshot (from data, not a list in code)."""
        expected: dict[URIRef, set[str]] = defaultdict(set)
        organisations = set(self.snapshot.organisations)
        for s in self.snapshot.facts.statements:
            if s.prop == "P31":
                entity = self.gaz.entities.get(s.item)
                if s.item in organisations:
                    expected[KG.Organisation].add(s.value)
                elif entity is not None and entity.type == "State":
                    expected[KG.State].add(s.value)
        return expected

    # -- enrichment ------------------------------------------------------------------------------------------

    def enrich(self) -> None:
        members = sorted(self.kg_iri)
        organisations = sorted(set(self.snapshot.organisations) | {
            q for q, e in self.kg_iri.items() if self._kind(e) == KG.Organisation})
        # The item look-up goes first: it must match, so it also tells whether the endpoint answers at all.
        asked = sorted(set(members) | set(organisations)) if members else []
        answer = self.endpoint.item_facts(asked) if self.endpoint is not None and asked else None
        facts = Facts(statements=self._memberships(members, organisations))
        items = sorted(set(members) | {s.value for s in facts.statements})
        self._item_facts(items, answer, facts)
        facts.labels += self._class_labels(sorted({s.value for s in facts.statements if s.prop == "P31"}))
        self._write(facts)

    def _memberships(self, members: list[str], organisations: list[str]) -> list[Statement]:
        """P463 of `members` in `organisations`: the endpoint's, for the organisations it knows members of;
        the snapshot's for the others."""
        covered: set[str] = set()
        live: list[Statement] = []
        if self.endpoint is not None and members:
            known = self.endpoint.organisations_with_members(organisations)
            answered = self.endpoint.memberships(members, sorted(known)) if known else []
            if known is not None and answered is not None:
                covered, live = known, answered
        wanted_members, wanted_orgs = set(members), set(organisations) - covered
        return live + [s for s in self.snapshot.facts.statements
                       if s.prop == "P463" and s.item in wanted_members and s.value in wanted_orgs]

    def _item_facts(self, items: list[str], answer: Facts | None, facts: Facts) -> None:
        """Labels, P31 and ISO codes of `items`: the endpoint's where it has some, else the snapshot's."""
        snap = self.snapshot.facts
        for item in items:
            facts.labels += (answer.labels_of(item) if answer else []) or snap.labels_of(item)
            for prop in _ITEM_PROPERTIES:
                facts.statements += ((answer.statements_of(item, prop) if answer else [])
                                     or snap.statements_of(item, prop))

    def _class_labels(self, classes: list[str]) -> list[Label]:
        live = self.endpoint.labels(classes) if self.endpoint is not None and classes else None
        labels = []
        for klass in classes:
            labels += (live.labels_of(klass) if live else []) or self.snapshot.facts.labels_of(klass)
        return labels

    # -- RDF -------------------------------------------------------------------------------------------------

    def _source_iri(self, key: str) -> URIRef:
        self.used_sources[key] += 1
        return mint("wikidata-source", key)

    def _write(self, facts: Facts) -> None:
        out = self.out
        for label in facts.labels:
            self._label(label)
        for s in sorted(set(facts.statements), key=_statement_key):
            self._statement(s)
        for qid in sorted({s.value for s in facts.statements if s.prop == "P463"} - set(self.kg_iri)):
            self._new_organisation(qid)
        for s in facts.statements:
            if s.prop == "P31" and s.value == MILITARY_ALLIANCE and s.item in self.kg_iri:
                entity = self.kg_iri[s.item]
                if (entity, RDF.type, KG.State) not in self.graph:
                    out.add((entity, RDF.type, KG.MilitaryAlliance))
        self.result.memberships = sum(1 for s in facts.statements if s.prop == "P463")
        self._write_sources()

    def _label(self, label: Label) -> None:
        item, text = WD[label.item], Literal(label.text, lang=label.lang)
        prop = SKOS.altLabel if label.alias else RDFS.label
        self.out.add((item, prop, text))
        node = mint("wikidata-label", label.item, label.lang, label.source,
                    hashlib.sha1(f"{prop}\x1f{label.text}".encode()).hexdigest()[:8])
        self.out.add((node, RDF.subject, item))
        self.out.add((node, RDF.predicate, prop))
        self.out.add((node, RDF.object, text))
        self.out.add((node, PROV.wasDerivedFrom, self._source_iri(label.source)))

    def _statement(self, s: Statement) -> None:
        out, item = self.out, WD[s.item]
        value: URIRef | Literal = WD[s.value] if _QID.match(s.value) else Literal(s.value)
        node = mint("wikidata-statement", s.item, s.prop, s.value, s.start or "", s.end or "", s.source)
        out.add((item, WDT[s.prop], value))
        out.add((item, P[s.prop], node))
        out.add((node, RDF.type, WIKIBASE.Statement))
        out.add((node, PS[s.prop], value))
        out.add((node, PROV.wasDerivedFrom, self._source_iri(s.source)))
        for qualifier, date in (("P580", s.start), ("P582", s.end)):
            if date:
                out.add((node, PQ[qualifier], _datetime(date)))
        if s.prop == "P463" and not s.end:
            member = self.kg_iri.get(s.item) or _kg_qid_iri(s.item)
            org = self.kg_iri.get(s.value) or _kg_qid_iri(s.value)
            out.add((member, KG.memberOf, org))
            out.add((node, RDF.subject, member))
            out.add((node, RDF.predicate, KG.memberOf))
            out.add((node, RDF.object, org))

    def _new_organisation(self, qid: str) -> None:
        """An organisation no article names, but which a linked entity is a member of."""
        entity = _kg_qid_iri(qid)
        self.kg_iri[qid] = entity
        self.out.add((entity, RDF.type, KG.Organisation))
        self.out.add((entity, KG.wikidata, WD[qid]))
        known = self.gaz.entities.get(qid)
        if known is not None:
            self.out.add((entity, RDFS.label, Literal(known.label_en, lang="en")))
            self.out.add((entity, RDFS.label, Literal(known.label_fr, lang="fr")))

    def _write_sources(self) -> None:
        out = self.out
        sources = dict(self.snapshot.sources)
        if self.endpoint is not None and self.endpoint.fetched:
            fetched = max(self.endpoint.fetched)
            self.result.fetched = fetched
            sources["endpoint"] = Source("endpoint", "Wikidata SPARQL endpoint", fetched[:10],
                                         "answers fetched through kg's cache", self.endpoint.client.endpoint,
                                         fetched)
        self.result.sources = dict(sorted(self.used_sources.items()))
        document = mint("wikidata-source", "build")
        out.add((document, RDF.type, PROV.Entity))
        out.add((document, RDFS.label, Literal("Wikidata links and enrichment of this build", lang="en")))
        out.add((document, DCTERMS.description, Literal(self._describe(), lang="en")))
        for key in sorted(self.used_sources):
            source = sources[key]
            node = mint("wikidata-source", key)
            out.add((document, PROV.wasDerivedFrom, node))
            out.add((node, RDF.type, PROV.Entity))
            out.add((node, DCTERMS.title, Literal(source.title, lang="en")))
            out.add((node, DCTERMS.license, CC0))
            if source.note:
                out.add((node, RDFS.comment, Literal(source.note, lang="en")))
            if source.date:
                out.add((node, DCTERMS.date, Literal(source.date, datatype=XSD.gYear if len(source.date) == 4
                                                     else XSD.date)))
            if source.endpoint:
                out.add((node, DCTERMS.source, checked_iri(source.endpoint)))
            if source.fetched:
                out.add((node, PROV.generatedAtTime, Literal(source.fetched, datatype=XSD.dateTime,
                                                             normalize=False)))

    def _describe(self) -> str:
        r = self.result
        text = f"mode {r.mode}; snapshot of {r.snapshot_date}"
        fetched = f", fetched up to {r.fetched}" if r.fetched else ""
        if r.endpoint and r.mode == "online":
            text += f"; endpoint {r.endpoint}{fetched}"
        elif r.endpoint:
            text += f"; cached answers of {r.endpoint} only{fetched}"
        return text


def _describe_entity(entity: URIRef, names: list[tuple[str, str]]) -> str:
    """'Malabar (kgid:exercise/malabar-2018)': an English name if any, and the IRI."""
    english = [text for text, lang in names if lang == "en"]
    name = (english or [text for text, _ in names] or ["(no name)"])[0]
    return f"{name} (kgid:{str(entity)[len(str(KGID)):]})"


def _choose(candidates: list[_Candidate], expected: set[str] | None
            ) -> tuple[tuple[str, str, bool] | None, str]:
    """The one item a name denotes, preferring label matches and items of an expected class; else why not."""
    if not candidates:
        return None, "no Wikidata item has this label"
    for how in ("label", "alias"):
        qids = sorted({q for q, h, _ in candidates if h == how})
        if not qids:
            continue
        if expected:
            qids = sorted({q for q, h, c in candidates if h == how and c in expected})
            if not qids:
                continue
        if len(qids) == 1:
            typed = bool(expected)
            return (qids[0], how, typed), f"unique {how} match" + (" of a fitting type" if typed else "")
        shown = ", ".join(qids[:5]) + (", …" if len(qids) > 5 else "")
        return None, f"ambiguous: {len(qids)} items carry this {how} ({shown}); left unlinked"
    return None, "no Wikidata item of a fitting type has this name"


def _kg_qid_iri(qid: str) -> URIRef:
    """`kgid:Q…`, the IRI kg.rdf.mapping gives an entity known by its QID."""
    return checked_iri(f"{KGID}{qid}")


def _datetime(date: str) -> Literal:
    """A date as Wikidata writes it: an xsd:dateTime at midnight UTC ('1949-04-04T00:00:00Z')."""
    year, month, day = (date.split("-") + ["01", "01"])[:3]
    return Literal(f"{year}-{month}-{day}T00:00:00Z", datatype=XSD.dateTime, normalize=False)


def enrich(graph: Graph, *, client: WikidataClient | None = None, gazetteer: Gazetteer | None = None,
           snapshot: Snapshot | None = None) -> WikidataResult:
    """Link the entities of a built graph to Wikidata and enrich them, into a new graph (`DIR/wikidata.ttl`).

    Args:
        graph: the graph of a build (graph.ttl).
        client: asks an endpoint (through its cache); None uses the snapshot only and opens no connection.
        gazetteer, snapshot: default to the packaged ones.

    Returns:
        The new graph, with counts and warnings (an endpoint that failed, names left unlinked).

    >>> from kg.rdf.mapping import new_graph
    >>> enrich(new_graph()).linked
    0
    """
    enricher = _Enricher(graph, client, gazetteer or load_gazetteer(), snapshot or load_snapshot())
    enricher.link()
    enricher.enrich()
    result = enricher.result
    if enricher.endpoint is not None:
        client_ = enricher.endpoint.client
        if client_.problem:  # every failed request sets it; the first one stops the asking
            result.mode = "offline"
            result.warnings.append(f"Wikidata endpoint {client_.endpoint}: {client_.problem}; built offline "
                                   f"from the snapshot of {result.snapshot_date} and cached answers")
        if client_.cache_problem:
            result.warnings.append(client_.cache_problem)
        if client_.skipped_rows:
            result.warnings.append(f"Wikidata endpoint {client_.endpoint}: {client_.skipped_rows} malformed "
                                   "answer row(s) skipped")
    return result
