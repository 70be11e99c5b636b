"""States an article names only as a place or a nationality: "the war in Yemen", "une base en Jordanie",
"frontalière à la Russie", "commissioner Amina Diallo of Senegal", a capital as a dateline.

An analyst asks which states act in the news (take part, host, buy, sell, join, state); a state that is only the
scene of something said about others, a neighbour, or the nationality of an international official is no actor.
Such a mention is still kept (an exercise's host is read from "in Poland"), only marked, so that mapping can leave
it out of the article's states when no event gives the state a role.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

from spacy.tokens import Doc, Span, Token

from kg.extract.context import STATE_TYPES, first_conjunct, lexicon, text_of
from kg.extract.gazetteer import load_gazetteer
from kg.extract.records import Mention


def _preposition(token: Token) -> Token | None:
    """The preposition that makes `token` a complement, as each language's parse attaches it (English: the
    preposition heads the noun; French: it is the noun's `case`)."""
    root = first_conjunct(token)
    if root.dep_ == "pobj":
        return root.head
    return next((c for c in root.children if c.dep_ == "case"), None)


def _is_aside(doc: Doc, mention: Mention, lang: str) -> bool:
    """The mention is a place, a border or a person's nationality, not an actor."""
    span = doc.char_span(mention.evidence.start, mention.evidence.end, alignment_mode="expand")
    if span is None:
        return False
    if mention.kind == "capital":
        return _is_city_place(span, lang)
    if mention.text in _city_states(lang) and _is_city_place(span, lang):
        return True  # 'à Luxembourg', 'à Djibouti': the city, named like its state
    return (_is_place(span, lang) or _of_a_place(span.root, lang) or is_border(span.root, lang)
            or _is_nationality(span.root, lang) or _excluded(span, lang))


@cache
def _city_states(lang: str) -> frozenset[str]:
    """Names that are both a state's and its capital's ('Luxembourg', 'Singapour', 'Djibouti')."""
    terms = list(load_gazetteer().terms_for(lang))
    capitals = {(t.entity_id, t.text) for t in terms if t.kind == "capital"}
    return frozenset(t.text for t in terms if t.kind in ("label", "name") and (t.entity_id, t.text) in capitals)


def _is_city_place(span: Span, lang: str) -> bool:
    """A capital named as a dateline ('NAIROBI: The council said …') or as a place ('in Addis Ababa', 'à
    Moscou') stands for no government; 'Moscow said' does."""
    doc = span.doc
    after = doc[span.end:span.end + 2]
    if span.start == span.sent.start and any(t.text in (":", "—", "–", "-", "(") for t in after):
        return True
    before = doc[max(span.sent.start, span.start - 2):span.start].text.lower()
    return any(before.endswith(p) for p in lexicon(lang)["city_place_prep"])


def _in_a_name(span: Span, lang: str) -> bool:
    """A capital inside a name ('the Washington Treaty', 'le pacte de Varsovie', 'the Addis Ababa-headquartered
    Union'): the name of a treaty, a body or a newspaper, not the government."""
    doc, words = span.doc, lexicon(lang)["capital_name_word"]
    after = [t for t in doc[span.end:min(span.sent.end, span.end + 2)] if t.text != "-"]
    if after and after[0].lower_ in words and (after[0].is_title or doc[span.end].text == "-"):
        return True
    before = doc[max(span.sent.start, span.start - 2):span.start]
    return len(before) == 2 and before[1].lower_ in lexicon(lang)["genitive_prep"] and before[0].lower_ in words


def _capital_in_a_name(doc: Doc, mention: Mention, lang: str) -> bool:
    span = doc.char_span(mention.evidence.start, mention.evidence.end, alignment_mode="expand")
    return span is not None and _in_a_name(span, lang)


def _speaks_a_language(doc: Doc, mention: Mention, lang: str) -> bool:
    """'French-speaking countries', 'anglophone': a demonym that names a language, not the state."""
    span = doc.char_span(mention.evidence.start, mention.evidence.end, alignment_mode="expand")
    if span is None:
        return False
    after = [t for t in doc[span.end:min(len(doc), span.end + 2)] if t.text != "-"]
    return bool(after) and doc[span.end].text == "-" and after[0].lower_ in lexicon(lang)["language_suffix"]


def _owner(token: Token, lang: str) -> Token | None:
    """The noun a state complements ('la capitale du Rwanda', 'the capital of Rwanda', "Rwanda's capital")."""
    root = first_conjunct(token)
    if root.dep_ == "poss":
        return root.head
    if root.dep_ == "pobj" and root.head.lower_ in lexicon(lang)["genitive_prep"]:
        return root.head.head
    case = _preposition(root)
    if root.dep_ == "nmod" and case is not None and case.lower_ in lexicon(lang)["genitive_prep"]:
        return root.head
    return None


def _of_a_place(token: Token, lang: str) -> bool:
    """'à Kigali, la capitale du Rwanda', 'in Rwanda's capital': the state only says where a place is."""
    owner = _owner(token, lang)
    if owner is None or owner.lemma_.lower() not in lexicon(lang)["place_noun"]:
        return False
    places = [owner, owner.head] if owner.dep_ in ("appos", "conj") else [owner]
    start = owner.left_edge.i
    if start - 2 >= owner.sent.start and owner.doc[start - 1].text == ",":
        places.append(owner.doc[start - 2])  # 'à Kigali, la capitale du Rwanda', however the parser attaches it
    prepositions = [_preposition(place) for place in places]
    return any(p is not None and p.lower_ in lexicon(lang)["city_place_prep"] for p in prepositions)


@cache
def _exclusion(lang: str) -> re.Pattern[str]:
    words = sorted(lexicon(lang)["exclusion_phrase"], key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(w) for w in words)})\s*$")


def _excluded(span: Span, lang: str) -> bool:
    """'eleven nations, except Fiji', 'à l'exception du Mali': a state named as left out of what is said."""
    doc = span.doc
    before = text_of(doc)[doc[max(span.sent.start, span.start - 5)].idx:span.start_char]
    return bool(_exclusion(lang).search(re.sub(r"\s+", " ", before.lower().replace("’", "'"))))


def is_border(token: Token, lang: str) -> bool:
    """'frontalière à la Russie', 'its border with Russia', 'bordering Russia': a neighbour, not a party."""
    words = lexicon(lang)["border_word"]
    root = first_conjunct(token)
    before = token.doc[max(root.i - 4, root.sent.start):root.i]
    return any(t.lower_ in words or t.lemma_.lower() in words for t in before)


def _is_nationality(token: Token, lang: str) -> bool:
    """"Burundi's Willy Nyamitwe", "Bankole Adeoye of Nigeria": a state said of a named person only."""
    root = first_conjunct(token)
    owner = root.head.head if root.dep_ == "pobj" else root.head
    people = lexicon(lang)["person_entity"]
    return root.dep_ in ("poss", "pobj", "nmod") and owner.ent_type_.lower() in people and owner.pos_ == "PROPN"


def _is_place(span: Span, lang: str) -> bool:
    """The mention is the place of something, not its target ("war in Yemen", not "invasion in Ukraine": the
    words just before the preposition say which), nor the venue of an exercise, whose host it is by the annotation
    conventions ("drills in Spain and Portugal")."""
    preposition = _preposition(span.root)
    words = lexicon(lang)
    compass = span.doc[span.start - 1] if span.start > span.sent.start else None
    if preposition is None and compass is not None and compass.lower_ in words["compass_word"]:
        preposition = _preposition(compass)  # 'au Sud Liban', 'in northern Syria'
    if preposition is None or preposition.lower_ not in words["place_only_prep"]:
        return False
    before = span.doc[max(preposition.i - 4, preposition.sent.start):preposition.i]
    if any(t.lemma_.lower() in words["aggression_noun"] or t.lower_ in words["aggression_noun"] for t in before):
        return False
    return not _exercise_venue(preposition if preposition.dep_ == "prep" else span.root, lang)


def _is_exercise_word(token: Token, lang: str) -> bool:
    words = lexicon(lang)["exercise"]
    return token.lower_ in words or token.lemma_.lower() in words


def _exercise_venue(attached: Token, lang: str) -> bool:
    """The place may be an exercise's venue ('drills in Spain', 'the exercise takes place in Spain'): the sentence
    speaks of an exercise, and the place is not in a side clause of its own ('…, their units having served in
    southern Lebanon'): a clause with a subject of its own that is no exercise."""
    clause = next((t for t in attached.ancestors if t.pos_ in ("VERB", "AUX")), None)
    if clause is not None and clause.dep_ in ("conj", "advcl", "acl", "acl:relcl", "relcl", "ccomp"):
        subjects = [c for c in clause.children if c.dep_.startswith("nsubj")]
        if subjects and not any(_is_exercise_word(t, lang) for s in subjects for t in s.subtree):
            return False
    return any(_is_exercise_word(t, lang) for t in attached.sent)


def mark_places(doc: Doc, mentions: list[Mention], lang: str) -> list[Mention]:
    """The mentions, with `located` set on every mention of a state that the article names only aside: as a
    place, a neighbour, a nationality or a language; a capital inside a name ('the Washington Treaty') is no
    mention at all."""
    mentions = [m for m in mentions if not (m.kind == "capital" and _capital_in_a_name(doc, m, lang))]
    named = [m for m in mentions if m.type in STATE_TYPES and m.named]  # capitals too: 'NAIROBI:' is a dateline
    acting = {m.entity for m in mentions if m.type in STATE_TYPES and not m.named  # "Yemeni forces" act
              and not _speaks_a_language(doc, m, lang)}
    aside: dict[str, bool] = {m.entity: True for m in mentions if m.type in STATE_TYPES and not m.named
                              and m.entity not in acting}
    for m in named:
        if m.entity not in acting and aside.get(m.entity, True):
            aside[m.entity] = _is_aside(doc, m, lang)
    places = {entity for entity, only_aside in aside.items() if only_aside}
    return [replace(m, located=True) if m.entity in places else m for m in mentions]
