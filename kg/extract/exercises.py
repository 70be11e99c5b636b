"""Military exercises: names, participants, organiser, host, location and dates.

A sentence that speaks of an exercise (a trigger word, or the name of an exercise found elsewhere in the
article) yields a report; reports with the same name are one exercise, and unnamed reports join the nearest
named exercise of a compatible year, because articles name an exercise once and then say "the drills".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from spacy.tokens import Token

from kg.extract.context import (
    ORG_TYPES,
    STATE_TYPES,
    Lexicon,
    Placed,
    SentenceContext,
    every_language,
    first_conjunct,
    head_lemma,
    left_words,
    lexicon,
    token_gap,
)
from kg.extract.dates import DateMention, PartialDate
from kg.extract.frames import negated
from kg.extract.literals import longest_literal
from kg.extract.records import Evidence, Exercise

_CAP_WORD = r"[A-Z][\w'’-]*"

# 'Cope India 19', 'BALTOPS 24', 'Varuna 19.1' (space) or 'Vostok-2018' (hyphen, four-digit years only, so
# that designations such as 'Mi-28' or 'COVID-19' are not exercises); a name in parentheses is a translation.
_EDITION = re.compile(r"(?<![\w(-])([A-Z][\w-]*[a-zA-Z](?:\s+[A-Z][\w-]*[a-zA-Z]){0,3})"
                      r"(\s+(?=\d|[IVX]+\b)|-(?=(?:19|20)\d\d))((?:19|20)\d\d|\d{2}(?:[.-]\d{1,2})?|[IVX]{1,5}\b)(?![\w.-])")
_QUOTED = re.compile(r'["«“]\s*([A-Z][^"«»“”\n]{2,60}?)\s*["»”]' + r"|(?<![\w'])'([A-Z][^'\n]{2,40}?)'(?![\w'])")
_ACRONYM_AFTER = re.compile(r"^\s*\(([A-Z][A-Z0-9-]{2,12})\)")
_ROUNDUP = 3  # named exercises from which an article is a roundup of several


@cache
def _name_tail() -> str:
    """The words after a name's first: capitalised words, numbers, and the small words inside names
    ('Rim of the Pacific', 'Bouclier du Nord')."""
    return rf"(?:\s+(?:[A-Z0-9][\w.'-]*|{longest_literal((), every_language('name_link'))}))*"


@cache
def _stop_tail() -> re.Pattern[str]:
    return re.compile(rf"(\s+({longest_literal((), every_language('name_link'))}))+$")


@cache
def _leading_generic() -> re.Pattern[str]:
    """'Exercise Malabar': the word for an exercise is no part of its name."""
    return re.compile(rf"^(?:{longest_literal((), every_language('exercise_generic'))})\s+(?=[A-Z])", re.I)


@cache
def _generic() -> re.Pattern[str]:
    return re.compile(rf"^(?:{longest_literal((), every_language('exercise_generic'))})$", re.I)


def _function_word(word: str) -> bool:
    return word.lower() in every_language("function_word")


@dataclass
class _Report:
    ctx: SentenceContext
    name: str | None
    participants: list[str] = field(default_factory=list)
    host: str | None = None
    location: str | None = None
    organiser: str | None = None
    start: PartialDate | None = None
    end: PartialDate | None = None
    evidence: Evidence | None = None
    observers: list[str] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        if self.name:
            m = re.search(r"\b(19|20)\d\d\b", self.name)
            if m:
                return int(m.group(0))
        return self.start.year if self.start else None


def _clean_name(name: str) -> str:
    name = _stop_tail().sub("", name.strip(" ,.;:-\"'‘’“”«»"))  # "'Exercise Force 7'": the quotes are no part
    name = _leading_generic().sub("", name)
    words = re.sub(r"\s+", " ", name).split(" ")
    for i, word in enumerate(words[1:], 1):  # 'Sea Breeze Begins June 30' in a headline: the name ends before
        if word.lower() in _headline_words():
            words = words[:i]
            break
    return _stop_tail().sub("", " ".join(words))


def _names_in(ctx: SentenceContext, known_terms: frozenset[str]) -> list[str]:
    """Exercise names written in a sentence: quoted, introduced ('baptisée X', 'dubbed X'), or 'Exercise X'."""
    text = ctx.text
    lex = lexicon(ctx.lang)
    names: list[str] = []
    triggers = ctx.cues("exercise")
    preps = _name_prep(ctx.lang)
    for m in _QUOTED.finditer(text):
        near = triggers and min(abs(t.idx - ctx.sent.start_char - m.start()) for t in triggers) < 60 or bool(
            preps.search(text[max(0, m.start() - 30):m.start()])) or bool(ctx.cues("exercise_context"))
        quoted = m.group(1) or m.group(2)
        if near and _name_like(quoted):
            names.append(quoted)
    introduced, triggered = _name_patterns(ctx.lang)
    for m in introduced.finditer(text):
        names.append(_with_acronym(m.group(1), text[m.end():]))
    # "l'exercice Varuna", "la 21e édition de l'exercice bilatéral Varuna", "Exercise Malabar"
    modifiers = lex["exercise_modifier"]
    for m in triggered.finditer(text):
        if all(w in modifiers for w in m.group(1).split()):
            names.append(_with_acronym(m.group(2), text[m.end():]))
    names += _copula_names(triggers) + _appositive_names(ctx) + _prenominal_names(ctx)
    if triggers:
        names += _editions(text)
    else:  # 'took part in Rapid Trident 2021', 'participent à Hedgehog 24': an edition right after taking part
        names += _editions_after(ctx, ctx.cues("exercise_context"))
        names += _starting_editions(ctx)
    names += _series_of_edition(ctx)
    return [n for n in (_without_actors(_clean_name(n), known_terms) for n in names) if _plausible(n, known_terms)]


def _copula_names(triggers: list[Token]) -> list[str]:
    """'Noble Partner is a multinational training exercise', 'Baltops est un exercice naval': the capitalised
    subject of a copula whose attribute is an exercise word is the exercise's name (the run of capitalised words
    that ends before the copula and holds the subject)."""
    names = []
    for t in triggers:
        clause = t.head if t.dep_ == "attr" else t
        copula = [c for c in (clause, *clause.children) if c.dep_ in ("cop", "ROOT") and c.pos_ == "AUX"]
        subjects = [c for c in clause.children if c.dep_ in ("nsubj", "nsubj:pass") and c.i < t.i]
        if not copula or not subjects or subjects[0].pos_ not in ("PROPN", "NOUN", "NUM"):
            continue  # 'It is an annual exercise': a pronoun names nothing
        run: list[Token] = []
        for w in reversed(t.doc[t.sent.start:copula[0].i]):
            if not (w.is_title or w.is_upper or w.like_num or w.text == "-"):
                break
            run.insert(0, w)
        if subjects[0] in run:
            names.append(" ".join(w.text for w in run))
    return names


@cache
def _around_patterns(lang: str) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """A name in apposition to an exercise word ('Griffin Shield, an annual drill', 'Brillant Mariner, l'un des
    exercices majeurs'), and a name before it ('the Freedom Shield exercise'), as far as the language has one."""
    lex = lexicon(lang)
    trig = longest_literal((), lex["exercise"])
    run = rf"((?<![\w'’-]){_CAP_WORD}(?:\s+(?:{_CAP_WORD}|\d[\d.-]*)){{0,3}})"
    appositive = re.compile(rf"{run},\s+(?i:{longest_literal((), lex['appositive_intro'])})\s*"
                            rf"(?:[a-zà-ÿ-]+\s+){{0,3}}(?i:{trig})(?!\w)")
    if not lex["prenominal_intro"]:
        return appositive, None
    modifiers = longest_literal((), lex["exercise_modifier"])
    prenominal = re.compile(rf"(?i:\b(?:{longest_literal((), lex['prenominal_intro'])}))\s+{run}"
                            rf"(?:\s+(?i:{modifiers}))*\s+(?:{trig})(?!\w)")  # 'Training Facility' is a name
    return appositive, prenominal


def _appositive_names(ctx: SentenceContext) -> list[str]:
    """A name the sentence sets beside an exercise word; one that opens the sentence needs two words, a number
    or capitals, so that 'Meanwhile, an exercise …' names nothing."""
    names = []
    for m in _around_patterns(ctx.lang)[0].finditer(ctx.text):
        name = m.group(1)
        opens = not ctx.text[:m.start(1)].strip()
        if not opens or len(name.split()) > 1 or name.isupper() or any(c.isdigit() for c in name):
            names.append(name)
    return names


def _prenominal_names(ctx: SentenceContext) -> list[str]:
    """'the Freedom Shield exercise', 'this year's Cold Response drills': a name written before the word."""
    pattern = _around_patterns(ctx.lang)[1]
    if pattern is None or ctx.text.istitle():
        return []
    return [m.group(1) for m in pattern.finditer(ctx.text) if m.group(0).rsplit(None, 1)[-1].islower()]


@cache
def _name_patterns(lang: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A name after a word introducing it ('baptisé X'), and after an exercise word ('l'exercice bilatéral X')."""
    lex = lexicon(lang)
    intro = longest_literal((), lex["exercise_name_intro"])
    trig = longest_literal((), lex["exercise"])
    tail = _name_tail()
    return (re.compile(rf"(?i:\b(?:{intro}))\s+\"?({_CAP_WORD}{tail})"),
            re.compile(rf"(?i:\b(?:{trig}))((?:\s+[a-zéèêàç-]+){{0,2}})\s+({_CAP_WORD}{tail})"))


def _without_actors(name: str, known_terms: frozenset[str]) -> str:
    """'SCO Peace Mission 2018', 'US-led Cope Thunder': the organiser or a state is not part of the name."""
    words = name.split()
    while len(words) > 1 and (words[0] in known_terms or words[0].split("-")[0] in known_terms):
        words = words[1:]
    return " ".join(words)


def _edition_name(m: re.Match[str]) -> str:
    """The name an `_EDITION` match spells: series, separator, edition ('BALTOPS 24', 'Vostok-2018')."""
    return f"{m.group(1)}{m.group(2)}{m.group(3)}"


def _editions(text: str, series: str | None = None) -> list[str]:
    """'Vostok-2018', 'BALTOPS 24', 'Cope India 19': a name and an edition number (of `series` if given)."""
    found = []
    for m in _EDITION.finditer(text):
        name = _edition_name(m)
        if series is None or m.group(1).endswith(series):
            found.append(name if series is None else f"{series}{m.group(2)}{m.group(3)}")
    return found


def _editions_after(ctx: SentenceContext, cues: list[Token], reach: int = 25) -> list[str]:
    """Editions ('Rapid Trident 2021') that begin within `reach` characters after a word of taking part."""
    ends = [t.idx + len(t.text) - ctx.sent.start_char for t in cues]
    return [_edition_name(m) for m in _EDITION.finditer(ctx.text)
            if any(0 <= m.start() - e <= reach for e in ends)]


@cache
def _start_pattern(lang: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*(?:{longest_literal((), lexicon(lang)['start_verb'])})(?!\w)", re.I)


def _starting_editions(ctx: SentenceContext) -> list[str]:
    """'Cope Thunder 24-2 kicked off at Clark', 'Hedgehog 24 débute': an edition that begins or ends."""
    start = _start_pattern(ctx.lang)
    return [_edition_name(m) for m in _EDITION.finditer(ctx.text)
            if start.match(ctx.text[m.end():])]


@cache
def _edition_of_pattern(lang: str) -> re.Pattern[str]:
    lex = lexicon(lang)
    nouns = longest_literal((), lex["edition_noun"])
    link = longest_literal((), lex["genitive_prep"] | lex["definite_article"] | lex["exercise"])
    return re.compile(rf"(?i:\b(?:{nouns}))(?:\s+(?i:{link}))*\s+({_CAP_WORD}(?:\s+{_CAP_WORD}){{0,2}})")


def _series_of_edition(ctx: SentenceContext) -> list[str]:
    """'the 30th iteration of BALTOPS', 'la 21e édition de l'exercice Varuna': the series an edition is of."""
    return [m.group(1) for m in _edition_of_pattern(ctx.lang).finditer(ctx.text)]


def _series(names: list[str]) -> list[str]:
    """The series the names belong to: a name without a number is one ('Talisman Sabre'), and so is a name with
    its edition number taken off ('Zapad' of 'Zapad-2021')."""
    series = []
    for name in names:
        base = name if not re.search(r"\d", name) else re.sub(r"[\s-]*(?:19|20)?\d\d$", "", name)
        if base and not re.search(r"\d", base) and len(base) >= 4 and base[0].isupper() and base not in series:
            series.append(base)
    return series


def _name_like(text: str) -> bool:
    """A quoted exercise name is short and reads like a name ('Bouclier du Nord 2024'), not a quoted sentence."""
    words = text.split()
    if len(words) > 5 or text.rstrip()[-1:] in ".!?,;:":
        return False
    if any(c.isdigit() for c in text) or all(w[0].isupper() or _function_word(w) for w in words):
        return True
    # 'the "Neptune series" of drills': a capitalised name and one word of common noun after it
    return words[0][0].isupper() and len(words) <= 3 and sum(not w[0].isupper() for w in words) == 1 and (
        not words[-1][0].isupper())


def _with_acronym(name: str, after: str) -> str:
    """'Rim of the Pacific Exercise (RIMPAC)' is known by its acronym."""
    m = _ACRONYM_AFTER.match(after)
    if m and any(_generic().match(w) for w in name.split()):
        return m.group(1)
    return name


@cache
def _name_prep(lang: str) -> re.Pattern[str]:
    """The words before a name that make it an event's: 'during "Griffin Lightning"', 'lors de « X »'."""
    return re.compile(rf"(?i:\b(?:{longest_literal((), lexicon(lang)['exercise_name_prep'])}))\s*\"?\s*$")


@cache
def _headline_words() -> frozenset[str]:
    """Verbs and dates that end a name written in a title-case headline: every language's."""
    from kg.extract.dates import MONTHS

    return every_language("headline_verb") | frozenset(MONTHS)


@cache
def _never_name_words() -> frozenset[str]:
    """Words that make a capitalised phrase a title, a facility or a date, not an exercise: every language's."""
    return every_language("not_exercise_name")


def _plausible(name: str, known_terms: frozenset[str]) -> bool:
    words = name.split()
    if not words or _generic().match(words[0]) and len(words) == 1:
        return False
    if any(w.lower().strip(".,") in _never_name_words() for w in words):
        return False  # a title, a facility or a date: 'Director', 'Range', 'Begins June 30'

    base = " ".join(w for w in re.split(r"[\s-]+", name) if not re.fullmatch(r"[\d.]+", w))
    if not base or base in known_terms or _generic().match(base) or _function_word(words[0]):
        return False
    from kg.extract.dates import MONTHS
    return words[0].lower().rstrip(".") not in MONTHS


def _participants(ctx: SentenceContext) -> tuple[list[str], str | None, list[str]]:
    """States taking part in the exercise a sentence speaks of, the host named as its location, the observers."""
    lex = lexicon(ctx.lang)
    participants: list[str] = []
    observers: list[str] = []
    host: str | None = None
    for group in ctx.groups:
        before = left_words(group, 3)
        after = [t.lower_ for t in ctx.sent.doc[group[-1].span.end:min(ctx.sent.end, group[-1].span.end + 5)]]
        if set(after) & lex["observer"] or _observed(ctx, group):
            observers += [p.entity for p in group]
            continue
        if set(before) & lex["location_block"]:
            continue
        named = [p for p in group if p.mention.named]
        before = [w for w in before if w not in lex["list_determiner"] or w in lex["location_prep"]] or before
        if named and before and before[-1] in lex["location_prep"] | {"l'"} and _is_location(before, lex):
            host = host or named[0].entity
            continue
        if named and _after_located_place(ctx, group[0], lex):
            host = host or named[0].entity  # 'in Hohenfels, Germany': the state of a place is the location
            continue
        if _in_side_clause(group[0], lex) or _reacts(group[0], lex) or _defended(group[0], lex):
            continue
        heads = {head_lemma(p) for p in group}
        # "les marines indienne et française": a list shares its noun; "the British destroyer": a ship has a flag
        as_unit = bool(heads & (lex["military_unit"] | lex["vessel_noun"]))
        for p in group:
            if p.mention.named or as_unit:
                participants.append(p.entity)
            elif head_lemma(p) in lex["place_noun"]:
                host = host or p.entity
    for p in ctx.of_types(STATE_TYPES):
        if not p.mention.named and head_lemma(p) in lex["place_noun"]:
            host = host or p.entity
    return participants, _declared_host(ctx) or host, observers


def _observed(ctx: SentenceContext, group: list[Placed]) -> bool:
    """'an observer program, including representatives from A and B': a list after an observer word, with no
    word of taking part between them, watches the exercise."""
    start, lex = group[0].span.start, lexicon(ctx.lang)
    observers = [t.i for t in ctx.cues("observer")  # the noun introduces; 'units and observers from' take part
                 if t.i < start and t.pos_ != "VERB" and not _beside_units(t, lex)]
    if not observers:
        return False
    return not any(observers[-1] < t.i < start for t in ctx.cues("exercise_context"))


def _beside_units(word: Token, lex: Lexicon) -> bool:
    """'military units and observers from 16 countries': observers listed with units do not set a list apart."""
    before = word.doc[max(word.sent.start, word.i - 4):word.i]
    joined = [t for t in before if t.lower_ in lex["list_conj"]]
    return bool(joined) and any(t.lemma_.lower() in lex["military_unit"] or t.lower_ in lex["military_unit"]
                                for t in before if t.i < joined[-1].i)


def _declared_host(ctx: SentenceContext) -> str | None:
    """'The Indian Navy hosted …', 'Les États-Unis sont l'hôte …', 'hosted by Japan'; co-hosts name no host."""
    for cue in ctx.cues("host"):
        around = cue.sent.text[max(0, cue.idx - cue.sent.start_char - 3):cue.idx - cue.sent.start_char + 3]
        if any(prefix in around for prefix in lexicon(ctx.lang)["co_prefix"]):
            return None
        states = ctx.of_types(STATE_TYPES)
        units = lexicon(ctx.lang)["military_unit"]
        before = [p for p in states
                  if 0 <= cue.i - p.span.end <= 4 and (p.mention.named or head_lemma(p) in units)]
        after = [p for p in states if 0 <= p.span.start - cue.i <= 3 and p.mention.named
                 and ctx.sent.doc[cue.i + 1].lower_ in lexicon(ctx.lang)["role_agent"]]
        if after:
            return after[0].entity
        if before:
            return before[-1].entity
    return None


def _in_side_clause(p: Placed, lex: Lexicon) -> bool:
    """'… drills as North Korea fumes': a state in a clause of its own ('as', 'while', 'alors que') looks on."""
    token = p.root
    for ancestor in [token, *token.ancestors]:
        if ancestor.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in lex["subordinator"]
                                            for c in ancestor.children):
            # '…, while troops from A and B took part': a side clause of taking part still takes part
            return not any(t.lemma_.lower() in lex["exercise_context"] or t.lower_ in lex["exercise_context"]
                           or t.lower_ in lex["exercise"] for t in ancestor.subtree)
    return False


def _defended(p: Placed, lex: Lexicon) -> bool:
    """'troops practicing defending Lithuania', 'to defend Norway': the state the scenario protects is no
    participant."""
    root = first_conjunct(p.root)
    return root.dep_ in ("obj", "dobj") and root.head.lemma_.lower() in lex["scenario_verb"]


def _reacts(p: Placed, lex: Lexicon) -> bool:
    """'North Korea condemned the war games', 'la Chine dénonce ces manœuvres': the subject of a verb of speaking,
    warning or condemning comments on the exercise; it does not take part."""
    root = first_conjunct(p.root)
    return root.dep_ in ("nsubj", "nsubj:pass") and root.head.lemma_.lower() in lex["not_a_party"]


def _after_located_place(ctx: SentenceContext, first: Placed, lex: Lexicon) -> bool:
    """'at Clark Air Base, Philippines', 'in Hohenfels, Germany': a state after a comma that closes a place
    named after a word of location."""
    doc, start = ctx.sent.doc, first.span.start
    if start - 2 < ctx.sent.start or doc[start - 1].text != ",":
        return False
    place = [p for p in ctx.placed if p.mention.type == "Place" and p.span.end == start - 1]
    i = place[0].span.start - 1 if place else start - 2
    if not place:  # a place the parser did not tag: the capitalised words before the comma
        while i > ctx.sent.start and doc[i].is_title:
            i -= 1
        if i == start - 2:
            return False
    words = doc[max(ctx.sent.start, i - 2):i + 1]  # 'in Hohenfels', 'au camp de Pabradė'
    return any(w.lower_ in lex["location_prep"] for w in words)


def _is_location(before: list[str], lex: Lexicon) -> bool:
    """'en Russie', 'in Russia', 'près de' — but not 'à' after a verb of taking part ('participer à')."""
    if before[-1] in lex["weak_location_prep"]:
        return any(w in lex["near_word"] for w in before)
    return True


def _report(ctx: SentenceContext, name: str | None) -> _Report:
    participants, host, observers = _participants(ctx)
    report = _Report(ctx, name, participants, host)
    report.observers = observers
    places = [p for p in ctx.placed if p.mention.type == "Place" and not (name and p.mention.text in name)]
    if places:
        report.location = places[0].entity
    report.organiser = _organiser(ctx)
    starts = [d for d in ctx.dates if d.role in ("", "start")]
    ends = [d for d in ctx.dates if d.role == "end"]
    report.start = _in_edition_year(starts[0], name) if starts else None
    report.end = _in_edition_year(ends[0], name) if ends else None
    rule = "exercise-named" if name else "exercise-trigger"
    report.evidence = ctx.evidence(rule, 0.8 if name else 0.6)
    return report


def _in_edition_year(mention: DateMention, name: str | None) -> PartialDate:
    """'Zapad 2021 … le 10 septembre': a date without a year takes the edition's year, not the article's."""
    m = re.search(r"\b(19|20)\d\d\b", name or "")
    if m and mention.inferred_year:
        return PartialDate(int(m.group(0)), mention.value.month, mention.value.day)
    return mention.value


def _organiser(ctx: SentenceContext) -> str | None:
    """An organisation right next to the trigger: 'manœuvres de l'OCS', 'NATO exercise'."""
    triggers = ctx.cues("exercise")
    for org in ctx.of_types(ORG_TYPES):
        if any(token_gap(org.span, t) <= 4 for t in triggers):
            return org.entity
    return None


def find_exercises(contexts: list[SentenceContext], known_terms: frozenset[str]) -> list[Exercise]:
    """Exercises reported in an article, one per name; unnamed reports attached to a named one."""
    named_reports: list[_Report] = []
    unnamed: list[_Report] = []
    names_seen: list[str] = []
    for ctx in contexts:
        names_seen += [n for n in dict.fromkeys(_names_in(ctx, known_terms)) if n not in names_seen]
    for series in _series(names_seen):
        for ctx in contexts:  # editions of a known series, wherever written ("Talisman Sabre 2023 opens",
            # "the previous edition, Zapad-2017")
            names_seen += [n for n in _editions(ctx.text, series) if n not in names_seen]
    headline = contexts[0].text if contexts else ""
    for ctx in contexts:
        here = [n for n in names_seen if n in ctx.text and re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", ctx.text)]
        here = [n for n in here if not any(n != o and n in o for o in here)]
        if here:
            named_reports += [_report(ctx, n) for n in here]
        elif ctx.cues("exercise") or ctx.cues("exercise_context"):
            unnamed.append(_report(ctx, None))
    return _merge(named_reports, unnamed, names_seen, headline)


def _canonical(name: str, names: list[str], headline: str) -> str:
    """'Malabar' and 'Exercise Malabar' are one exercise; so are 'Cope India' and its only edition, or the
    edition the headline names when the article mentions several; 'Khaan Quest 24' is 'Khaan Quest 2024', and a
    name misspelt once ('Flintock 2024') is the one the article spells otherwise."""
    name = _same_edition(name, names)
    longer = [n for n in dict.fromkeys(names) if n != name and name in n and _same_edition(n, names) == n]
    if len(longer) > 1:
        longer = [n for n in longer if n in headline]
    return longer[0] if len(longer) == 1 else name


def _same_edition(name: str, names: list[str]) -> str:
    """The first of `names` that writes the same edition as `name`: its year in full, or one letter off."""
    m = re.fullmatch(r"(.+?)[\s-]+(\d\d)", name)
    for other in names:
        if m and re.fullmatch(rf"{re.escape(m.group(1))}[\s-]+(?:19|20){m.group(2)}", other):
            return other
        if other != name and len(name) >= 8 and _one_letter_off(name, other):
            return min(name, other, key=names.index) if name in names else other
    return name


def _one_letter_off(a: str, b: str) -> bool:
    """'Flintock' and 'Flintlock': one letter left out (the longer name has one letter more, all else alike)."""
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) != 1 or not b[0].isalpha():
        return False
    i = next((k for k in range(len(a)) if a[k] != b[k]), len(a))
    return a[i:] == b[i + 1:] and b[i].isalpha()


def _merge(named: list[_Report], unnamed: list[_Report], names: list[str], headline: str) -> list[Exercise]:
    by_name: dict[str, list[_Report]] = {}
    for r in named:
        assert r.name is not None
        by_name.setdefault(_canonical(r.name, names, headline), []).append(r)
    roundup = len(by_name) >= _ROUNDUP
    for r in unnamed:
        if roundup and r.participants and r.ctx.cues("exercise"):
            # an article listing many exercises: drills of their own in a sentence naming none are another one
            by_name.setdefault(f"#{r.ctx.index}", []).append(r)
            continue
        target = _nearest(r, by_name)
        years = _located_years(r.ctx)
        if target is not None and len(years) > 1 and not re.search(r"\b(19|20)\d\d\b", target):
            # "held near Japan in 2019 and off the coast of Guam in 2018": one edition per year
            for year in years:
                by_name.setdefault(f"{target}#{year}", []).append(_edition(r, year))
        elif target is not None:
            by_name[target].append(r)
    if not by_name and _unnamed_drill(unnamed):
        by_name["#"] = unnamed  # "Les États-Unis organisent un exercice auquel participent 33 pays": no name given
    return [_exercise(None if key.startswith("#") else key.partition("#")[0], reports)
            for key, reports in by_name.items()]


def _unnamed_drill(reports: list[_Report]) -> bool:
    """An article that names no exercise still reports one when a sentence with the word for an exercise itself
    (not a word of training or taking part) names two states taking part."""
    for r in reports:
        words = lexicon(r.ctx.lang)["exercise_generic"] - lexicon(r.ctx.lang)["not_a_drill"]
        cues = [t for t in r.ctx.cues("exercise") if t.lower_ in words and not negated(t, r.ctx.lang)]
        if len(set(r.participants)) >= 2 and cues and not r.ctx.cues("status_cancelled"):
            return True  # not 'annulé sa participation aux exercices conjoints'
    return False


def _located_years(ctx: SentenceContext) -> list[int]:
    """Years each written right after a place: 'held near Japan in 2019 and off Guam in 2018'."""
    places = [p.span.end_char for p in ctx.placed if p.mention.type in ("Place", "State")]
    years = {d.value.year for d in ctx.dates if d.role in ("", "start")
             and any(0 <= d.start - end <= 8 for end in places)}
    return sorted(years)


def _edition(report: _Report, year: int) -> _Report:
    """One year of a sentence listing several editions: the year only, no participants to share out."""
    return _Report(report.ctx, None, [], None, None, None, PartialDate(year), None,
                   report.ctx.evidence("exercise-edition", 0.5))


def _nearest(report: _Report, by_name: dict[str, list[_Report]]) -> str | None:
    best: tuple[int, str] | None = None
    for name, reports in by_name.items():
        if "#" in name:
            continue
        year = next((r.year for r in reports if r.year and r.name), None)
        if year and report.year and year != report.year:
            continue
        distance = min(abs(r.ctx.index - report.ctx.index) for r in reports)
        if best is None or distance < best[0]:
            best = (distance, name)
    return best[1] if best else None


def _first(values: list[str | None]) -> str | None:
    return next((v for v in values if v), None)


def _exercise(name: str | None, reports: list[_Report]) -> Exercise:
    reports = sorted(reports, key=lambda r: (r.name is None, r.ctx.index))
    participants: list[str] = []
    for r in reports:
        participants += r.participants
    participants = list(dict.fromkeys(participants))  # a state named twice in one sentence takes part once
    return Exercise(
        name=name, participants=tuple(participants), organiser=_first([r.organiser for r in reports]),
        host=_first([r.host for r in reports]), location=_first([r.location for r in reports]),
        start=next((r.start for r in reports if r.start), None),
        end=next((r.end for r in reports if r.end), None),
        observers=tuple(dict.fromkeys(o for r in reports for o in r.observers if o not in participants)),
        evidence=tuple(r.evidence for r in sorted(reports, key=lambda r: r.ctx.index) if r.evidence))

