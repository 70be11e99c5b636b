"""Find date expressions in a sentence and resolve them against the article's date.

Absolute dates ("21 mai 2018", "Dec. 3-14", "September 2017") and relative ones ("l'année dernière",
"le 14 mars dernier", "début septembre", "this year") become `PartialDate`s: news rarely gives a full
day, and a month or a year must stay a month or a year (xsd:gYearMonth, xsd:gYear), not a made-up day.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from kg.extract.gazetteer import DATA_DIR
from kg.extract.literals import longest_literal

DATES_FILE = DATA_DIR / "dates.json"
_YEAR = r"(?P<{n}>(?:19|20)\d\d)"
# What each shape needs somewhere in the text: most sentences have no digit or no month name, and a quick search
# for one spares the patterns that cannot match.
_DIGIT = re.compile(r"\d")
_NEEDS_DIGIT = frozenset({"range_dm", "range_md", "dmy", "mdy", "numeric", "iso", "year"})
_NEEDS_MONTH = frozenset({"range_dm", "range_md", "dmy", "mdy", "my"})


@cache
def _languages() -> dict[str, dict[str, Any]]:
    """The words of dates per language (kg/data/dates.json)."""
    raw = json.loads(DATES_FILE.read_text(encoding="utf-8"))
    return {lang: entry for lang, entry in raw.items() if not lang.startswith("_")}


@cache
def _words(name: str) -> frozenset[str]:
    """The list `name` of every language, lower-cased.

    Every language's words at once: a date is read whatever the article's language, as an article in one language
    may quote a date written in the other."""
    return frozenset(w.lower() for entry in _languages().values() for w in entry.get(name, ()))


@cache
def _numbers(name: str) -> dict[str, int]:
    """The table `name` of every language (a word and its number), lower-cased; a word must mean one number."""
    table: dict[str, int] = {}
    for lang, entry in _languages().items():
        for word, number in entry.get(name, {}).items():
            if table.setdefault(word.lower(), number) != number:
                raise ValueError(f"{DATES_FILE}: {lang} {name} {word!r} means {number}, another language "
                                 f"{table[word.lower()]}")
    return table


def months() -> Mapping[str, int]:
    """Month names and abbreviations of every language, lower-cased, with the month's number: {'mai': 5, 'dec': 12}."""
    return _numbers("months")


def __getattr__(name: str) -> Any:
    """`MONTHS` and `_PATTERNS` as module attributes, read from the data at first use, for the code that names them."""
    if name == "MONTHS":
        return months()
    if name == "_PATTERNS":
        return _patterns()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _alternation(words: Iterable[str]) -> str:
    """Regex source for any of `words`, longest first, spaces in a phrase standing for any white space; a pattern
    that never matches when there is none."""
    ordered = sorted(words, key=lambda w: (-len(w), w))
    if not ordered:
        return "(?!)"
    return "(?:" + "|".join(r"\s+".join(re.escape(part) for part in w.split(" ")) for w in ordered) + ")"


def _cue_alternation(words: Iterable[str]) -> str:
    """Regex source for cue entries: a word ending in '*' takes any ending ('commenc*'), the others are whole words.

    Cues are searched without a word start before them, as the words of a date's left context are."""
    def entry(cue: str) -> str:
        parts = [re.escape(p[:-1]) + r"\w*" if p.endswith("*") else re.escape(p) for p in cue.split(" ")]
        return " ".join(parts) + ("" if cue.endswith("*") else r"\b")

    ordered = sorted(words, key=lambda w: (-len(w), w))
    return "(?:" + "|".join(entry(w) for w in ordered) + ")" if ordered else "(?!)"


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    """The date shapes, ordered: the most specific first; a span once matched is not matched again."""
    # The month names as a trie: the same longest-first choice as a flat alternation, much faster to try at each
    # position.
    month = r"(?P<{n}>" + longest_literal((), months()) + r")\.?"
    day = r"(?P<{n}>[0-3]?\d)" + f"(?:{_alternation(_words('ordinal_suffix'))})?"
    link = _alternation(_words("range_link"))
    after_month = _alternation(_numbers("after_month"))
    return [
        # 3-14 décembre 2019 / 8-9 octobre 2019 / du 3 au 14 décembre
        ("range_dm", re.compile(
            rf"\b(?:{_alternation(_words('range_opening'))}\s+)?" + day.format(n="d1") + rf"\s*(?:-|–|{link})\s*"
            + day.format(n="d2") + r"\s+" + month.format(n="m") + r"(?:\s+" + _YEAR.format(n="y") + r")?", re.I)),
        # Dec. 3-14, 2019 / December 3 to 14
        ("range_md", re.compile(
            month.format(n="m") + r"\s+" + day.format(n="d1") + rf"\s*(?:-|–|{link})\s*" + day.format(n="d2")
            + r"(?:,?\s+" + _YEAR.format(n="y") + r")?\b", re.I)),
        # 21 mai 2018 / 14 mars dernier / 2 March
        ("dmy", re.compile(
            r"\b" + day.format(n="d") + r"\s+" + month.format(n="m")
            + r"(?:\s+" + _YEAR.format(n="y") + rf"|\s+(?P<rel>{after_month}))?\b", re.I)),
        # May 21, 2018 / November 3
        ("mdy", re.compile(
            r"\b" + month.format(n="m") + r"\s+" + day.format(n="d") + r"\b(?:,?\s+" + _YEAR.format(n="y")
            + r")?", re.I)),
        # 21/05/2018, 2018-05-21
        ("numeric", re.compile(r"\b(?P<d>[0-3]?\d)/(?P<m>[01]?\d)/(?P<y>(?:19|20)\d\d)\b")),
        ("iso", re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")),
        # (début|fin|mi-) septembre 2018 / early September / en septembre (dernier)
        ("my", re.compile(
            rf"\b(?P<part>{_alternation(_words('month_part'))})?\s*" + month.format(n="m")
            + rf"(?:\s+(?:{_alternation(_words('month_year_link'))}\s+)?" + _YEAR.format(n="y")
            + rf"|\s+(?P<rel>{after_month}))?\b", re.I)),
        # l'année dernière / this year (no phrase begins another, so the trie's longest-first order changes nothing)
        ("rel_year", re.compile(r"\b(?P<rel>" + longest_literal((), _numbers("relative_year")) + r")\b", re.I)),
        ("year", re.compile(rf"\b{_alternation(_words('year_prep'))}\s+" + _YEAR.format(n="y") + r"\b", re.I)),
    ]


@cache
def _any_month() -> re.Pattern[str]:
    return re.compile(longest_literal((), months()), re.I)


@cache
def _cues(name: str, words: int) -> re.Pattern[str]:
    """The cue list `name` (end, ref or start) closing the text before a date, at most `words` words before it."""
    adjacent = _words(f"{name}_adjacent")  # cues only right before the date: 'fin 2018'
    right_before = rf"|{_alternation(adjacent)}\s*$" if adjacent else ""
    return re.compile(rf"(?:{_cue_alternation(_words(name))}{right_before})\W*(?:\w+\W+){{0,{words}}}$", re.I)


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
    """The year of a month (and day) given without one, read from the article's date; `rel` is the word after the
    month that says whether it is the last one ('dernier') or the next."""
    if anchor is None:
        return None
    direction = _numbers("after_month").get(rel.lower(), 0) if rel else 0
    if direction < 0:
        candidate = dt.date(anchor.year, month, day or 1)
        return anchor.year if candidate <= anchor else anchor.year - 1
    if direction > 0:
        candidate = dt.date(anchor.year, month, day or 1)
        return anchor.year if candidate > anchor else anchor.year + 1
    return anchor.year


def _month_is_word(text: str, m: re.Match[str], group: str) -> bool:
    """'may', 'mars', 'march' written without a day or year are verbs or a planet more often than months."""
    word = m.group(group)
    if word.lower() not in _words("month_needs_date"):
        return False
    has_day = "d" in m.groupdict() and m.groupdict().get("d")
    has_year = m.groupdict().get("y")
    if has_day or has_year:
        return word[0].islower() and word.lower() in _words("month_verb") and not has_year
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
    if _any_month().search(text) is None:
        skip |= _NEEDS_MONTH
    return [(kind, pattern) for kind, pattern in _patterns() if kind not in skip]


def _interpret(kind: str, m: re.Match[str], text: str, anchor: dt.date | None) -> Iterator[DateMention]:
    g = m.groupdict()
    span = (m.start(), m.end(), m.group(0))
    if kind in ("range_dm", "range_md"):
        month = months()[(g.get("m") or "").lower()]
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
        offset = _numbers("relative_year")[g["rel"].lower()]
        yield DateMention(*span, PartialDate(anchor.year + offset), _role(text, m))
        return
    if kind == "year":
        yield DateMention(m.start("y"), m.end(), g["y"], PartialDate(int(g["y"])), _role(text, m, m.start("y")))
        return
    if kind in ("dmy", "mdy", "my") and _month_is_word(text, m, "m"):
        return
    month = int(g["m"]) if kind in ("numeric", "iso") else months()[g["m"].lower()]
    day = int(g["d"]) if g.get("d") else None
    year = int(g["y"]) if g.get("y") else _resolve_year(month, day, g.get("rel"), anchor)
    inferred = not g.get("y")
    if year is None or not _valid(year, month, day):
        return
    role = _role(text, m)
    part = (g.get("part") or "").lower()
    if kind == "my" and not part:
        span = (m.start("m"), m.end(), text[m.start("m"):m.end()])
    if part in _words("month_end_part"):
        role = role or "end"
    yield DateMention(*span, PartialDate(year, month, day), role, inferred)


def _role(text: str, m: re.Match[str], start: int | None = None) -> str:
    """What the words just before the date make of it: a past reference point, an end, a start, or nothing."""
    start = m.start() if start is None else start
    before = text[max(0, start - 40):start]
    if _cues("ref_cue", 3).search(before):
        return "ref"
    if _cues("end_cue", 3).search(before):
        return "end"
    if _cues("start_cue", 2).search(before):
        return "start"
    return ""


@cache
def _day_month() -> re.Pattern[str]:
    """A day and a month in either order, with or without a year: '24 juin', 'Feb. 1st'."""
    month, suffix = longest_literal((), months()), _alternation(_words("ordinal_suffix"))
    return re.compile(rf"(?i)(?<!\w)(?:(?P<d1>[0-3]?\d){suffix}?\s+(?P<m1>{month})"
                      rf"|(?P<m2>{month})\.?\s+(?P<d2>[0-3]?\d){suffix}?)(?!\w)")


def days_named(text: str) -> set[tuple[int, int]]:
    """The (month, day) pairs a text names, with or without a year: 'On February 1', 'le 24 juin'.

    Events of one article told day by day are told apart by these even when the article has no date to give them
    a year."""
    found = set()
    for m in _day_month().finditer(text):
        month = months()[(m.group("m1") or m.group("m2")).lower()]
        day = int(m.group("d1") or m.group("d2"))
        if 1 <= day <= 31:
            found.add((month, day))
    return found

