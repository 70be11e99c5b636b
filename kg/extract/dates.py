"""Find date expressions in a sentence and resolve them against the article's date.

Absolute dates ("21 mai 2018", "Dec. 3-14", "September 2017") and relative ones ("l'année dernière",
"le 14 mars dernier", "début septembre", "this year") become `PartialDate`s: news rarely gives a full
day, and a month or a year must stay a month or a year (xsd:gYearMonth, xsd:gYear), not a made-up day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from kg.extract.literals import longest_literal

MONTHS: dict[str, int] = {
    # French
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12,
    # English, with the usual abbreviations
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
# The month names as a trie: the same longest-first choice as a flat alternation, much faster to try at each position.
_MONTH = r"(?P<{n}>" + longest_literal((), MONTHS) + r")\.?"
_DAY = r"(?P<{n}>[0-3]?\d)(?:er|st|nd|rd|th)?"
_YEAR = r"(?P<{n}>(?:19|20)\d\d)"


_REL_YEAR = {"l'année dernière": -1, "l'an dernier": -1, "l'année précédente": -1, "last year": -1,
             "previous year": -1, "l'année prochaine": 1, "l'an prochain": 1, "next year": 1,
             "cette année": 0, "this year": 0}

# Ordered: the most specific shapes first; a span once matched is not matched again.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # 3-14 décembre 2019 / 8-9 octobre 2019 / du 3 au 14 décembre
    ("range_dm", re.compile(
        r"\b(?:du\s+)?" + _DAY.format(n="d1") + r"\s*(?:-|–|au|to)\s*" + _DAY.format(n="d2") + r"\s+"
        + _MONTH.format(n="m") + r"(?:\s+" + _YEAR.format(n="y") + r")?", re.I)),
    # Dec. 3-14, 2019 / December 3 to 14
    ("range_md", re.compile(
        _MONTH.format(n="m") + r"\s+" + _DAY.format(n="d1") + r"\s*(?:-|–|to|through)\s*" + _DAY.format(n="d2")
        + r"(?:,?\s+" + _YEAR.format(n="y") + r")?\b", re.I)),
    # 21 mai 2018 / 14 mars dernier / 2 March
    ("dmy", re.compile(
        r"\b" + _DAY.format(n="d") + r"\s+" + _MONTH.format(n="m")
        + r"(?:\s+" + _YEAR.format(n="y") + r"|\s+(?P<rel>dernier|prochain))?\b", re.I)),
    # May 21, 2018 / November 3
    ("mdy", re.compile(
        r"\b" + _MONTH.format(n="m") + r"\s+" + _DAY.format(n="d") + r"\b(?:,?\s+" + _YEAR.format(n="y") + r")?",
        re.I)),
    # 21/05/2018, 2018-05-21
    ("numeric", re.compile(r"\b(?P<d>[0-3]?\d)/(?P<m>[01]?\d)/(?P<y>(?:19|20)\d\d)\b")),
    ("iso", re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")),
    # (début|fin|mi-) septembre 2018 / early September / en septembre (dernier)
    ("my", re.compile(
        r"\b(?P<part>début|fin|mi-|courant|early|late|mid-?)?\s*" + _MONTH.format(n="m")
        + r"(?:\s+(?:de\s+l'année\s+)?" + _YEAR.format(n="y") + r"|\s+(?P<rel>dernier|prochain))?\b", re.I)),
    # l'année dernière / this year (no phrase begins another, so the trie's longest-first order changes nothing)
    ("rel_year", re.compile(r"\b(?P<rel>" + longest_literal((), _REL_YEAR) + r")\b", re.I)),
    ("year", re.compile(r"\b(?:en|in|depuis|since|de|of)\s+" + _YEAR.format(n="y") + r"\b", re.I)),
]

# What each shape needs somewhere in the text: most sentences have no digit or no month name, and a quick search
# for one spares the patterns that cannot match.
_DIGIT = re.compile(r"\d")
_ANY_MONTH = re.compile(longest_literal((), MONTHS), re.I)
_NEEDS_DIGIT = frozenset({"range_dm", "range_md", "dmy", "mdy", "numeric", "iso", "year"})
_NEEDS_MONTH = frozenset({"range_dm", "range_md", "dmy", "mdy", "my"})

_END_CUES = re.compile(r"(prendr\w* fin|se termin\w*|s'achèv\w*|jusqu'\w*|until|ends?\b|ending|"
                       r"conclu\w*|fin\s*$|through)\W*(?:\w+\W+){0,3}$", re.I)
# "previous events in 2004", "for the first time since 2007", "depuis 1992": dates the event refers back to.
_REF_CUES = re.compile(r"(previous|précédente?s?|since|depuis|first time since|dernière fois|earlier|"
                       r"auparavant|annually since|began participating|started participating|"
                       r"commencé à participer|participe depuis)\W*(?:\w+\W+){0,3}$", re.I)
_START_CUES = re.compile(r"(commenc\w*|début\w*|à partir|begin\w*|start\w*|from)\W*(?:\w+\W+){0,2}$", re.I)
# Words that make "mai"/"may"/"mars"/"march" something other than a month.
_MONTH_WORD_FALSE = re.compile(r"^(may|mars|march|mar|dec|jan|sept|sep|oct|nov|aug|jun|jul|apr|feb)$", re.I)


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        """ISO form of the known part: '2018', '2018-09' or '2018-09-01'."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True)
class DateMention:
    """A date expression found in text: where it is, what it means and whether it ends something."""

    start: int
    end: int
    text: str
    value: PartialDate
    role: str = ""  # "start", "end", "ref" (a past reference point) or ""; ranges give a start and an end
    inferred_year: bool = False  # the text gave no year; it was read from the article's date


def _valid(year: int, month: int | None, day: int | None) -> bool:
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError:
        return False
    return True


def _resolve_year(month: int, day: int | None, rel: str | None, anchor: dt.date | None) -> int | None:
    """The year of a month (and day) given without one, read from the article's date."""
    if anchor is None:
        return None
    if rel and rel.lower() == "dernier":
        candidate = dt.date(anchor.year, month, day or 1)
        return anchor.year if candidate <= anchor else anchor.year - 1
    if rel and rel.lower() == "prochain":
        candidate = dt.date(anchor.year, month, day or 1)
        return anchor.year if candidate > anchor else anchor.year + 1
    return anchor.year


def _month_is_word(text: str, m: re.Match[str], group: str) -> bool:
    """'may', 'mars', 'march' written without a day or year are verbs or a planet more often than months."""
    word = m.group(group)
    if not _MONTH_WORD_FALSE.match(word):
        return False
    has_day = "d" in m.groupdict() and m.groupdict().get("d")
    has_year = m.groupdict().get("y")
    if has_day or has_year:
        return word[0].islower() and word.lower() in {"may", "march", "mar"} and not has_year
    return True


def find_dates(text: str, *, anchor: dt.date | None) -> list[DateMention]:
    """Every date expression in `text`, resolved against the article date `anchor`, in text order."""
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    for kind, pattern in _possible_patterns(text):
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            mentions = list(_interpret(kind, m, text, anchor))
            if mentions:
                taken.append((m.start(), m.end()))
                found.extend(mentions)
    return sorted(found, key=lambda d: (d.start, d.role))


def _possible_patterns(text: str) -> list[tuple[str, re.Pattern[str]]]:
    """The shapes that may match `text`, in order: those needing a digit or a month name only if it has one."""
    skip: set[str] = set()
    if _DIGIT.search(text) is None:
        skip |= _NEEDS_DIGIT
    if _ANY_MONTH.search(text) is None:
        skip |= _NEEDS_MONTH
    return [(kind, pattern) for kind, pattern in _PATTERNS if kind not in skip]


def _interpret(kind: str, m: re.Match[str], text: str, anchor: dt.date | None) -> Iterator[DateMention]:
    g = m.groupdict()
    span = (m.start(), m.end(), m.group(0))
    if kind in ("range_dm", "range_md"):
        month = MONTHS[(g.get("m") or "").lower()]
        d1 = int(g.get("d1") or 0)
        d2 = int(g.get("d2") or 0) if g.get("d2") else None
        year = int(g["y"]) if g.get("y") else _resolve_year(month, d1, None, anchor)
        if year is None or not _valid(year, month, d1) or not _valid(year, month, d2):
            return
        inferred = not g.get("y")
        yield DateMention(*span, PartialDate(year, month, d1), "start", inferred)
        yield DateMention(*span, PartialDate(year, month, d2), "end", inferred)
        return
    if kind == "rel_year":
        if anchor is None:
            return
        yield DateMention(*span, PartialDate(anchor.year + _REL_YEAR[g["rel"].lower()]), _role(text, m))
        return
    if kind == "year":
        yield DateMention(m.start("y"), m.end(), g["y"], PartialDate(int(g["y"])), _role(text, m, m.start("y")))
        return
    if kind in ("dmy", "mdy", "my") and _month_is_word(text, m, "m"):
        return
    month = int(g["m"]) if kind in ("numeric", "iso") else MONTHS[g["m"].lower()]
    day = int(g["d"]) if g.get("d") else None
    year = int(g["y"]) if g.get("y") else _resolve_year(month, day, g.get("rel"), anchor)
    inferred = not g.get("y")
    if year is None or not _valid(year, month, day):
        return
    role = _role(text, m)
    part = (g.get("part") or "").lower()
    if kind == "my" and not part:
        span = (m.start("m"), m.end(), text[m.start("m"):m.end()])
    if part in ("fin", "late"):
        role = role or "end"
    yield DateMention(*span, PartialDate(year, month, day), role, inferred)


def _role(text: str, m: re.Match[str], start: int | None = None) -> str:
    start = m.start() if start is None else start
    before = text[max(0, start - 40):start]
    if _REF_CUES.search(before):
        return "ref"
    if _END_CUES.search(before):
        return "end"
    if _START_CUES.search(before):
        return "start"
    return ""


_DAY_MONTH = re.compile(rf"(?i)(?<!\w)(?:(?P<d1>[0-3]?\d)(?:er|st|nd|rd|th)?\s+(?P<m1>{longest_literal((), MONTHS)})"
                        rf"|(?P<m2>{longest_literal((), MONTHS)})\.?\s+(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?)(?!\w)")


def days_named(text: str) -> set[tuple[int, int]]:
    """The (month, day) pairs a text names, with or without a year: 'On February 1', 'le 24 juin'.

    Events of one article told day by day are told apart by these even when the article has no date to give them
    a year."""
    found = set()
    for m in _DAY_MONTH.finditer(text):
        month = MONTHS[(m.group("m1") or m.group("m2")).lower()]
        day = int(m.group("d1") or m.group("d2"))
        if 1 <= day <= 31:
            found.add((month, day))
    return found

