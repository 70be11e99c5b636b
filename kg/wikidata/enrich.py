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

import hashlib
import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.extract.gazetteer import Gazetteer, load_gazetteer
from kg.rdf.mapping import checked_iri, mint, new_graph, qid_iri
from kg.rdf.ontology import KG, KGID, WD, WDT
from kg.rdf.serialise import sorted_triples
from kg.wikidata.client import WikidataClient
from kg.wikidata.endpoint import Candidate, Endpoint, statement_key
from kg.wikidata.evidence import Evidence, LinkLines, entity_names, evidence_by_entity
from kg.wikidata.snapshot import QID_PATTERN, Facts, Label, Snapshot, Source, Statement, load_snapshot

P = Namespace("http://www.wikidata.org/prop/")
PS = Namespace("http://www.wikidata.org/prop/statement/")
PQ = Namespace("http://www.wikidata.org/prop/qualifier/")
PQV = Namespace("http://www.wikidata.org/prop/qualifier/value/")
WIKIBASE = Namespace("http://wikiba.se/ontology#")
CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")

MILITARY_ALLIANCE = "Q1127126"
"""Wikidata class 'military alliance': an organisation with this P31 is typed kg:MilitaryAlliance."""
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
@dataclass
class WikidataResult:
    """The triples for `DIR/wikidata.ttl` and what went into it: the facts as an rdflib graph, the attestations of
    the links (a million triples at 10,000 articles) as N-Triples lines."""

    facts: Graph
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
    attestations: list[str] = field(default_factory=list)

    @property
    def graph(self) -> Graph:
        """All the triples, as a new rdflib graph (for small graphs: tests, notebooks)."""
        graph = new_graph()
        graph += self.facts
        if self.attestations:
            graph.parse(data="".join(self.attestations), format="nt")
        return graph

    def ntriples(self) -> list[str]:
        """All the triples as N-Triples lines, in the order of `kg.rdf.serialise.sorted_triples` on `graph` (each line
        is a triple's text and " .", so sorting lines sorts the triples' texts)."""
        facts = [f"{triple} .\n" for triple in sorted_triples(self.facts)]
        attested = sorted(set(self.attestations).difference(facts))
        return list(heapq.merge(facts, attested))

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
        self.endpoint = Endpoint(client) if client is not None else None
        self.out = new_graph()
        self.evidence: dict[URIRef, dict[URIRef, Evidence]] = {}
        self.links = LinkLines()
        self.kg_iri: dict[str, URIRef] = {}  # QID → the entity's IRI in the graph
        self.used_sources: dict[str, int] = defaultdict(int)
        self.result = WikidataResult(self.out, "offline" if client is None or client.offline else "online",
                                     client.endpoint if client is not None else None, snapshot.date,
                                     attestations=self.links.lines)

    # -- links -----------------------------------------------------------------------------------------------

    def link(self) -> None:
        g = self.graph
        entities = sorted({e for t in _LINKED_TYPES for e in g.subjects(RDF.type, t)
                           if isinstance(e, URIRef)})
        local = []
        self.evidence = evidence_by_entity(g, linked_only=True)  # the others' only with an endpoint (`_link_live`)
        for entity in entities:
            items = [i for i in g.objects(entity, KG.wikidata) if isinstance(i, URIRef)]
            if not items:
                local.append(entity)
                continue
            for item in items:
                self.kg_iri.setdefault(str(item)[len(str(WD)):], entity)
                for evidence in self.evidence.get(entity, {}).values():
                    rule = f"wikidata-{_EVIDENCE.get(evidence.rule, 'gazetteer')}"
                    self.links.attest(entity, item, evidence, rule, evidence.confidence)
        self.result.linked = sum(1 for e in entities if e not in local)
        self._link_live(local)

    def _link_live(self, local: list[URIRef]) -> None:
        if not local:
            return
        names = {entity: entity_names(self.graph, entity) for entity in local}
        found = None
        if self.endpoint is not None:
            found = self.endpoint.lookup([n for ns in names.values() for n in ns])
        if found is not None:
            self.evidence = evidence_by_entity(self.graph)
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
                self.links.attest(entity, item, evidence, rule, confidence)

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
        for s in sorted(set(facts.statements), key=statement_key):
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
        value: URIRef | Literal = WD[s.value] if QID_PATTERN.match(s.value) else Literal(s.value)
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
            member = self.kg_iri.get(s.item) or qid_iri(s.item)
            org = self.kg_iri.get(s.value) or qid_iri(s.value)
            out.add((member, KG.memberOf, org))
            out.add((node, RDF.subject, member))
            out.add((node, RDF.predicate, KG.memberOf))
            out.add((node, RDF.object, org))

    def _new_organisation(self, qid: str) -> None:
        """An organisation no article names, but which a linked entity is a member of."""
        entity = qid_iri(qid)
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


def _choose(candidates: list[Candidate], expected: set[str] | None
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
