"""Exercise names: how articles write them, and which spellings name one exercise.

Names come quoted ("« Dynamic Front 25 »"), introduced ("dubbed X", "baptisé X"), after or before the word for an
exercise ("Exercise Malabar", "the Freedom Shield exercise"), beside it ("Talisman Sabre, a biennial exercise"),
as an edition ("BALTOPS 24", "Vostok-2018") or the series of one ("the 30th iteration of BALTOPS"). A title, a
facility or a date never is one.
"""

from __future__ import annotations

import re
from functools import cache

from spacy.tokens import Token

from kg.extract.context import SentenceContext, every_language, lexicon, title_case
from kg.extract.frames import has_feature
from kg.extract.literals import longest_literal

_CAP_WORD = r"[A-Z][\w'’-]*"

# 'Cope India 19', 'BALTOPS 24', 'Varuna 19.1' (space) or 'Vostok-2018' (hyphen, four-digit years only, so
# that designations such as 'Mi-28' or 'COVID-19' are not exercises); a name in parentheses is a translation.
_EDITION = re.compile(r"(?<![\w(-])([A-Z][\w-]*[a-zA-Z](?:\s+[A-Z][\w-]*[a-zA-Z]){0,3})"
                      r"(\s+(?=\d|[IVX]+\b)|-(?=(?:19|20)\d\d))((?:19|20)\d\d(?:-[IVX]{1,4}\b)?|\d{2}(?:[.-]\d{1,2})?|[IVX]{1,5}\b)(?![\w.-])"
                      r"(?!\s\d{3}\b)")  # 'Over 16 000 soldiers': a number in groups of three is no edition
_QUOTED = re.compile(r'["«“]\s*([A-Z][^"«»“”\n]{2,60}?)\s*["»”]' + r"|(?<![\w'])'([A-Z][^'\n]{2,40}?)'(?![\w'])")
_ACRONYM_AFTER = re.compile(r"^\s*\(([A-Z][A-Z0-9-]{2,12})\)")



@cache
def _name_tail() -> str:
    """The words after a name's first: capitalised words, numbers, and the small words inside names
    ('Rim of the Pacific', 'Bouclier du Nord')."""
    links = every_language("name_link")
    elided = longest_literal((), {w for w in links if w[-1] in "'’"})  # 'Bouclier d'Acier'
    return rf"(?:\s+(?:{elided})[A-Z][\w.'-]*|\s+(?:[A-Z0-9][\w.'-]*|{longest_literal((), links)}))*"


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


def _clean_name(name: str) -> str:
    name = _stop_tail().sub("", name.strip(" ,.;:-\"'‘’“”«»"))  # "'Exercise Force 7'": the quotes are no part
    name = _leading_generic().sub("", name)
    words = re.sub(r"\s+", " ", name).split(" ")
    if words[0].lower() in _headline_words():
        return ""  # 'Tradewinds Exercise Kicks Off': the headline's verb after the exercise word
    for i, word in enumerate(words[1:], 1):  # 'Sea Breeze Begins June 30' in a headline: the name ends before
        if word.lower() in _headline_words():
            words = words[:i]
            break
    return _stop_tail().sub("", " ".join(words))


def names_in(ctx: SentenceContext, known_terms: frozenset[str], *, about_exercises: bool = True) -> list[str]:
    """Exercise names written in a sentence: quoted, introduced ('baptisée X', 'dubbed X'), or 'Exercise X'.

    `about_exercises`: the article speaks of exercises somewhere, so that a name introduced in a sentence without
    the word ('later rebranding as Red Flag Alaska') is one, and 'X, formerly known as Twitter' elsewhere is not."""
    text = ctx.text
    lex = lexicon(ctx.lang)
    names: list[str] = []
    triggers = ctx.cues("exercise")
    preps = _name_prep(ctx.lang)
    for m in _QUOTED.finditer(text):
        near = triggers and min(abs(t.idx - ctx.sent.start_char - m.start()) for t in triggers) < 60 or bool(
            preps.search(text[max(0, m.start() - 30):m.start()])) or bool(ctx.cues("exercise_context"))
        quoted = m.group(1) or m.group(2)
        if near and _name_like(quoted) and not _names_another_thing(text[:m.start()], ctx.lang):
            names.append(quoted)
    introduced, triggered = _name_patterns(ctx.lang)
    for m in introduced.finditer(text) if triggers or about_exercises else ():
        if _names_another_thing(text[:m.start(1)].rstrip("\"' "), ctx.lang):
            continue
        names.append(_with_acronym(m.group(1), text[m.end():]))  # not 'X, formerly known as Twitter'
    # "l'exercice Varuna", "la 21e édition de l'exercice bilatéral Varuna", "Exercise Malabar"
    modifiers = lex["exercise_modifier"]
    for m in triggered.finditer(text):
        if all(w in modifiers for w in m.group(1).split()):
            names.append(_with_acronym(m.group(2), text[m.end():]))
    names += _closed_appositives(ctx) + _exemplified(ctx) if triggers else []
    names += _copula_names(triggers) + _appositive_names(ctx) + _prenominal_names(ctx) + _headline_series(ctx)
    if triggers:
        names += editions(text)
    else:  # 'took part in Rapid Trident 2021', 'participent à Hedgehog 24': an edition right after taking part
        names += _editions_after(ctx, ctx.cues("exercise_context"))
        names += _startingeditions(ctx) + _editions_beside_words(ctx)
    names += _series_of_edition(ctx)
    names += _coordinated(ctx, names)
    names = [_without_leading_words(ctx, n) for n in names]
    return [n for n in (_without_actors(_clean_name(n), known_terms) for n in names)
            if _plausible(n, known_terms, ctx.lang)]


def _coordinated(ctx: SentenceContext, names: list[str]) -> list[str]:
    """'les exercices Vent d'Ouest et Trident Juncture', 'the two drills, Sea Breeze and Agile Spirit': after a
    plural exercise word, a name coordinated with a name is one too."""
    if not any(has_feature(t, ("Number", "Plur")) or t.lower_.endswith("s") for t in ctx.cues("exercise")):
        return []
    conj = longest_literal((), lexicon(ctx.lang)["list_conj"])
    found = []
    for name in dict.fromkeys(names):
        for m in re.finditer(rf"{re.escape(name)},?\s+(?:{conj})\s+({_CAP_WORD}{_name_tail()})", ctx.text):
            found.append(m.group(1))
    return found


#: Parts of speech (Universal Dependencies tags) that never begin a name: 'Pendant 11 jours', 'During Cope Thunder'.
_NOT_A_NAME_START = frozenset({"ADP", "SCONJ", "CCONJ", "DET", "PRON"})


def _without_leading_words(ctx: SentenceContext, name: str) -> str:
    """The name without the preposition or determiner that opens its sentence ('During Cope Thunder 24' is 'Cope
    Thunder 24'; 'Pendant 11', a preposition and a number, is nothing)."""
    at = ctx.text.find(name)
    span = ctx.sent.doc.char_span(ctx.sent.start_char + at, ctx.sent.start_char + at + len(name),
                                  alignment_mode="expand") if at >= 0 else None
    if span is None or span.start != ctx.sent.start:
        return name  # only a sentence's first word is capitalised whatever it is
    words = list(span)
    while words and words[0].pos_ in _NOT_A_NAME_START:
        words = words[1:]
    if len(words) == len(span):
        return name
    if not any(w.is_alpha for w in words):
        return ""
    return ctx.sent.doc[words[0].i:span.end].text


def _names_another_thing(before: str, lang: str) -> bool:
    """'ce programme, appelé « Prosub »', 'a frigate named': a name given to a noun (after a determiner) that is no
    exercise word."""
    lex = lexicon(lang)
    intro = longest_literal((), lex["exercise_name_intro"])
    m = re.search(rf"(?<![\w'’])([^\W\d]+)[\s'’]+([^\W\d]+)\s*,?\s+(?i:{intro})\s*$", before)
    if m is None or m.group(1).lower() not in lex["function_word"]:
        return False
    word = m.group(2)
    return word.islower() and word not in lex["exercise"] | lex["exercise_generic"] | lex["edition_noun"]


@cache
def _closed_appositive_pattern(lang: str) -> re.Pattern[str]:
    trig = longest_literal((), lexicon(lang)["exercise"])
    run = rf"({_CAP_WORD}(?:\s+(?:{_CAP_WORD}|\d[\d.-]*)){{0,3}})"
    conj = longest_literal((), lexicon(lang)["list_conj"])  # 'the two drills, Sea Breeze and Agile Spirit,'
    more = rf"(?:,?\s+(?:{conj})\s+{_CAP_WORD}(?:\s+(?:{_CAP_WORD}|\d[\d.-]*)){{0,3}})?"
    return re.compile(rf"(?i:\b(?:{trig}))(?:\s+[a-zà-ÿ-]+){{0,2}},\s+{run}{more}(?=\s*,|\s*\(|\s*\.?$)")


@cache
def _example_pattern(lang: str) -> re.Pattern[str]:
    lex = lexicon(lang)
    trig = longest_literal((), lex["exercise"])
    intro = longest_literal((), lex["example_intro"])
    return re.compile(rf"(?i:\b(?:{trig}))(?:\s+[a-zà-ÿ-]+){{0,2}},?\s+(?i:{intro})\s+({_CAP_WORD}{_name_tail()})")


def _exemplified(ctx: SentenceContext) -> list[str]:
    """'lors d'exercices réguliers comme Cleopatra ou Ramses', 'drills such as Sea Breeze': a name given as an
    example of exercises (those coordinated with it: `_coordinated`)."""
    return [m.group(1) for m in _example_pattern(ctx.lang).finditer(ctx.text)]


def _closed_appositives(ctx: SentenceContext) -> list[str]:
    """'their annual military games, African Lion, which …', 'l'exercice annuel, Shakti, se tient …': a name set
    between commas after the exercise word (not 'After the exercise, Japanese and American ships …')."""
    words = lexicon(ctx.lang)["exercise"]  # not 'Aviation Training Exercises, Field Training Exercises, …'
    return [m.group(1) for m in _closed_appositive_pattern(ctx.lang).finditer(ctx.text)
            if not any(w.lower() in words for w in m.group(1).split())]


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
    exercices majeurs', 'Kite Runner IV (4), the 4th edition of the annual exercise'), and a name before it ('the
    Freedom Shield exercise'), as far as the language has one."""
    lex = lexicon(lang)
    trig = longest_literal((), lex["exercise"])
    run = rf"((?<![\w'’-]){_CAP_WORD}(?:\s+(?:{_CAP_WORD}|\d[\d.-]*)){{0,3}})"
    intro = longest_literal((), lex["appositive_intro"])
    edition = rf"(?:\d+\w*\s+(?:{longest_literal((), lex['edition_noun'])})\s+(?:[a-zà-ÿ'’]+\s+){{1,2}})?"
    appositive = re.compile(rf"{run}(?:\s+\(\d{{1,3}}\))?,\s+(?i:{intro})\s*{edition}"
                            rf"(?:[\w-]+\s+){{0,3}}(?i:{trig})(?!\w)")  # 'X (60), the 60th edition of the …
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
        if _after_a_preposition(ctx, m.start(1)) and not _name_prep(ctx.lang).search(ctx.text[:m.start(1)]):
            continue  # 'la mer des Caraïbes, un exercice': the complement of a noun, not a name
        if not opens or len(name.split()) > 1 or name.isupper() or any(c.isdigit() for c in name):
            names.append(name)
    return names


def _after_a_preposition(ctx: SentenceContext, start: int) -> bool:
    """Whether the word before a character of the sentence makes what follows a noun's complement ('of', 'des'),
    not 'during'."""
    token = ctx.sent.doc.char_span(ctx.sent.start_char + start, ctx.sent.start_char + start + 1,
                                   alignment_mode="expand")
    if token is None or token.start == ctx.sent.start:
        return False
    before = ctx.sent.doc[token.start - 1]
    if before.pos_ == "DET" and token.start - 2 >= ctx.sent.start:
        before = ctx.sent.doc[token.start - 2]  # 'of the Antilles'
    return before.lower_ in lexicon(ctx.lang)["noun_complement_prep"]


def _headline_series(ctx: SentenceContext) -> list[str]:
    """'Tradewinds Exercise Kicks Off in Caribbean': a headline opening on a name and the exercise word."""
    if ctx.index != 0:
        return []
    lex = lexicon(ctx.lang)
    m = re.match(rf"({_CAP_WORD}(?:\s+{_CAP_WORD}){{0,2}})\s+(?i:{longest_literal((), lex['exercise'])})(?!\w)",
                 ctx.text)
    if m is None or all(w.lower() in lex["exercise_modifier"] for w in m.group(1).split()) or \
            ctx.sent[0].pos_ in ("DET", "PRON"):
        return _inside_headline(ctx)  # not 'Ces manœuvres …
    return [m.group(1)]


def _inside_headline(ctx: SentenceContext) -> list[str]:
    """'Morocco, US Launch African Lion Annual Military Drills': in a title-case headline, the capitalised words
    before the exercise word, without its modifiers and the headline's verb."""
    if not title_case(ctx.sent):
        return []
    lex = lexicon(ctx.lang)
    found = []
    pattern = rf"((?:{_CAP_WORD}\s+){{1,5}})(?i:{longest_literal((), lex['exercise'])})(?!\w)"
    for m in re.finditer(pattern, ctx.text):
        run = m.group(1).split()
        while run and run[-1].lower() in lex["exercise_modifier"]:
            run.pop()
        cut = max((i + 1 for i, w in enumerate(run) if w.lower() in _headline_words()), default=0)
        if run[cut:]:
            found.append(" ".join(run[cut:]))
    return found


def _prenominal_names(ctx: SentenceContext) -> list[str]:
    """'the Freedom Shield exercise', 'this year's Cold Response drills': a name written before the word."""
    pattern = _around_patterns(ctx.lang)[1]
    if pattern is None or ctx.text.istitle():
        return []
    closed = _closed_appositives(ctx)  # 'the annual Baltic Operations exercise, BALTOPS 24,': the edition's name
    return [m.group(1) for m in pattern.finditer(ctx.text)
            if m.group(0).rsplit(None, 1)[-1].islower() and not _adjective(ctx, m.start(1), m.group(1))
            and not any(re.match(rf",\s+{re.escape(n)}", ctx.text[m.end():]) for n in closed)]


def _adjective(ctx: SentenceContext, start: int, name: str) -> bool:
    """'the Nordic drill', 'the Allied exercise': one word that is an adjective or a nationality is no name."""
    if " " in name:
        return False
    span = ctx.sent.doc.char_span(ctx.sent.start_char + start, ctx.sent.start_char + start + len(name))
    return span is not None and (span[0].pos_ == "ADJ" or span[0].ent_type_ == "NORP")


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


def editions(text: str, series: str | None = None) -> list[str]:
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
def _beside_patterns(lang: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    lex = lexicon(lang)
    return (re.compile(rf"^\s*,\s*(?i:{longest_literal((), lex['edition_host_after'])})(?!\w)"),
            re.compile(rf"(?i:\b(?:{longest_literal((), lex['exercise_name_prep'])}))\s*$"))


def _editions_beside_words(ctx: SentenceContext) -> list[str]:
    """'Cobra Gold 2025, co-hosted by Thailand', 'during Iron Wolf 2022-II': an edition followed by who hosts or
    leads it, or after a word of time that introduces an event's name."""
    hosted, during = _beside_patterns(ctx.lang)
    return [_edition_name(m) for m in _EDITION.finditer(ctx.text)
            if hosted.match(ctx.text[m.end():]) or during.search(ctx.text[:m.start()])]


@cache
def _start_pattern(lang: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*(?:{longest_literal((), lexicon(lang)['start_verb'])})(?!\w)", re.I)


def _startingeditions(ctx: SentenceContext) -> list[str]:
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
    found = []
    for m in _edition_of_pattern(ctx.lang).finditer(ctx.text):
        after = ctx.sent.doc.char_span(ctx.sent.start_char + m.end(1), ctx.sent.end_char, alignment_mode="expand")
        if after is not None and len(after) and after[0].is_lower and after[0].pos_ == "ADJ":
            continue  # 'le 200e anniversaire de la Bataille navale de …': a common noun, not a series
        found.append(m.group(1))
    return found


def series(names: list[str]) -> list[str]:
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
    if m and not any(c.isdigit() for c in name) and (
            any(_generic().match(w) for w in name.split()) or any(c.isdigit() for c in m.group(1))):
        return m.group(1)  # 'Cold Response (CR22)': an acronym with the edition is the more specific label
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
def _never_name_words(lang: str) -> frozenset[str]:
    """Words that make a capitalised phrase a title, a facility or a date, not an exercise: the article's language's
    and English's (names are often English in a French text), but not another's ('United Accord' is a name in
    English though 'accord' is a document in French)."""
    return lexicon(lang)["not_exercise_name"] | lexicon("en")["not_exercise_name"]


def _plausible(name: str, known_terms: frozenset[str], lang: str) -> bool:
    words = name.split()
    if not words or _generic().match(words[0]) and len(words) == 1:
        return False
    if any(w.lower().strip(".,") in _never_name_words(lang) for w in words):
        return False  # a title, a facility or a date: 'Director', 'Range', 'Begins June 30'

    base = " ".join(w for w in re.split(r"[\s-]+", name) if not re.fullmatch(r"[\d.]+", w))
    if len(words) == 1 and "-" in name and name.split("-")[0] in known_terms:
        return False  # 'Egypte-Etats-Unis': the states of a joint exercise, not its name
    tail = name.rpartition("-")[2]
    if len(words) == 1 and "-" in name and tail.isalpha() and tail.islower():
        return False  # 'Pacific-focused', 'US-led', 'franco-indien': an adjective before the exercise word
    if not base or base in known_terms or _generic().match(base) or _function_word(words[0]):
        return False
    from kg.extract.dates import MONTHS
    return words[0].lower().rstrip(".") not in MONTHS


def canonical(name: str, names: list[str], headline: str) -> str:
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
        if other != name and name.isupper() and other.lower() == name.lower():
            return other  # 'EXERCISE KESTREL 2019' in a headline in capitals is the 'Kestrel 2019' of the text
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
