"""Entity recognition: gazetteer names, demonyms, capitals and weapon names, plus spaCy's persons and places.

The gazetteer is matched on the text with one compiled pattern per language (case-sensitive: "Turkey" the state,
not "turkey" the bird; upper-case variants for datelines), so it does not depend on how the tokenizer splits
"d'Allemagne" or "russo-pakistanais". spaCy's NER adds persons, places and unknown organisations, where the
gazetteer has nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache

from spacy.tokens import Doc, Span

from kg.extract.context import (
    STATE_TYPES,
    capitalised,
    entry_pattern,
    every_language,
    joins_a_list,
    languages,
    lexicon,
    sentence_text,
    text_of,
)
from kg.extract.gazetteer import Gazetteer, Term, load_gazetteer
from kg.extract.literals import longest_literal
from kg.extract.quantities import is_currency
from kg.extract.records import Evidence, Mention

CONFIDENCE = {"label": 0.95, "name": 0.95, "abbrev": 0.9, "demonym": 0.8, "official": 0.8, "capital": 0.7,
              "body": 0.85, "prefix": 0.7,
              "ner": 0.6, "designation": 0.6, "acronym": 0.7}
_DESIGNATION = re.compile(r"(?<![\w/-])([A-Z][A-Za-z]{0,3}-\d{1,4}[A-Z]{0,3}|[A-Z]{1,3}\d{2,4}[A-Z]{0,2})s?(?![\w-])")
_NER_PERSON = {"PER", "PERSON"}
_NER_PLACE = {"LOC", "GPE", "FAC"}
_NER_ORG = {"ORG"}


# The words around names come from the lexicon (kg/data/lexicon.json) of every language at once: an article in one
# language quotes names in the other ('Sea of Japan' in a French text), as the rules always read them.
@cache
def _not_weapons() -> re.Pattern[str]:
    """Designations that are not weapons: 'COVID-19', 'G-20', 'G20', 'P-5'."""
    return re.compile(rf"^{entry_pattern(every_language('not_weapon_prefix'))}-?\d", re.I)


@cache
def _org_words() -> re.Pattern[str]:
    """The capitalised nouns of an intergovernmental body's name: 'Organisation', 'Treaty', 'Conseil'."""
    return re.compile(rf"\b{entry_pattern(capitalised(every_language('org_name_word')))}\b")


@cache
def _any_word(name: str) -> re.Pattern[str]:
    """Any word of the lexicon list `name`, in any case: 'international_word' ('International', 'des Nations'),
    'national_body_word' (a ministry, an army, a company)."""
    return re.compile(rf"\b{entry_pattern(every_language(name))}\b", re.I)


@cache
def _truncated() -> re.Pattern[str]:
    """A name cut short: it ends on a word that needs a next one ('Conseil de sécurité de la')."""
    return re.compile(rf"\b{entry_pattern(every_language('dangling_word'))}$", re.I)


@cache
def _leading_article() -> re.Pattern[str]:
    return re.compile(rf"^{entry_pattern(every_language('definite_article'))}\s*", re.I)


@cache
def _sea_before() -> re.Pattern[str]:
    """The noun of a sea and its link just before a name: 'Sea of', 'mer de la', each in its own language."""
    shapes = [rf"\b{entry_pattern(lex['water_body'])} {entry_pattern(lex['water_body_link'])}"
              for lex in (lexicon(lang) for lang in languages()) if lex["water_body"]]
    return re.compile(rf"(?:{'|'.join(shapes) or '(?!)'})\s*$", re.I)


@cache
def _sea_after() -> re.Pattern[str]:
    """The noun of a sea just after a name: 'South China Sea'."""
    return re.compile(rf"^\s+{entry_pattern(capitalised(every_language('water_body_after')))}\b")


@cache
def _locative() -> re.Pattern[str]:
    """A preposition of place just before a name: 'à', 'in', 'près de'."""
    return re.compile(rf"(?:^|\W){entry_pattern(every_language('locative_prep'))}\s*$", re.I)


@cache
def _ocean() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The word for ocean just before or just after a name, as each language orders them ('océan Indien',
    'Indian Ocean')."""
    before, after = entry_pattern(every_language("ocean_before")), entry_pattern(every_language("ocean_after"))
    return re.compile(rf"{before}\s*$", re.I), re.compile(rf" {after}", re.I)


def slug(text: str) -> str:
    """An IRI-safe key for a name: ASCII letters, digits and hyphens only."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


@dataclass(frozen=True)
class _Matcher:
    pattern: re.Pattern[str]
    terms: dict[str, Term]
    prefix_pattern: re.Pattern[str] | None


def _variants(term: Term) -> list[str]:
    """A name as written, in capitals ('MERCOSUR', 'Comesa' as 'COMESA'), as headlines and acronyms write it, and
    with spaces for hyphens."""
    texts = [term.text]
    mixed = term.kind == "abbrev" and not term.text.isupper()
    if (term.kind in ("label", "name", "capital", "body") or mixed) and len(term.text) > 3:
        texts.append(term.text.upper())
    if term.kind in ("label", "name") and "-" in term.text:
        texts.append(term.text.replace("-", " "))  # 'Cap Vert', 'Guinea Bissau'
    if term.kind in ("label", "name"):
        texts += _spellings(term.text)  # 'Shanghai Co-operation Organisation'
    bare = _bare_capitals(term.text)
    return texts + [bare] if bare != term.text else texts


def _spellings(text: str) -> list[str]:
    """The name in the other spelling of a word spelt two ways (lexicon 'spelling_variant', 'a|b')."""
    found = []
    for pair in sorted(every_language("spelling_variant")):
        a, b = pair.split("|")
        for old, new in ((a, b), (b, a)):
            m = re.search(rf"(?<![\w-]){re.escape(old)}(?![\w-])", text, re.I)
            if m:
                written = new[0].upper() + new[1:] if m.group(0)[0].isupper() else new
                found.append(text[:m.start()] + written + text[m.end():])
    return found


def _bare_capitals(text: str) -> str:
    """The name with its capitals unaccented ('Etats', 'Cedeao' for 'États', 'Cédéao' as often typeset in French
    news): capitals' accents, and the accents of an abbreviation written in mixed case."""
    if len(text) <= 8 and not text.islower() and " " not in text:  # 'Cédéao'
        return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(unicodedata.normalize("NFKD", c)[0] if c.isupper() else c for c in text)


def _caseless(text: str, term: Term) -> bool:
    """A lower-case multi-word name is matched in any case: 'organisation de coopération de shanghai'."""
    return " " in text and text == text.lower() and term.kind in ("label", "name") and len(text) >= 10


@cache
def _matcher(lang: str) -> _Matcher:
    gaz = load_gazetteer()
    ambiguous = gaz.ambiguous.get(lang, frozenset())
    terms: dict[str, Term] = {}
    prefixes: dict[str, Term] = {}
    for term in gaz.terms_for(lang):
        if term.text in ambiguous:
            continue
        if term.kind == "prefix":
            prefixes.setdefault(term.text.lower(), term)
            continue
        for text in _variants(term):
            terms.setdefault(text, term)
    # Multi-word names are matched ignoring case: "Organisation de Coopération de Shanghai".
    for text, term in list(terms.items()):
        if " " in text and term.kind in ("label", "name") and len(text) >= 10:
            terms.setdefault(text.lower(), term)
    cased = [t for t, term in terms.items() if not _caseless(t, term)]
    caseless = [t for t, term in terms.items() if _caseless(t, term)]
    pattern = re.compile(rf"(?<![\w])(?:{longest_literal(cased, caseless)})(?![\w])")
    prefix_pattern = None
    if prefixes:
        pre = longest_literal((), prefixes)
        prefix_pattern = re.compile(rf"(?<![\w-])((?:(?:{pre})-)+)(\w+)", re.I)
        for p, term in prefixes.items():
            terms[f"prefix:{p}"] = term
    return _Matcher(pattern, terms, prefix_pattern)


def _sentence(doc: Doc, start: int, end: int) -> Span:
    span = doc.char_span(start, end, alignment_mode="expand")
    token = span[0] if span is not None and len(span) else doc[0]
    return token.sent


def _evidence(doc: Doc, start: int, end: int, rule: str, confidence: float) -> Evidence:
    sent = _sentence(doc, start, end)
    return Evidence(sentence=sentence_text(sent), start=start, end=end, rule=rule, confidence=confidence)


@cache
def known_terms(lang: str) -> frozenset[str]:
    """Every gazetteer name of `lang` (and the language-neutral ones), as written."""
    return frozenset(t.text for t in load_gazetteer().terms_for(lang))


def _gazetteer_mentions(doc: Doc, lang: str, gaz: Gazetteer) -> list[Mention]:
    matcher = _matcher(lang)
    text = text_of(doc)
    found: list[Mention] = []
    for m in matcher.pattern.finditer(text):
        term = matcher.terms.get(m.group(0)) or matcher.terms[m.group(0).lower()]
        if term.kind == "demonym" and (_ocean()[0].search(text[max(0, m.start() - 8):m.start()])
                                       or _ocean()[1].match(text, m.end())):
            continue
        if term.kind != "abbrev" and (_sea_before().search(text[max(0, m.start() - 20):m.start()])
                                      or _sea_after().match(text[m.end():m.end() + 8])):
            continue  # "Sea of Japan", "mer de Chine", "South China Sea": a sea, not the state
        if _of_a_currency(text, m.start(), m.end()):
            continue  # 'US$6.5 billion', 'dollars américains': a currency, not the state
        if term.kind == "demonym" and _state_form(text, m.start(), m.end(), lang):
            term = Term(term.text, term.entity_id, "name")  # 'la République slovaque', 'the Slovak Republic'
        elif term.kind == "demonym" and _official(doc, m.start(), m.end(), lang):
            term = Term(term.text, term.entity_id, "official")
        if term.kind == "capital" and _locative().search(text[max(0, m.start() - 12):m.start()]) and (
                not _given_to(doc, m.start(), m.end(), lang)):
            found.append(_city(doc, m.start(), m.end(), m.group(0)))
            continue
        found.append(_mention(doc, gaz, term, m.start(), m.end(), m.group(0)))
    if matcher.prefix_pattern is not None:
        found.extend(_compound_mentions(doc, gaz, matcher))
    return found


_WORD_AFTER = re.compile(r"\s?(\$|[^\W\d_]+)")
_WORD_BEFORE = re.compile(r"([^\W\d_]+)\s$")


def _of_a_currency(text: str, start: int, end: int) -> bool:
    """A name that qualifies a currency ('US$', 'US dollars', 'dollars canadiens') names no state."""
    after = _WORD_AFTER.match(text, end)
    before = _WORD_BEFORE.search(text, max(0, start - 20), start)
    return any(m is not None and is_currency(m.group(1)) for m in (after, before))


@cache
def _state_form_patterns(lang: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    forms = longest_literal((), lexicon(lang)["state_form"])
    return re.compile(rf"(?<!\w)(?:{forms})\s+$", re.I), re.compile(rf"^\s+(?:{forms})(?!\w)", re.I)


def _state_form(text: str, start: int, end: int, lang: str) -> bool:
    """A demonym beside the noun of an official name names the state itself."""
    before, after = _state_form_patterns(lang)
    return bool(before.search(text[max(0, start - 24):start]) or after.match(text[end:end + 24]))


def _compound_mentions(doc: Doc, gaz: Gazetteer, matcher: _Matcher) -> list[Mention]:
    """'russo-pakistanais': each prefix names a state, provided the compound ends in a demonym."""
    assert matcher.prefix_pattern is not None
    found = []
    for m in matcher.prefix_pattern.finditer(text_of(doc)):
        last = matcher.terms.get(m.group(2))
        if last is None or last.kind != "demonym":
            continue
        offset = m.start(1)
        for part in m.group(1).split("-")[:-1]:
            term = matcher.terms[f"prefix:{part.lower()}"]
            found.append(_mention(doc, gaz, term, offset, offset + len(part), part))
            offset += len(part) + 1
    return found


def _official(doc: Doc, start: int, end: int, lang: str) -> bool:
    """'le président turc', 'the Turkish foreign minister': the state acts through its official."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    roles = lexicon(lang)["role_noun"]
    head = span.root.head
    neighbours = [t for t in (head, *doc[max(0, span.start - 1):span.start], *doc[span.end:span.end + 2])]
    return any(t.lower_ in roles or t.lemma_.lower() in roles for t in neighbours)


def _given_to(doc: Doc, start: int, end: int, lang: str) -> bool:
    """'Berlin fournira à Kiev', 'weapons delivered to Kyiv': a capital after a verb of giving is who receives."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    head = span.root.head.head if span.root.dep_ == "pobj" else span.root.head
    giving = lexicon(lang)["deal_sell"] | lexicon(lang)["deal_donate"]
    return head.pos_ == "VERB" and (head.lemma_.lower() in giving or head.lower_ in giving)


def _city(doc: Doc, start: int, end: int, text: str) -> Mention:
    """'publié à Abuja', 'talks in Moscow': a capital written as a place is the city, not its government."""
    return Mention(entity=f"place/{slug(text)}", type="Place", text=text, kind="ner", label=text,
                   evidence=_evidence(doc, start, end, "gazetteer-capital-as-place", 0.7))


def _mention(doc: Doc, gaz: Gazetteer, term: Term, start: int, end: int, text: str) -> Mention:
    entity = gaz.entities[term.entity_id]
    kind = term.kind if entity.type != "WeaponSystem" else "label"
    return Mention(entity=entity.id, type=entity.type, text=text, kind=kind, label=entity.label_en,
                   evidence=_evidence(doc, start, end, f"gazetteer-{kind}", CONFIDENCE[kind]))


def _designations(doc: Doc, taken: list[tuple[int, int]]) -> list[Mention]:
    """Model designations ('Su-34', 'T-14', 'NH90', 'K239') not in the weapon list are weapon systems too."""
    found = []
    for m in _DESIGNATION.finditer(text_of(doc)):
        if _not_weapons().match(m.group(1)) or _overlaps(m.start(), m.end(), taken):
            continue
        found.append(Mention(entity=f"weapon/{slug(m.group(1))}", type="WeaponSystem", text=m.group(1),
                             kind="designation", label=m.group(1),
                             evidence=_evidence(doc, m.start(), m.end(), "designation-pattern", 0.6)))
    return found


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in taken)


def _ner_mentions(doc: Doc, taken: list[tuple[int, int]], known: frozenset[str], lang: str) -> list[Mention]:
    found = []
    for ent in doc.ents:
        if _overlaps(ent.start_char, ent.end_char, taken) or ent.text in known:
            continue
        text = ent.text.strip(" -'\"")
        if len(text) < 3 or not text[0].isupper():
            continue
        if ent.label_ in _NER_PERSON:
            person = _person(doc, ent, text, lang)
            if " " in text or person.role:
                found.append(person)
        elif ent.label_ in _NER_PLACE and (len(ent) > 1 or ent.root.pos_ == "PROPN"):
            found.append(Mention(entity=f"place/{slug(text)}", type="Place", text=text, kind="ner", label=text,
                                 evidence=_evidence(doc, ent.start_char, ent.end_char, "ner-place", 0.6)))
        elif ent.label_ in _NER_ORG and _intergovernmental(text) and not _overlaps(ent.end_char, ent.end_char + 6,
                                                                                     taken):
            found.append(Mention(entity=f"org/{slug(text)}", type="Organisation", text=text, kind="ner",
                                 label=text, evidence=_evidence(doc, ent.start_char, ent.end_char,
                                                                "ner-organisation", 0.5)))
    return found


def _intergovernmental(name: str) -> bool:
    """An organisation the gazetteer lacks may be intergovernmental: 'Organisation', 'Treaty', 'Council' in a
    name that is specific, says it is international ('International … Agency'; a 'Defense Security Cooperation
    Agency' is a state's), is not national ('ministère chinois…') and is not cut short ('Conseil de sécurité de la')."""
    international = bool(_any_word("international_word").search(name))
    national = bool(_any_word("national_body_word").search(name))
    return bool(_org_words().search(name)) and _specific(name) and international and not national and not (
        _truncated().search(name))


def _specific(name: str) -> bool:
    """'Transatlantic Alliance' names something; 'the Alliance' or 'Conseil' alone does not."""
    rest = _org_words().sub("", _leading_article().sub("", name, count=1))
    return any(w[:1].isupper() for w in rest.split())


@cache
def _honorifics() -> frozenset[str]:
    """'M.', 'Mme', 'Mr.': the honorifics before a name, capitalised as they are written there."""
    return frozenset(capitalised(every_language("honorific")))


def _person(doc: Doc, ent: Span, text: str, lang: str) -> Mention:
    return Mention(entity=f"person/{slug(text)}", type="Person", text=text, kind="ner", label=text,
                   role=_role(doc, ent, lang),
                   evidence=_evidence(doc, ent.start_char, ent.end_char, "ner-person", 0.6))


def _role(doc: Doc, ent: Span, lang: str) -> str | None:
    """The title written next to a name: 'le ministre indien de la Défense, Rajnath Singh'."""
    roles = lexicon(lang)["role_noun"]
    honorifics = _honorifics()
    sent = ent.sent
    before = doc[max(sent.start, ent.start - 14):ent.start]
    for i, token in enumerate(before):
        if token.lower_ in roles:
            words = [t for t in before[i:] if t.text != "," and t.text not in honorifics]
            crosses = any(t.text in (".", ";", ":") or t.ent_type_ in _NER_PERSON for t in before[i:])
            if words and not crosses:
                return " ".join(t.text for t in words).strip(" ,") or None
    after = doc[ent.end:min(sent.end, ent.end + 10)]
    if len(after) > 2 and after[0].text == ",":
        words = []
        for token in after[1:]:
            if token.text in (",", ".", ";", ":"):
                break
            words.append(token)
        content = [t for t in words if t.pos_ != "DET"]
        if content and content[0].lower_ in roles:
            return " ".join(t.text for t in words[words.index(content[0]):])
    return None


@cache
def _ambiguous_pattern(lang: str) -> re.Pattern[str] | None:
    names = load_gazetteer().ambiguous.get(lang, frozenset())
    if not names:
        return None
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{alternation})(?![\w])")


def _context_mentions(doc: Doc, lang: str, gaz: Gazetteer, known: list[Mention]) -> list[Mention]:
    """Ambiguous names ('Congo', 'Georgia') linked where the article's context points at one state, or where a
    list of states leaves them one reading."""
    from kg.extract.ambiguity import Resolution, resolve_ambiguous
    taken = [(m.evidence.start, m.evidence.end) for m in known]

    pattern = _ambiguous_pattern(lang)
    if pattern is None:
        return []
    resolved: dict[str, Resolution] = {}
    found = []
    for m in pattern.finditer(text_of(doc)):
        if _overlaps(m.start(), m.end(), taken):  # part of a longer name: "Guinea-Bissau", "Corée du Sud"
            continue
        name = m.group(0)
        if name not in resolved:
            resolved[name] = resolve_ambiguous(name, lang, text_of(doc))
        r = resolved[name]
        entity_id, rule, confidence = _list_reading(name, lang, m.start(), m.end(), doc, known), "list", 0.6
        if entity_id is None:  # the list's reading first: 'Congo' beside 'République démocratique du Congo'
            entity_id, rule, confidence = r.entity, r.rule, r.confidence
        if entity_id is None:
            continue
        entity = gaz.entities[entity_id]
        found.append(Mention(entity=entity.id, type=entity.type, text=name, kind="context", label=entity.label_en,
                             evidence=_evidence(doc, m.start(), m.end(), rule, confidence)))
    return found


_LIST_REACH = 40  # characters between an ambiguous name and the state beside it in a list


def _list_reading(name: str, lang: str, start: int, end: int, doc: Doc, known: list[Mention]) -> str | None:
    """'Angola, Congo, République démocratique du Congo, Guinée, Guinée-Bissau': a name written as an item of a
    list of states is a state, the one of its readings the list does not already name."""
    from kg.extract.ambiguity import default_resolver

    text = text_of(doc)
    states = [m for m in known if m.type in STATE_TYPES]
    before = [m for m in states if start - _LIST_REACH <= m.evidence.end <= start]
    after = [m for m in states if end <= m.evidence.start <= end + _LIST_REACH]
    listed = (before and joins_a_list(text[before[-1].evidence.end:start], lang)) or (
        after and joins_a_list(text[end:after[0].evidence.start], lang))
    if not listed:
        return None
    sentence = _sentence(doc, start, end)
    named = {m.entity for m in states if sentence.start_char <= m.evidence.start < sentence.end_char}
    left = [c for c in default_resolver().candidates(name, lang) if c not in named and c in _state_ids()]
    return left[0] if len(left) == 1 else None


@cache
def _state_ids() -> frozenset[str]:
    return frozenset(e.id for e in load_gazetteer().entities.values() if e.type in STATE_TYPES)


def find_mentions(doc: Doc, lang: str) -> list[Mention]:
    """All entity mentions in `doc`, in text order; gazetteer matches win over spaCy's NER."""
    gaz = load_gazetteer()
    mentions = _gazetteer_mentions(doc, lang, gaz)
    mentions += _context_mentions(doc, lang, gaz, mentions)
    mentions += _acronyms(doc, mentions)
    taken = [(m.evidence.start, m.evidence.end) for m in mentions]
    mentions += _designations(doc, taken)
    taken = [(m.evidence.start, m.evidence.end) for m in mentions]
    mentions += _ner_mentions(doc, taken, known_terms(lang), lang)
    mentions = _with_affiliations(mentions)
    return sorted(mentions, key=lambda m: (m.evidence.start, m.evidence.end, m.entity))


_ACRONYM = re.compile(r"(?<![\w-])[A-Z]{2,5}(?![\w-])")


def _acronyms(doc: Doc, mentions: list[Mention]) -> list[Mention]:
    """'the Lebanese Armed Forces … the LAF', 'Forces armées libanaises (FAL)': an acronym of the words around a
    demonym stands for that state's body wherever the article writes it."""
    text = text_of(doc)
    written = {m.group(0) for m in _ACRONYM.finditer(text)}
    if not written:
        return []
    taken = {m.text for m in mentions}
    meaning: dict[str, Mention] = {}
    for m in mentions:
        if m.type != "State" or m.kind not in ("demonym", "official"):
            continue
        span = doc.char_span(m.evidence.start, m.evidence.end, alignment_mode="expand")
        if span is None:
            continue
        lo, hi = max(span.sent.start, span.start - 3), min(span.sent.end, span.end + 3)
        initials = [t.text[0].upper() if t.is_alpha else "" for t in doc[lo:hi]]
        for start in range(lo, span.start + 1):
            for end in range(max(span.end, start + 2), hi + 1):
                letters = initials[start - lo:end - lo]
                if all(letters):
                    acronym = "".join(letters)
                    if acronym in written and acronym not in taken:
                        meaning.setdefault(acronym, m)
    found = []
    for hit in _ACRONYM.finditer(text):
        body = meaning.get(hit.group(0))
        if body is not None:
            found.append(Mention(entity=body.entity, type="State", text=hit.group(0), kind="acronym", label=body.label,
                                 evidence=_evidence(doc, hit.start(), hit.end(), "acronym-of-body", 0.7)))
    return found


def _with_affiliations(mentions: list[Mention]) -> list[Mention]:
    """A person whose stated role names a state ('ministre indien des Affaires étrangères') is affiliated to it."""
    states = [m for m in mentions if m.type == "State"]
    result = []
    for m in mentions:
        if m.type == "Person" and m.role:
            near = [s for s in states if s.evidence.sentence == m.evidence.sentence
                    and abs(s.evidence.start - m.evidence.start) < 150 and s.text in m.role]
            if near:
                m = replace(m, affiliation=near[0].entity)
        result.append(m)
    return result
