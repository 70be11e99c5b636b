"""Military exercises: participants, organiser, host, observers, location and dates (names: `exercise_names`).

A sentence that speaks of an exercise (a trigger word, or the name of an exercise found elsewhere in the
article) yields a report; reports with the same name are one exercise, and unnamed reports join the nearest
named exercise of a compatible year, because articles name an exercise once and then say "the drills".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Token

from kg.extract.context import (
    ORG_TYPES,
    STATE_TYPES,
    Lexicon,
    Placed,
    SentenceContext,
    aside_after,
    first_conjunct,
    head_lemma,
    left_words,
    lexicon,
    token_gap,
)
from kg.extract.dates import DateMention, PartialDate
from kg.extract.exercise_names import canonical, editions, names_in, series
from kg.extract.frames import modified, negated, preposition
from kg.extract.places import is_border
from kg.extract.quantities import count_value
from kg.extract.records import Evidence, Exercise

_YEAR = re.compile(r"\b(?:19|20)\d\d\b")  # a year written in full
_ROUNDUP = 3  # named exercises from which an article is a roundup of several


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
            m = _YEAR.search(self.name)
            if m:
                return int(m.group(0))
        return self.start.year if self.start else None


def _participants(ctx: SentenceContext) -> tuple[list[str], str | None, list[str]]:
    """States taking part in the exercise a sentence speaks of, the host named as its location, the observers."""
    lex = lexicon(ctx.lang)
    participants: list[str] = []
    observers: list[str] = []
    host: str | None = None
    for group in ctx.groups:
        before = left_words(group, 3)
        after = _words_after(ctx, group, lex)
        if set(after) & lex["observer"] or _observed(ctx, group):
            observers += [p.entity for p in group if not p.mention.located]
            continue
        noted = [p for p in group if set(aside_after(p).split()) & lex["observer"]]
        observers += [p.entity for p in noted]  # 'Canada, Chile [observer], France': one of the list watches
        group = [p for p in group if p not in noted]
        if not group:
            continue
        if set(before) & lex["location_block"] or all(p.mention.kind == "capital" and p.mention.located
                                                       for p in group):
            continue  # 'MOSCOW (agency) NATO's exercise …': a dateline
        named = [p for p in group if p.mention.named]
        origin = bool(before) and before[-1] in lex["origin_only_prep"]  # 'flown in from Estonia': not a place
        before = [w for w in before if w not in lex["list_determiner"] or w in lex["location_prep"]] or before
        if named and before and not origin and before[-1] in lex["location_prep"] | {"l'"} and (
                _is_location(before, lex)):
            host = host or named[0].entity
            continue
        if named and _after_located_place(ctx, group[0], lex):
            host = host or named[0].entity  # 'in Hohenfels, Germany': the state of a place is the location
            continue
        if _in_side_clause(group[0], lex) or _reacts(group[0], lex) or _defended(group[0], lex) or (
                is_border(group[0].root, ctx.lang)):
            continue
        heads = {head_lemma(p) for p in group}
        # "les marines indienne et française": a list shares its noun; "the British destroyer": a ship has a flag
        as_unit = bool(heads & (lex["military_unit"] | lex["vessel_noun"]))
        for p in group:
            if (p.mention.named or as_unit) and not p.mention.located:  # 'missions in southern Lebanon'
                participants.append(p.entity)
            elif head_lemma(p) in lex["place_noun"]:
                host = host or p.entity
    for p in ctx.of_types(STATE_TYPES):
        if not p.mention.named and head_lemma(p) in lex["place_noun"]:
            host = host or p.entity
    return participants, _declared_host(ctx) or host, observers


def _words_after(ctx: SentenceContext, group: list[Placed], lex: Lexicon) -> list[str]:
    """The five words after a list, up to a conjunction that starts another phrase ('A and B as well as observers
    from C': the observers are C's, not A's and B's)."""
    words = [t.lower_ for t in ctx.sent.doc[group[-1].span.end:min(ctx.sent.end, group[-1].span.end + 5)]]
    text = " ".join(words)
    for conj in lex["list_conj"]:
        m = re.search(rf"(?<!\w){re.escape(conj)}(?!\w)", text)
        if m:
            text = text[:m.start()]
    return text.split()


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
    """'troops practicing defending Lithuania', 'to defend Norway', 'simulated the defence of Lithuania against an
    invasion from Belarus': the states of the scenario are no participants."""
    root = first_conjunct(p.root)
    if root.dep_ in ("obj", "dobj") and root.head.lemma_.lower() in lex["scenario_verb"]:
        return True
    path = [root, *list(root.ancestors)[:5]]
    simulating = any(t.lemma_.lower() in lex["simulation_word"] or t.lower_ in lex["simulation_word"]
                     for t in root.sent)
    attacker = preposition(root) in lex["origin_prep"] | lex["role_agent"]
    if simulating and attacker and any(t.lemma_.lower() in lex["aggression_noun"] for t in path):
        return True  # 'an invasion from Belarus' in a scenario: the imagined attacker
    for below, word in zip(path, path[1:], strict=False):
        if word.lemma_.lower() in lex["simulation_word"] or word.lower_ in lex["simulation_word"]:
            return word.pos_ == "NOUN" or below.dep_ in ("obj", "dobj")  # what is simulated, not 'with Poland'
    return False


def _reacts(p: Placed, lex: Lexicon) -> bool:
    """'North Korea condemned the war games', 'la Chine dénonce ces manœuvres': the subject of a verb of speaking,
    warning or condemning comments on the exercise, the subject of one of watching ('Russia will monitor the
    drills') looks on, and the subject of one of withdrawing left it: none takes part."""
    root = first_conjunct(p.root)
    verbs = lex["not_a_party"] | lex["withdraw_verb"]  # 'l'Australie s'est retirée de l'exercice' takes no part
    if root.dep_ not in ("nsubj", "nsubj:pass"):
        return False
    verb = root.head
    watching = [verb, *(c for c in verb.children if c.dep_ == "xcomp")]  # 'la Russie voudra suivre l'exercice'
    return verb.lemma_.lower() in verbs or any(w.lemma_.lower() in lex["watch_verb"] for w in watching)


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
    m = _YEAR.search(name or "")
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
    about_exercises = any(ctx.cues("exercise") for ctx in contexts)
    for ctx in contexts:
        names_seen += [n for n in dict.fromkeys(names_in(ctx, known_terms, about_exercises=about_exercises))
                       if n not in names_seen]
    for base in series(names_seen):
        for ctx in contexts:  # editions of a known series, wherever written ("Talisman Sabre 2023 opens",
            # "the previous edition, Zapad-2017")
            names_seen += [n for n in editions(ctx.text, base) if n not in names_seen]
    names_seen += [b for b in series(names_seen) if b not in names_seen]  # "the current iteration of 'Agile
    # Spirit' brings together troops from …": the series alone speaks of the article's edition
    headline = contexts[0].text if contexts else ""
    for ctx in contexts:
        here = [n for n in names_seen if n in ctx.text and re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", ctx.text)]
        here = [n for n in here if not any(n != o and n in o for o in here)]
        if here:
            named_reports += [_pair_from_before(_report(ctx, n), contexts) for n in here]
        elif ctx.cues("exercise") or ctx.cues("exercise_context") or about_exercises and (
                _anaphor(ctx) or _units_from(ctx)):
            unnamed.append(_report(ctx, None))
    found = _merge(named_reports, unnamed, names_seen, headline)
    return found + _first_editions(contexts, found)


def _first_editions(contexts: list[SentenceContext], found: list[Exercise]) -> list[Exercise]:
    """'sa première édition en Inde, du 9 au 22 octobre 2011', 'le premier exercice tenu fin 2016': the first
    edition of the article's one series, told with a year no exercise found has, is an exercise of its own."""
    names = [x.name for x in found if x.name]
    bases = series(names) or [n for n in names if not re.search(r"\d", n)]
    if len(set(bases)) != 1:
        return []
    years = {x.start.year for x in found if x.start} | {int(m.group(0)) for n in names
                                                         if (m := _YEAR.search(n))}
    editions: list[Exercise] = []
    for ctx in contexts:
        lex = lexicon(ctx.lang)
        nouns = lex["edition_noun"] | lex["exercise"]
        first = [t for t in ctx.sent if t.lower_ in lex["first_ordinal"] and (
            t.head.lower_ in nouns or t.head.lemma_.lower() in nouns)]
        after = ctx.text[first[0].idx - ctx.sent.start_char:] if first else ""
        stated = sorted({int(m.group(0)) for m in _YEAR.finditer(after)} - years)
        if first and len(stated) == 1:
            report = _edition(_report(ctx, None), stated[0])
            editions.append(_exercise(bases[0], [report]))
            years.add(stated[0])
    return editions


def _pair_from_before(report: _Report, contexts: list[SentenceContext]) -> _Report:
    """'The Indian and British navies concluded Konkan. Earlier, the two navies took part in Malabar with Japan':
    'the two' forces, countries or armies are the two states of the sentence before."""
    ctx = report.ctx
    if not ctx.index:
        return report
    lex = lexicon(ctx.lang)
    paired = any(t.lower_ in lex["pair_word"] and t.head.lemma_.lower() in lex["military_unit"] | lex["country_noun"]
                 for t in ctx.sent) or ctx.has_phrase("anaphor_pair")
    before = list(dict.fromkeys(p.entity for p in contexts[ctx.index - 1].of_types(STATE_TYPES)))
    if paired and len(before) == 2:
        report.participants = list(dict.fromkeys([*before, *report.participants]))
    return report


def _anaphor(ctx: SentenceContext) -> bool:
    """'Cette vaste opération comprend 20 partenaires', 'this operation brings together': in an article about an
    exercise, a demonstrative operation is that exercise."""
    lex = lexicon(ctx.lang)
    return any(t.lower_ in lex["exercise_anaphor_noun"] and any(
        c.dep_ == "det" and c.lower_ in lex["demonstrative"] for c in t.children) for t in ctx.sent)


def _units_from(ctx: SentenceContext) -> bool:
    """'Platoons were assembled from Romania and Bulgaria', 'They also came from Ukraine', 'des soldats venus de
    Pologne', 'Partners include A and B': in an article about an exercise, troops coming from states, and the
    states its partners are, are its participants."""
    lex = lexicon(ctx.lang)
    troops = lex["military_unit"] | lex["pronoun_subject"]
    if any(t.dep_ in ("nsubj", "nsubj:pass") and t.lemma_.lower() in lex["participant_noun"] for t in ctx.sent) and (
            ctx.of_types(STATE_TYPES, named_only=True)):
        return True  # 'Les partenaires occidentaux comprennent A, B et C', 'Partners include …'
    if _units_training(ctx, lex):
        return True
    for p in ctx.of_types(STATE_TYPES, named_only=True):
        root = first_conjunct(p.root)
        if preposition(root) not in lex["origin_prep"]:
            continue
        word = modified(root)
        while word.pos_ in ("ADP", "ADV", "PART") and word.head != word:
            word = word.head  # 'flown in from Estonia'
        if word.lemma_.lower() in lex["origin_verb"] or word.lower_ in lex["origin_verb"] or (
                word.pos_ == "NOUN" and word.lemma_.lower() in troops):
            return True
        if word.pos_ in ("VERB", "AUX") and any(c.dep_ in ("nsubj", "nsubj:pass", "nsubjpass") and (
                c.lemma_.lower() in troops or c.lower_ in troops) for c in word.children):
            return True
    return False


def _units_training(ctx: SentenceContext, lex: Lexicon) -> bool:
    """'US Marines trained alongside Latvian soldiers', 'des soldats polonais se sont entraînés': a state's troops
    as the subject of a verb of training."""
    for p in ctx.of_types(STATE_TYPES):
        unit = p.root if head_lemma(p) in lex["military_unit"] else None
        unit = unit.head if unit is not None and unit.dep_ in ("amod", "compound") else unit
        if unit is None:
            continue
        verbs = [unit.head] if unit.dep_ in ("nsubj", "nsubj:pass") else []
        verbs += [c for c in unit.children if c.dep_ in ("acl", "acl:relcl")]  # a headline's parse: 'Marines trained'
        if any(v.lemma_.lower() in lex["training_verb"] or v.lower_ in lex["training_verb"] for v in verbs):
            return True
    return False


def _merge(named: list[_Report], unnamed: list[_Report], names: list[str], headline: str) -> list[Exercise]:
    by_name: dict[str, list[_Report]] = {}
    for r in named:
        assert r.name is not None
        by_name.setdefault(canonical(r.name, names, headline), []).append(r)
    roundup = len(by_name) >= _ROUNDUP
    for r in unnamed:
        if roundup and r.participants and r.ctx.cues("exercise"):
            # an article listing many exercises: drills of their own in a sentence naming none are another one
            by_name.setdefault(f"#{r.ctx.index}", []).append(r)
            continue
        target = _nearest(r, by_name)
        years = _located_years(r.ctx)
        if target is not None and len(years) > 1 and not _YEAR.search(target):
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


def _counted(ctx: SentenceContext) -> set[int]:
    """The numbers of countries a sentence states ('involving 17 nations', 'réunit 20 pays')."""
    nouns = lexicon(ctx.lang)["country_noun"]
    counts = (count_value(t.text) for t in ctx.sent if t.i + 1 < ctx.sent.end and t.nbor(1).lower_ in nouns)
    return {c for c in counts if c}


def _nearest(report: _Report, by_name: dict[str, list[_Report]]) -> str | None:
    """The named exercise an unnamed report speaks of: the one whose stated number of countries its list has
    ('Milan 2014, involving 17 nations' … 'The participants were A, B, … (17)'), else the nearest in the text."""
    size = len(set(report.participants))
    counted = [name for name, reports in by_name.items() if "#" not in name and size > 2
               and any(size in _counted(r.ctx) for r in reports)]
    if len(counted) == 1:
        return counted[0]
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

