"""Cleaning an article's text (typography, boilerplate) and finding its language and its dateline date.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata

_TYPOGRAPHY: dict[str, str] = {
    **dict.fromkeys("’‘‛ʼ′‚‹›＇", "'"),
    **dict.fromkeys("«»“”„‟″＂", '"'),
    # No-break, fixed-width and thin spaces; zero-width characters become a space to keep offsets.
    **dict.fromkeys(
        "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
        "\u202f\u205f\u3000\u200b\u200c\u200d\u2060\ufeff\u180e",
        " ",
    ),
    # A soft hyphen marks where a word may break: a visible hyphen, not a space that splits the word.
    **dict.fromkeys("\u00ad\u2010\u2011", "-"),
    **dict.fromkeys("\u2028\u2029", "\n"),
}


def normalise_typography(text: str) -> str:
    """Replace curly quotes, guillemets and special spaces by ASCII ones, one character for one.

    Length-preserving, so offsets stay valid; spaCy's French model otherwise tags "s’" and "C’" as entities.

    >>> normalise_typography("«\u00a0Non\u00a0», dit-il")
    '" Non ", dit-il'
    """
    for char, replacement in _TYPOGRAPHY.items():  # one pass per character: faster than str.translate
        if char in text:
            text = text.replace(char, replacement)
    return text


_BOILERPLATE = re.compile(
    "|".join(
        (
            # donation appeals
            r"a besoin de (votre|ton|vos) (soutien|aide|dons?)",
            r"\bfaites un don\b",
            r"\bsoutenez[- ]nous\b",
            r"\bneeds? your (support|help)\b",
            r"^\W*donate\b",
            r"\b(please )?donate (now|today|here)\b",
            r"\bmake a (one-time |monthly )?donation\b",
            r"\bsupport (our|independent) (journalism|work)\b",
            # newsletters and subscriptions
            r"\bnewsletters?\b",
            r"lettre d'information",
            r"\binscrivez[- ]vous\b",
            r"\babonnez[- ]vous\b",
            r"\bs'abonner\b",
            r"réservé aux abonnés",
            r"^\W*(subscribe|sign up|register)\b",
            r"\b(subscribe|sign up) (now|today|here|for free|to (our|the|my))\b",
            r"\bsubscribers? only\b",
            # read more, related links
            r"\bcontinue reading\b",
            r"\blire la suite\b",
            r"\b(en )?savoir plus sur\b",
            r"\bread more\b",
            r"^\W*(à )?lire aussi\b",
            r"^\W*(read|see) also\b",
            # cookies, copyright, sharing, calls to action, email privacy
            r"\bcookies?\b.*\b(accept|consent|navigat|brows|site|paramètr|setting|polic|politique|traceur)",
            r"©",
            r"^\W*copyright\b",
            r"\bcopyright (\d{4}|\(c\))",
            r"\ball rights reserved\b",
            r"\btous droits réservés\b",
            r"\breproduction (autorisée|interdite)\b",
            r"\bpartager sur\b",
            r"\bshare (on|this)\b",
            r"\bsuivez[- ]nous\b",
            r"\bfollow us\b",
            r"\bcliquez\b",
            r"\bclick (here|on|the link)\b",
            r"\bvotre (adresse )?(e-?mail|courriel|adresse électronique)\b",
            r"\byour e-?mail( address)?\b",
        )
    ),
    re.IGNORECASE,
)
BOILERPLATE_MAX_CHARS = 300


def drop_boilerplate(text: str) -> str:
    """Drop short lines that are site furniture (donation appeals, newsletters, cookies, copyright, sharing).

    A line is dropped only when it matches a general French or English pattern and is shorter than
    `BOILERPLATE_MAX_CHARS`, so a real paragraph mentioning a newsletter survives. Blank lines right after a
    dropped line go with it; every kept line is kept exactly. Run after `normalise_typography`.

    >>> drop_boilerplate("Paris accueille le sommet.\\n\\nAbonnez-vous à notre newsletter\\n\\nLa suite.")
    'Paris accueille le sommet.\\n\\nLa suite.'
    """
    kept: list[str] = []
    after_dropped = False
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped and len(stripped) < BOILERPLATE_MAX_CHARS and _BOILERPLATE.search(stripped):
            after_dropped = True
        elif not (after_dropped and not stripped):
            after_dropped = False
            kept.append(line)
    return "\n".join(kept)


# Frequent words that belong to one language only (no "de", "la", "en", "que", "in", …).
_STOP_WORDS = {
    "fr": "le les des du et est une dans pour qui sur pas au aux ce il ne sont avec par ont été mais cette"
    " leur ou nous vous elle plus comme être",
    "en": "the and of to is that for on with by was are it this from be has have at an which were will its"
    " their been would",
    "de": "der die das und ist nicht ein eine mit von zu den dem sich auf für im auch wird sind werden bei"
    " nach oder wie aus",
    "es": "el los las y es una por con para del se su sus al lo como más pero fue este esta también muy han",
    "it": "il gli della delle dei di che è sono nel nella alla anche come più questo questa hanno stato",
    "pt": "o os do dos das em no na um uma é não ao às pelo pela pelos pelas foi foram são também mais seu"
    " sua",
    "nl": "het een van en is dat op te zijn voor niet met ook maar bij door naar werd worden deze heeft",
    "pl": "się na nie do że jest to jak po od przez dla został także oraz jego które być",
}
_STOP_SETS = {lang: frozenset(words.split()) for lang, words in _STOP_WORDS.items()}
_WORD = re.compile(r"[^\W\d_]+")


#: Scripts other than Latin, told by the Unicode name of their letters, and the language a text in them is taken
#: to be: enough to report it as unsupported rather than read it as French (`Extractor` knows fr and en only).
_SCRIPTS = {"CYRILLIC": "ru", "CJK": "zh", "HIRAGANA": "ja", "KATAKANA": "ja", "HANGUL": "ko", "ARABIC": "ar",
            "HEBREW": "he", "GREEK": "el", "DEVANAGARI": "hi", "THAI": "th", "ARMENIAN": "hy", "GEORGIAN": "ka",
            "BENGALI": "bn", "TAMIL": "ta", "ETHIOPIC": "am"}
_UKRAINIAN = frozenset("іїєґІЇЄҐ")
#: The code of a text in a script or language kg cannot tell apart (ISO 639-2 "mis", uncoded languages).
UNKNOWN_LANGUAGE = "mis"


def _script_language(text: str) -> str | None:
    """The language of a text written mostly (over half its letters) in a script other than Latin, else None."""
    counts: dict[str, int] = {}
    letters = 0
    for char in itertools.islice((c for c in text if c.isalpha()), 5000):
        letters += 1
        if ord(char) < 0x250:
            continue
        name = unicodedata.name(char, "")
        script = name.split(" ", 1)[0]
        if script == "LATIN":
            continue
        lang = _SCRIPTS.get(script, UNKNOWN_LANGUAGE)
        if lang == "ru" and char in _UKRAINIAN:
            lang = "uk"
        counts[lang] = counts.get(lang, 0) + 1
    if not counts or sum(counts.values()) <= letters / 2:
        return None
    if "uk" in counts:
        return "uk"
    if "ja" in counts:  # Japanese mixes kana with Chinese characters
        counts["ja"] += counts.pop("zh", 0)
    return max(counts, key=lambda lang: counts[lang])


def detect_language(text: str) -> str:
    """Guess the ISO 639-1 code of a text: from its script when it is not Latin (ru, uk, zh, ja, ar, …, or "mis"
    for a script without an entry), else from its stop words (fr, en, de, es, it, pt, nl, pl); "und" if unsure.

    A long text in Latin script with almost none of these stop words is "mis" (a language kg does not know),
    not "und": "und" is read as the build's default language, which would parse it as French.

    >>> detect_language("Le ministre a signé l'accord avec les États-Unis et le Japon.")
    'fr'
    >>> detect_language("Министр обороны заявил, что учения пройдут в сентябре.")
    'ru'
    """
    script = _script_language(text)
    if script is not None:
        return script
    tokens = [match.group().lower() for match in itertools.islice(_WORD.finditer(text), 5000)]
    scores = sorted(
        ((sum(token in stops for token in tokens), lang) for lang, stops in _STOP_SETS.items()), reverse=True
    )
    (best, lang), (second, _) = scores[0], scores[1]
    if best >= 3 and best > 1.5 * second:
        return lang
    return UNKNOWN_LANGUAGE if len(tokens) >= _KNOWN_WORDS_AFTER and best < 0.02 * len(tokens) else "und"


#: Words after which a text in French or English has shown some of their stop words (about one word in three is).
_KNOWN_WORDS_AFTER = 60


_DAY = r"(?P<day>\d{1,2})(?:er|st|nd|rd|th|\.)?"
_DAY_RANGE = r"(?:\s*(?:-|–|au|et|and|to)\s*\d{1,2}(?:er|st|nd|rd|th|\.)?)?"  # "8-9 octobre": the first day
_MONTH_WORD = r"(?P<month>[^\W\d_]{3,}\.?)"
_YEAR = r"(?P<year>(?:19|20)\d\d)(?!\d)"  # an explicit year: dateparser must never fill in today's
_NAMED_DATES = (
    re.compile(rf"\b{_DAY}{_DAY_RANGE}\s+(?:de\s+)?{_MONTH_WORD}\s+(?:de\s+)?{_YEAR}"),  # 21 mai 2018
    re.compile(rf"\b{_MONTH_WORD}\s+{_DAY}{_DAY_RANGE},?\s+{_YEAR}"),  # May 21, 2018; Dec. 14, 2019
)
_NUMERIC_DATE = re.compile(rf"\b(?P<a>\d{{1,2}})[/.](?P<b>\d{{1,2}})[/.]{_YEAR}")  # 21/05/2018
_ISO_DATE = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b")
PUBLISHED = re.compile(r"\b(publié|publiée|mis à jour|mise à jour|published|updated|posted|posté)\b", re.I)
_DATE_HEADER_LINES = 5  # a dateline sits in the first lines; dates further down are events, not publication
_LONG_LINE = 250  # a paragraph, not a dateline: only its opening ("WASHINGTON, DC – March 3, 2021") counts


def find_date(text: str, *, lang: str) -> dt.date | None:
    """Find the publication date in the article's dateline, or None.

    Looks at the first lines: a "Publié le …"/"Published …" line first, then the first line (a title or
    speech header such as "…, au Sénat le 12 octobre 2021."), then short lines ("Mérignac, France -
    8-9 octobre 2019": the first day of a range). Only dates with a day, a month and a 4-digit year count.

    >>> find_date("Publié par Ftouh Souhail le 21 mai 2018\\n\\nL'Inde et le Pakistan…", lang="fr")
    datetime.date(2018, 5, 21)
    """
    header = [
        line.strip()
        for line in itertools.islice((ln for ln in text.split("\n") if ln.strip()), _DATE_HEADER_LINES)
    ]
    published = [line for line in header if PUBLISHED.search(line)]
    ordered = published + header[:1] + [line if len(line) < _LONG_LINE else line[:120] for line in header[1:]]
    for line in ordered:
        date = _first_date(line, lang=lang)
        if date is not None:
            return date
    return None


def _first_date(line: str, *, lang: str) -> dt.date | None:
    found: list[tuple[int, dt.date | None]] = []
    for pattern in _NAMED_DATES:
        found += [(m.start(), _parse_named_date(m, lang=lang)) for m in pattern.finditer(line)]
    for m in _NUMERIC_DATE.finditer(line):  # day first, except in English; the other order if that is invalid
        day, month = (m["b"], m["a"]) if lang == "en" else (m["a"], m["b"])
        found.append((m.start(), _make_date(m["year"], month, day) or _make_date(m["year"], day, month)))
    found += [(m.start(), _make_date(m["year"], m["month"], m["day"])) for m in _ISO_DATE.finditer(line)]
    return next((date for _, date in sorted(found, key=lambda item: item[0]) if date is not None), None)


def _make_date(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


_DATEPARSER_SETTINGS = {"REQUIRE_PARTS": ["day", "month", "year"], "STRICT_PARSING": True}


def _parse_named_date(match: re.Match[str], *, lang: str) -> dt.date | None:
    import dateparser  # slow to import, only needed when a text has a candidate date

    candidate = f"{match['day']} {match['month']} {match['year']}"
    try:
        parsed = dateparser.parse(candidate, languages=[lang], settings=_DATEPARSER_SETTINGS)
    except ValueError:  # a language dateparser does not know, e.g. "und"
        parsed = dateparser.parse(candidate, settings=_DATEPARSER_SETTINGS)
    return parsed.date() if parsed is not None else None
