"""States an article names only as a place: "the war in Yemen", "une base en Jordanie".

An analyst asks which states act in the news (take part, host, buy, sell, join, state); a state that is only the
scene of something said about others is a place, not an actor. Such a mention is still kept (an exercise's host
is read from "in Poland"), only marked, so that mapping can leave it out of the article's states when no event
gives the state a role.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc, Token

from kg.extract.context import STATE_TYPES, first_conjunct, lexicon
from kg.extract.records import Mention


def _preposition(token: Token) -> Token | None:
    """The preposition that makes `token` a complement, as each language's parse attaches it (English: the
    preposition heads the noun; French: it is the noun's `case`)."""
    root = first_conjunct(token)
    if root.dep_ == "pobj":
        return root.head
    return next((c for c in root.children if c.dep_ == "case"), None)


def _is_place(doc: Doc, mention: Mention, lang: str) -> bool:
    """The mention is the place of something, not its target ("war in Yemen", not "invasion in Ukraine": the
    words just before the preposition say which), nor the venue of an exercise, whose host it is by the annotation
    conventions ("drills in Spain and Portugal")."""
    span = doc.char_span(mention.evidence.start, mention.evidence.end, alignment_mode="expand")
    if span is None:
        return False
    preposition = _preposition(span.root)
    words = lexicon(lang)
    if preposition is None or preposition.lower_ not in words["place_only_prep"]:
        return False
    before = doc[max(preposition.i - 4, preposition.sent.start):preposition.i]
    if any(t.lemma_.lower() in words["aggression_noun"] or t.lower_ in words["aggression_noun"] for t in before):
        return False
    return not any(t.lower_ in words["exercise"] or t.lemma_.lower() in words["exercise"] for t in span.sent)


def mark_places(doc: Doc, mentions: list[Mention], lang: str) -> list[Mention]:
    """The mentions, with `located` set on every mention of a state that the article names only as a place."""
    named = [m for m in mentions if m.type in STATE_TYPES and m.named]
    places = {m.entity for m in named if _is_place(doc, m, lang)}
    places -= {m.entity for m in named if m.entity in places and not _is_place(doc, m, lang)}
    places -= {m.entity for m in mentions if m.type in STATE_TYPES and not m.named}  # "Yemeni forces" act
    return [replace(m, located=True) if m.entity in places else m for m in mentions]
