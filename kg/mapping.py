"""Map: extraction records → RDF in the terms of the kg ontology (stage 3). The one place IRIs are minted.

Every real-world entity gets one IRI in every article and language (from its Wikidata QID when the gazetteer
knows it); an exercise, deal, membership or rivalry reported by several articles is one node with several
`kg:reportedIn`. Each asserted fact has a `kg:Attestation` (RDF reification: rdf:subject/predicate/object)
naming the article, the sentence, the character offsets, the rule and a confidence, so that values that
disagree between sources stay side by side, each with its source.
"""

from __future__ import annotations

import csv
import hashlib
import re
from decimal import Decimal
from functools import cache

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from kg.articles import Article
from kg.errors import MappingError
from kg.extract.dates import PartialDate
from kg.extract.entities import slug
from kg.extract.records import ArmsDeal, Evidence, Exercise, Extraction, MembershipFact, Mention, Rivalry
from kg.gazetteer import DATA_DIR, Gazetteer, load_gazetteer
from kg.ontology import KG, KGID, SCHEMA, SEM, WD, WDT

#: Every prefix the project writes, bound in one place.
PREFIXES: dict[str, Namespace] = {
    "kg": Namespace(str(KG)), "kgid": KGID, "wd": WD, "wdt": WDT, "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)), "owl": Namespace(str(OWL)), "xsd": Namespace(str(XSD)),
    "prov": Namespace(str(PROV)), "dcterms": Namespace(str(DCTERMS)), "skos": Namespace(str(SKOS)),
    "schema": SCHEMA, "sem": SEM,
    "p": Namespace("http://www.wikidata.org/prop/"), "ps": Namespace("http://www.wikidata.org/prop/statement/"),
    "pq": Namespace("http://www.wikidata.org/prop/qualifier/"),
    "pqv": Namespace("http://www.wikidata.org/prop/qualifier/value/"),
    "wikibase": Namespace("http://wikiba.se/ontology#"),
}
_IRI_SAFE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`\x00-\x20]*$")
_TYPES = {"State": KG.State, "Organisation": KG.Organisation, "MilitaryAlliance": KG.MilitaryAlliance,
          "Person": KG.Person, "Place": KG.Place, "WeaponSystem": KG.WeaponSystem}


def new_graph() -> Graph:
    """An empty graph with the project's prefixes bound."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def mint(kind: str, *parts: str) -> URIRef:
    """The IRI of an instance: `kgid:{kind}/{part}-{part}…`, from IRI-safe slugs only."""
    local = "-".join(slug(p) for p in parts if p)
    iri = f"{KGID}{kind}/{local}" if kind else f"{KGID}{local}"
    return checked_iri(iri)


def checked_iri(iri: str) -> URIRef:
    """`iri` as a URIRef, or MappingError when it could not be written as an IRI in Turtle."""
    if not _IRI_SAFE.match(iri):
        raise MappingError(f"invalid IRI {iri!r}")
    return URIRef(iri)


def _digest(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def article_iri(article: Article) -> URIRef:
    """The article's IRI: a readable slug of its id plus a digest of the exact id, so ids never collide."""
    return checked_iri(f"{KGID}article/{slug(article.id)[:60]}-{_digest(article.id)[:8]}")


def qid_iri(qid: str) -> URIRef:
    """The project's IRI for the real-world entity with Wikidata id `qid` (kgid:Q668 for India)."""
    if not re.fullmatch(r"Q[1-9]\d*", qid):
        raise MappingError(f"not a Wikidata QID: {qid!r}")
    return checked_iri(f"{KGID}{qid}")


def entity_iri(entity_id: str, gaz: Gazetteer) -> URIRef:
    """Known entities are minted from their QID; local ones from their kind and slug."""
    entity = gaz.entities.get(entity_id)
    if entity is not None and entity.qid:
        return qid_iri(entity.qid)
    kind, _, rest = entity_id.partition("/")
    return mint(kind, rest) if rest else mint("entity", entity_id)


_NAME_STOPWORDS = frozenset({"de", "du", "des", "la", "le", "les", "l", "d", "of", "the", "exercise", "exercice",
                             "exercices", "exercises", "manoeuvres", "manœuvres", "drills"})


@cache
def _name_words() -> dict[str, str]:
    with (DATA_DIR / "name_words.csv").open(encoding="utf-8") as handle:
        return {row["fr"]: row["en"] for row in csv.DictReader(handle)}


def exercise_key(name: str) -> str:
    """A language-neutral key of an exercise name: words in English, sorted, without function words.

    >>> exercise_key("Bouclier du Nord 2024") == exercise_key("North Shield 2024")
    True
    """
    words = re.split(r"[\s'’-]+", name.lower())
    translated = {_name_words().get(w, w) for w in words if w and w not in _NAME_STOPWORDS}
    return "-".join(sorted(slug(w) for w in translated))


def date_literal(value: PartialDate) -> Literal:
    """xsd:gYear, xsd:gYearMonth or xsd:date, whichever the text gave."""
    datatype = XSD.gYear if value.month is None else XSD.gYearMonth if value.day is None else XSD.date
    return Literal(value.iso(), datatype=datatype)


def _decimal(value: float) -> Literal:
    return Literal(Decimal(str(round(value, 2))), datatype=XSD.decimal)


class _Mapper:
    """Writes one extraction into a graph."""

    def __init__(self, graph: Graph, extraction: Extraction, gaz: Gazetteer) -> None:
        self.g = graph
        self.x = extraction
        self.gaz = gaz
        self.article = article_iri(extraction.article)
        self.lang = extraction.article.lang

    def fact(self, s: URIRef, p: URIRef, o: URIRef | Literal, evidence: Evidence, surface: str | None = None) -> None:
        """Assert a triple and its attestation."""
        self.g.add((s, p, o))
        node = mint("attestation", _digest(self.article, s, p, o, evidence.start, evidence.end, evidence.rule))
        g = self.g
        g.add((node, RDF.type, KG.Attestation))
        g.add((node, RDF.subject, s))
        g.add((node, RDF.predicate, p))
        g.add((node, RDF.object, o))
        g.add((node, KG.article, self.article))
        g.add((node, KG.sentence, Literal(evidence.sentence)))
        g.add((node, KG.startChar, Literal(evidence.start)))
        g.add((node, KG.endChar, Literal(evidence.end)))
        g.add((node, KG.rule, Literal(evidence.rule)))
        g.add((node, KG.confidence, _decimal(evidence.confidence)))
        if surface:
            g.add((node, KG.surfaceForm, Literal(surface)))

    def article_node(self) -> None:
        a = self.x.article
        g = self.g
        g.add((self.article, RDF.type, KG.Article))
        g.add((self.article, DCTERMS.identifier, Literal(a.id)))
        g.add((self.article, DCTERMS.language, Literal(a.lang)))
        if a.title:
            g.add((self.article, DCTERMS.title, Literal(a.title)))
        if a.date:
            g.add((self.article, DCTERMS.date, Literal(a.date.isoformat(), datatype=XSD.date)))
        if a.url:
            url: URIRef | Literal = URIRef(a.url) if _IRI_SAFE.match(a.url) else Literal(a.url)
            g.add((self.article, SCHEMA.url, url))

    def entity(self, entity_id: str, fallback_label: str | None = None, fallback_type: str | None = None) -> URIRef:
        """The entity's node, typed and labelled (once per graph; rdflib sets make repeats free)."""
        iri = entity_iri(entity_id, self.gaz)
        known = self.gaz.entities.get(entity_id)
        g = self.g
        if known is not None:
            g.add((iri, RDF.type, _TYPES[known.type]))
            if known.type == "WeaponSystem":
                g.add((iri, RDFS.label, Literal(known.label_en)))
            else:
                g.add((iri, RDFS.label, Literal(known.label_en, lang="en")))
                g.add((iri, RDFS.label, Literal(known.label_fr, lang="fr")))
            if known.qid:
                g.add((iri, KG.wikidata, WD[known.qid]))
            if known.type == "WeaponSystem" and known.origin:
                g.add((iri, KG.country, self.entity(known.origin)))
        elif fallback_type:
            g.add((iri, RDF.type, _TYPES[fallback_type]))
            if fallback_label:
                lang = None if fallback_type == "WeaponSystem" else self.lang
                g.add((iri, RDFS.label, Literal(fallback_label, lang=lang)))
        return iri

    def mention(self, m: Mention, actors: frozenset[str] = frozenset()) -> None:
        """The article mentions the entity: named outright, or through an adjective when it acts in an event
        ("Singaporean forces" take part; a "German offer" alone is not a state acting)."""
        iri = self.entity(m.entity, m.label, m.type)
        if m.named or m.type != "State" or m.entity in actors:
            self.fact(self.article, KG.mentions, iri, m.evidence, m.text)
        if m.role:
            self.fact(iri, KG.role, Literal(m.role, lang=self.lang), m.evidence)
        if m.affiliation:
            self.fact(iri, KG.affiliation, self.entity(m.affiliation), m.evidence)

    def event(self, iri: URIRef, cls: URIRef, evidence: tuple[Evidence, ...]) -> Evidence:
        self.g.add((iri, RDF.type, cls))
        self.g.add((iri, KG.reportedIn, self.article))
        self.fact(iri, RDF.type, cls, evidence[0])
        return evidence[0]

    def exercise(self, e: Exercise) -> None:
        key = exercise_key(e.name) if e.name else _digest(self.x.article.id, e.evidence[0].start)
        year = e.start.year if e.start and e.name and not re.search(r"\b(19|20)\d\d\b", e.name) else None
        iri = mint("exercise", key, str(year) if year else "")
        ev = self.event(iri, KG.MilitaryExercise, e.evidence)
        if e.name:
            self.fact(iri, KG.name, Literal(e.name, lang=self.lang), ev)
            self.g.add((iri, RDFS.label, Literal(e.name, lang=self.lang)))
        for state in e.participants:
            self.fact(iri, KG.participant, self.entity(state), ev)
        if e.organiser:
            self.fact(iri, KG.organiser, self.entity(e.organiser), ev)
        if e.host:
            self.fact(iri, KG.host, self.entity(e.host), ev)
        if e.location:
            place = self.entity(e.location, e.location.partition("/")[2].replace("-", " ").title(), "Place")
            self.fact(iri, KG.location, place, ev)
            if e.host:
                self.fact(place, KG.locatedIn, self.entity(e.host), ev)
        if e.start:
            self.fact(iri, KG.startDate, date_literal(e.start), ev)
        if e.end:
            self.fact(iri, KG.endDate, date_literal(e.end), ev)

    def deal(self, d: ArmsDeal) -> None:
        iri = mint("deal", d.supplier or "unknown", d.recipient or "unknown", min(d.items, default=""))
        ev = self.event(iri, KG.ArmsDeal, d.evidence)
        for role, who in ((KG.supplier, d.supplier), (KG.recipient, d.recipient)):
            if who:
                self.fact(iri, role, self.entity(who), ev)
        for item in d.items:
            known = self.gaz.entities.get(item)
            self.fact(iri, KG.item, self.entity(item, known.label_en if known else item.partition("/")[2].upper(),
                                                "WeaponSystem"), ev)
        self.fact(iri, KG.status, Literal(d.status), ev)
        if d.quantity:
            self.fact(iri, KG.quantity, Literal(d.quantity), ev)
        if d.value:
            self.fact(iri, KG.value, Literal(Decimal(d.value), datatype=XSD.decimal), ev)
        if d.currency:
            self.fact(iri, KG.currency, Literal(d.currency), ev)
        if d.date:
            self.fact(iri, KG.date, date_literal(d.date), ev)

    def membership(self, m: MembershipFact) -> None:
        iri = mint("membership", m.member, m.organisation, m.kind)
        ev = self.event(iri, KG.Membership, (m.evidence,))
        member, org = self.entity(m.member), self.entity(m.organisation)
        self.fact(iri, KG.member, member, ev)
        self.fact(iri, KG.organisation, org, ev)
        self.fact(iri, KG.membershipKind, Literal(m.kind), ev)
        if m.date:
            self.fact(iri, KG.date, date_literal(m.date), ev)
        if m.kind in ("member", "joined"):
            self.fact(member, KG.memberOf, org, ev)

    def rivalry(self, r: Rivalry) -> None:
        iri = mint("rivalry", *r.parties)
        ev = self.event(iri, KG.Rivalry, (r.evidence,))
        a, b = (self.entity(p) for p in r.parties)
        self.fact(iri, KG.party, a, ev)
        self.fact(iri, KG.party, b, ev)
        self.fact(a, KG.rivalOf, b, ev)


def _actors(x: Extraction) -> frozenset[str]:
    """Entities with a role in one of the article's events."""
    roles: set[str | None] = set()
    for e in x.exercises:
        roles.update((*e.participants, e.host))
    for d in x.deals:
        roles.update((d.supplier, d.recipient))
    for ms in x.memberships:
        roles.add(ms.member)
    for r in x.rivalries:
        roles.update(r.parties)
    return frozenset(r for r in roles if r)


def map_extraction(extraction: Extraction, graph: Graph | None = None) -> Graph:
    """Add one article's extraction to `graph` (a new graph when None) and return the graph."""
    graph = graph if graph is not None else new_graph()
    mapper = _Mapper(graph, extraction, load_gazetteer())
    mapper.article_node()
    actors = _actors(extraction)
    for m in extraction.mentions:
        mapper.mention(m, actors)
    for e in extraction.exercises:
        mapper.exercise(e)
    for d in extraction.deals:
        mapper.deal(d)
    for ms in extraction.memberships:
        mapper.membership(ms)
    for r in extraction.rivalries:
        mapper.rivalry(r)
    return graph
