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
from typing import Generic, Protocol, TypeVar

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS, DefinedNamespace
from rdflib.term import Identifier

from kg.errors import MappingError
from kg.extract.dates import PartialDate
from kg.extract.entities import slug
from kg.extract.gazetteer import DATA_DIR, Gazetteer, load_gazetteer
from kg.extract.records import ArmsDeal, Evidence, Exercise, Extraction, MembershipFact, Mention, Rivalry
from kg.ingest.article import Article
from kg.rdf.ontology import KG, KGID, SCHEMA, SEM, WD, WDT

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
#: The class of each entity type, as IRI strings (what sinks make terms of).
_TYPES = {name: str(getattr(KG, name)) for name in ("State", "Organisation", "MilitaryAlliance", "Person", "Place",
                                                    "WeaponSystem")}


def new_graph() -> Graph:
    """An empty graph with the project's prefixes bound."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def mint(kind: str, *parts: str) -> URIRef:
    """The IRI of an instance: `kgid:{kind}/{part}-{part}…`, from IRI-safe slugs only."""
    return URIRef(_minted(kind, *parts))


def _minted(kind: str, *parts: str) -> str:
    local = "-".join(slug(p) for p in parts if p)
    return _checked(f"{KGID}{kind}/{local}" if kind else f"{KGID}{local}")


def checked_iri(iri: str) -> URIRef:
    """`iri` as a URIRef, or MappingError when it could not be written as an IRI in Turtle."""
    return URIRef(_checked(iri))


def _checked(iri: str) -> str:
    if not _IRI_SAFE.match(iri):
        raise MappingError(f"invalid IRI {iri!r}")
    return iri


def _digest(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def article_iri(article: Article) -> URIRef:
    """The article's IRI: a readable slug of its id plus a digest of the exact id, so ids never collide."""
    return checked_iri(f"{KGID}article/{slug(article.id)[:60]}-{_digest(article.id)[:8]}")


def qid_iri(qid: str) -> URIRef:
    """The project's IRI for the real-world entity with Wikidata id `qid` (kgid:Q668 for India)."""
    return URIRef(_qid_iri(qid))


def _qid_iri(qid: str) -> str:
    if not re.fullmatch(r"Q[1-9]\d*", qid):
        raise MappingError(f"not a Wikidata QID: {qid!r}")
    return _checked(f"{KGID}{qid}")


def entity_iri(entity_id: str, gaz: Gazetteer) -> URIRef:
    """Known entities are minted from their QID; local ones from their kind and slug."""
    return URIRef(_entity_iri(entity_id, gaz))


def _entity_iri(entity_id: str, gaz: Gazetteer) -> str:
    entity = gaz.entities.get(entity_id)
    if entity is not None and entity.qid:
        return _qid_iri(entity.qid)
    kind, _, rest = entity_id.partition("/")
    return _minted(kind, rest) if rest else _minted("entity", entity_id)


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
    return Literal(value.iso(), datatype=_date_type(value))


def _date_type(value: PartialDate) -> URIRef:
    return XSD.gYear if value.month is None else XSD.gYearMonth if value.day is None else XSD.date


def _rounded(confidence: float) -> Decimal:
    """Two decimals, from the float's shortest repr: no binary noise such as 0.6999999 in the graph."""
    return Decimal(str(round(confidence, 2)))


T = TypeVar("T")


class TermSink(Protocol[T]):
    """Where the mapper writes: it makes the terms of one RDF library and keeps the triples.

    The mapper alone decides which triples an extraction gives; a sink only decides how they are held, so the
    build can make Oxigraph terms directly (`kg.pipeline.executors`) instead of building an rdflib graph and
    converting it.
    """

    def iri(self, value: str) -> T:
        """The IRI `value` (already checked where it was minted)."""

    def literal(self, value: str | int | Decimal, lang: str | None = None, datatype: str | None = None) -> T:
        """The literal rdflib's `Literal(value, lang=lang, datatype=datatype)` is: the same lexical form."""

    def lexical(self, term: T) -> str:
        """The IRI or the lexical form of `term` (what `str` gives of an rdflib term): attestation ids hash it."""

    def add(self, s: T, p: T, o: T) -> None:
        """Keep the triple; adding one twice keeps it once."""


class _GraphSink:
    """rdflib terms, added to an rdflib graph (`map_extraction`)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.iris: dict[str, URIRef] = {}

    def iri(self, value: str) -> Identifier:
        found = self.iris.get(value)
        if found is None:
            found = self.iris[value] = URIRef(value)
        return found

    def literal(self, value: str | int | Decimal, lang: str | None = None, datatype: str | None = None
                ) -> Identifier:
        return Literal(value, lang=lang, datatype=datatype)

    def lexical(self, term: Identifier) -> str:
        return str(term)

    def add(self, s: Identifier, p: Identifier, o: Identifier) -> None:
        self.graph.add((s, p, o))


@cache
def _term_iri(namespace: Namespace | type[DefinedNamespace], name: str) -> str:
    return str(getattr(namespace, name))


class _Vocabulary(Generic[T]):
    """A namespace's terms as one sink makes them: `kg.article`, looked up once per mapper (rdflib namespace
    attributes are slow), still refusing a name the ontology lacks."""

    def __init__(self, namespace: Namespace | type[DefinedNamespace], sink: TermSink[T]) -> None:
        self._namespace = namespace
        self._sink = sink

    def __getattr__(self, name: str) -> T:
        if name.startswith("_"):
            raise AttributeError(name)
        term = self._sink.iri(_term_iri(self._namespace, name))
        setattr(self, name, term)
        return term


class _Mapper(Generic[T]):
    """Writes one extraction into a sink: the one place that decides which triples an extraction gives."""

    def __init__(self, sink: TermSink[T], extraction: Extraction, gaz: Gazetteer) -> None:
        self.x = extraction
        self.gaz = gaz
        self.add, self.iri, self.literal, self.lexical = sink.add, sink.iri, sink.literal, sink.lexical
        self.rdf, self.rdfs, self.kg = _Vocabulary(RDF, sink), _Vocabulary(RDFS, sink), _Vocabulary(KG, sink)
        self.dcterms, self.schema = _Vocabulary(DCTERMS, sink), _Vocabulary(SCHEMA, sink)
        self.article_iri = str(article_iri(extraction.article))
        self.article = sink.iri(self.article_iri)
        self.lang = extraction.article.lang
        self.entities: dict[tuple[str, str | None, str | None], T] = {}
        self.deals: set[str] = set()

    def fact(self, s: T, p: T, o: T, evidence: Evidence, surface: str | None = None) -> None:
        """Assert a triple and its attestation."""
        add, rdf, kg, literal = self.add, self.rdf, self.kg, self.literal
        add(s, p, o)
        node = self.iri(_minted("attestation", _digest(self.article_iri, self.lexical(s), self.lexical(p),
                                                       self.lexical(o), evidence.start, evidence.end, evidence.rule)))
        add(node, rdf.type, kg.Attestation)
        add(node, rdf.subject, s)
        add(node, rdf.predicate, p)
        add(node, rdf.object, o)
        add(node, kg.article, self.article)
        add(node, kg.sentence, literal(evidence.sentence))
        add(node, kg.startChar, literal(evidence.start))
        add(node, kg.endChar, literal(evidence.end))
        add(node, kg.rule, literal(evidence.rule))
        add(node, kg.confidence, literal(_rounded(evidence.confidence), datatype=XSD.decimal))
        if surface:
            add(node, kg.surfaceForm, literal(surface))

    def date(self, value: PartialDate) -> T:
        """The literal `date_literal` gives."""
        return self.literal(value.iso(), datatype=_date_type(value))

    def article_node(self) -> None:
        a = self.x.article
        add, dcterms, literal = self.add, self.dcterms, self.literal
        add(self.article, self.rdf.type, self.kg.Article)
        add(self.article, dcterms.identifier, literal(a.id))
        add(self.article, dcterms.language, literal(a.lang))
        if a.title:
            add(self.article, dcterms.title, literal(a.title))
        if a.date:
            add(self.article, dcterms.date, literal(a.date.isoformat(), datatype=XSD.date))
        if a.url:
            add(self.article, self.schema.url, self.iri(a.url) if _IRI_SAFE.match(a.url) else literal(a.url))

    def entity(self, entity_id: str, fallback_label: str | None = None, fallback_type: str | None = None) -> T:
        """The entity's node, typed and labelled once per mapper (an article names the same entities often)."""
        key = (entity_id, fallback_label, fallback_type)
        found = self.entities.get(key)
        if found is None:
            found = self.entities[key] = self._entity(entity_id, fallback_label, fallback_type)
        return found

    def _entity(self, entity_id: str, fallback_label: str | None, fallback_type: str | None) -> T:
        iri = self.iri(_entity_iri(entity_id, self.gaz))
        known = self.gaz.entities.get(entity_id)
        add, rdf, label, literal = self.add, self.rdf, self.rdfs.label, self.literal
        if known is not None:
            add(iri, rdf.type, self.iri(_TYPES[known.type]))
            if known.type == "WeaponSystem":
                add(iri, label, literal(known.label_en))
            else:
                add(iri, label, literal(known.label_en, lang="en"))
                add(iri, label, literal(known.label_fr, lang="fr"))
            if known.qid:
                add(iri, self.kg.wikidata, self.iri(f"{WD}{known.qid}"))
            if known.type == "WeaponSystem" and known.origin:
                add(iri, self.kg.country, self.entity(known.origin))
        elif fallback_type:
            add(iri, rdf.type, self.iri(_TYPES[fallback_type]))
            if fallback_label:
                lang = None if fallback_type == "WeaponSystem" else self.lang
                add(iri, label, literal(fallback_label, lang=lang))
        return iri

    def mention(self, m: Mention, actors: frozenset[str] = frozenset()) -> None:
        """The article mentions the entity: named outright, or through an adjective when it acts in an event
        ("Singaporean forces" take part; a "German offer" alone is not a state acting), and not only as the place
        where others act ("the war in Yemen")."""
        iri = self.entity(m.entity, m.label, m.type)
        if (m.named and not m.located) or m.type != "State" or m.entity in actors:
            self.fact(self.article, self.kg.mentions, iri, m.evidence, m.text)
        if m.role:
            self.fact(iri, self.kg.role, self.literal(m.role, lang=self.lang), m.evidence)
        if m.affiliation:
            self.fact(iri, self.kg.affiliation, self.entity(m.affiliation), m.evidence)

    def event(self, iri: T, cls: T, evidence: tuple[Evidence, ...]) -> Evidence:
        self.add(iri, self.rdf.type, cls)
        self.add(iri, self.kg.reportedIn, self.article)
        self.fact(iri, self.rdf.type, cls, evidence[0])
        return evidence[0]

    def exercise(self, e: Exercise) -> None:
        key = exercise_key(e.name) if e.name else _digest(self.x.article.id, e.evidence[0].start)
        year = e.start.year if e.start and e.name and not re.search(r"\b(19|20)\d\d\b", e.name) else None
        iri = self.iri(_minted("exercise", key, str(year) if year else ""))
        kg = self.kg
        ev = self.event(iri, kg.MilitaryExercise, e.evidence)
        if e.name:
            self.fact(iri, kg.name, self.literal(e.name, lang=self.lang), ev)
            self.add(iri, self.rdfs.label, self.literal(e.name, lang=self.lang))
        for state in e.participants:
            self.fact(iri, kg.participant, self.entity(state), ev)
        if e.organiser:
            self.fact(iri, kg.organiser, self.entity(e.organiser), ev)
        if e.host:
            self.fact(iri, kg.host, self.entity(e.host), ev)
        if e.location:
            place = self.entity(e.location, e.location.partition("/")[2].replace("-", " ").title(), "Place")
            self.fact(iri, kg.location, place, ev)
            if e.host:
                self.fact(place, kg.locatedIn, self.entity(e.host), ev)
        if e.start:
            self.fact(iri, kg.startDate, self.date(e.start), ev)
        if e.end:
            self.fact(iri, kg.endDate, self.date(e.end), ev)

    def deal(self, d: ArmsDeal) -> None:
        minted = _minted("deal", d.supplier or "unknown", d.recipient or "unknown", min(d.items, default=""))
        if minted in self.deals and d.date:  # an earlier contract for the same item, told in the same article
            on = (d.date.year, d.date.month, d.date.day)
            minted = _minted("deal", minted.rpartition("/")[2], *(str(part) for part in on if part))
        self.deals.add(minted)
        iri = self.iri(minted)
        kg = self.kg
        ev = self.event(iri, kg.ArmsDeal, d.evidence)
        for role, who in ((kg.supplier, d.supplier), (kg.recipient, d.recipient)):
            if who:
                self.fact(iri, role, self.entity(who), ev)
        for item in d.items:
            known = self.gaz.entities.get(item)
            self.fact(iri, kg.item, self.entity(item, known.label_en if known else item.partition("/")[2].upper(),
                                                "WeaponSystem"), ev)
        self.fact(iri, kg.status, self.literal(d.status), ev)
        if d.quantity:
            self.fact(iri, kg.quantity, self.literal(d.quantity), ev)
        if d.value:
            self.fact(iri, kg.value, self.literal(Decimal(d.value), datatype=XSD.decimal), ev)
        if d.currency:
            self.fact(iri, kg.currency, self.literal(d.currency), ev)
        if d.date:
            self.fact(iri, kg.date, self.date(d.date), ev)

    def membership(self, m: MembershipFact) -> None:
        iri = self.iri(_minted("membership", m.member, m.organisation, m.kind))
        kg = self.kg
        ev = self.event(iri, kg.Membership, (m.evidence,))
        member, org = self.entity(m.member), self.entity(m.organisation)
        self.fact(iri, kg.member, member, ev)
        self.fact(iri, kg.organisation, org, ev)
        self.fact(iri, kg.membershipKind, self.literal(m.kind), ev)
        if m.date:
            self.fact(iri, kg.date, self.date(m.date), ev)
        if m.kind in ("member", "joined"):
            self.fact(member, kg.memberOf, org, ev)

    def rivalry(self, r: Rivalry) -> None:
        iri = self.iri(_minted("rivalry", *r.parties))
        kg = self.kg
        ev = self.event(iri, kg.Rivalry, (r.evidence,))
        a, b = (self.entity(p) for p in r.parties)
        self.fact(iri, kg.party, a, ev)
        self.fact(iri, kg.party, b, ev)
        self.fact(a, kg.rivalOf, b, ev)


def _actors(x: Extraction) -> frozenset[str]:
    """Entities with a role in one of the article's events."""
    roles: set[str | None] = set()
    for e in x.exercises:
        roles.update((*e.participants, *e.observers, e.host))
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
    write_extraction(extraction, _GraphSink(graph))
    return graph


def write_extraction(extraction: Extraction, sink: TermSink[T]) -> None:
    """Write one article's extraction into `sink`: the triples `map_extraction` gives, as the sink's terms."""
    mapper = _Mapper(sink, extraction, load_gazetteer())
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
