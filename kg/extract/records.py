"""Records passed from extraction to mapping: small, frozen, and free of spaCy objects."""

from __future__ import annotations

from dataclasses import dataclass

from kg.extract.dates import PartialDate
from kg.ingest.article import Article


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: the sentence, the span's character offsets in the article text, the rule."""

    sentence: str
    start: int
    end: int
    rule: str
    confidence: float


@dataclass(frozen=True)
class Mention:
    """An entity named in an article.

    `entity` is the gazetteer id (a Wikidata QID, or a slug) or, for entities the gazetteer does not know,
    a local key such as "person/rajnath-singh"; `kind` says how it was recognised (label, name, abbrev,
    capital, demonym, official, prefix, context, ner, designation, acronym).
    """

    entity: str
    type: str
    text: str
    kind: str
    evidence: Evidence
    label: str
    role: str | None = None
    affiliation: str | None = None
    located: bool = False  # a state the article names only as a place ("the war in Yemen"): no actor by itself

    @property
    def named(self) -> bool:
        """True when the entity is named outright, not only through an adjective or a compound."""
        return self.kind not in ("demonym", "prefix", "acronym")


@dataclass(frozen=True)
class Exercise:
    """A military exercise as one article reports it."""

    name: str | None
    participants: tuple[str, ...]
    organiser: str | None
    host: str | None
    location: str | None
    start: PartialDate | None
    end: PartialDate | None
    evidence: tuple[Evidence, ...]
    observers: tuple[str, ...] = ()  # states watching the exercise: they act in the article, they take no part


@dataclass(frozen=True)
class ArmsDeal:
    """A transfer of weapon systems from a supplier to a recipient, at some stage."""

    supplier: str | None
    recipient: str | None
    items: tuple[str, ...]
    quantity: int | None
    value: str | None  # decimal as text, so that no float rounding enters the graph
    currency: str | None
    status: str
    date: PartialDate | None
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class MembershipFact:
    """A state joining, being, applying to be, or leaving a member of an organisation."""

    member: str
    organisation: str
    kind: str  # joined, member, applied, left
    date: PartialDate | None
    evidence: Evidence


@dataclass(frozen=True)
class Rivalry:
    """Two states described as rivals, enemies or at war."""

    parties: tuple[str, str]
    evidence: Evidence


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one article."""

    article: Article
    mentions: tuple[Mention, ...]
    exercises: tuple[Exercise, ...]
    deals: tuple[ArmsDeal, ...]
    memberships: tuple[MembershipFact, ...]
    rivalries: tuple[Rivalry, ...]
