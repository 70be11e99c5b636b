"""Ambiguous names ("Congo", "Georgia", "Corée") resolved by the article's context, or left unlinked.

The gazetteer lists names that can mean several states, or a state and something else (the US state of
Georgia, the Congo river, François Hollande); the extractor never links them on their own.
`resolve_ambiguous` looks in the whole article for *cues*: the other, unambiguous names of each candidate
state (its label, official names, abbreviations and capital, from the gazetteer: "Kinshasa", "DRC",
"Tbilisi") and the cues of the other readings listed in `kg/data/ambiguity_cues.csv` ("Atlanta", "Congo
River"). The name is linked only when the cues point at exactly one candidate and at no other reading;
otherwise the answer says why it stays unlinked.

>>> text = "Kinshasa a accueilli la réunion. Le Congo a signé l'accord."
>>> resolve_ambiguous("Congo", "fr", text).entity
'Q974'
>>> resolve_ambiguous("Congo", "fr", "Le Congo a signé l'accord.").reason
'no context cue for any of Q971, Q974'
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kg.extract.gazetteer import DATA_DIR, Gazetteer, load_gazetteer

CUES_FILE = DATA_DIR / "ambiguity_cues.csv"
RULE = "gazetteer-context"
#: Confidence of a name linked by context: below a plain label match (0.95), like a capital (0.7).
#: The cues of a reading are its own names, abbreviations, capital and demonyms ("Georgian troops").
CONFIDENCE = 0.7
_CUE_KINDS = ("label", "name", "abbrev", "capital", "demonym")


@dataclass(frozen=True)
class Resolution:
    """What an ambiguous name means in one article: an entity and the cue that decided, or why none."""

    name: str
    entity: str | None
    reason: str
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    confidence: float = 0.0
    rule: str = RULE


class ContextResolver:
    """Resolves the gazetteer's ambiguous names by the other names found in the same text."""

    def __init__(self, gazetteer: Gazetteer | None = None, *, directory: Path = DATA_DIR,
                 cues_file: Path = CUES_FILE) -> None:
        self.gazetteer = gazetteer or load_gazetteer()
        self._candidates = _read_candidates(directory / "gazetteer.json")
        self._other_readings = _read_cues(cues_file)
        self._patterns: dict[tuple[str, str], tuple[re.Pattern[str] | None, dict[str, str]]] = {}

    def candidates(self, name: str, lang: str) -> tuple[str, ...]:
        """Ids of the gazetteer entities that `name` may stand for in `lang` (none if it is not ambiguous)."""
        return self._candidates.get((lang, name), ())

    def _cues(self, name: str, lang: str) -> tuple[re.Pattern[str] | None, dict[str, str]]:
        """The cues for `name` in `lang` as a pattern, and what each points at (an id or another reading)."""
        if (name, lang) not in self._patterns:
            self._patterns[(name, lang)] = self._compile(name, lang)
        return self._patterns[(name, lang)]

    def _compile(self, name: str, lang: str) -> tuple[re.Pattern[str] | None, dict[str, str]]:
        ambiguous = self.gazetteer.ambiguous.get(lang, frozenset())
        reading: dict[str, str] = {}
        for entity_id in self.candidates(name, lang):
            for term in self.gazetteer.terms_for(lang):
                if (term.entity_id == entity_id and term.kind in _CUE_KINDS and term.text not in ambiguous
                        and term.text != name):
                    reading.setdefault(term.text, entity_id)
        for cue, other in self._other_readings.get((lang, name), {}).items():
            reading.setdefault(cue, other)
        if not reading:
            return None, reading
        alternation = "|".join(re.escape(c) for c in sorted(reading, key=len, reverse=True))
        return re.compile(rf"(?<![\w])(?:{alternation})(?![\w])"), reading

    def resolve(self, name: str, lang: str, text: str) -> Resolution:
        """The entity `name` stands for in `text` (an article in `lang`), or None with the reason.

        Linked when the cues found point at one candidate and at no other reading; the cue returned is
        the first one found in the text.
        """
        candidates = self.candidates(name, lang)
        if not candidates:
            return Resolution(name, None, f"{name!r} is not an ambiguous name in {lang!r}")
        pattern, reading = self._cues(name, lang)
        found: dict[str, re.Match[str]] = {}
        for m in pattern.finditer(text) if pattern else ():
            found.setdefault(reading[m.group(0)], m)
        states = sorted(r for r in found if r in candidates)
        others = sorted(r for r in found if r not in candidates)
        if others:
            cues = ", ".join(f"{found[r].group(0)!r} ({r})" for r in others)
            return Resolution(name, None, f"the text points at another reading: {cues}")
        if not states:
            return Resolution(name, None, f"no context cue for any of {', '.join(sorted(candidates))}")
        if len(states) > 1:
            cues = ", ".join(f"{found[r].group(0)!r} ({r})" for r in states)
            return Resolution(name, None, f"cues for several candidates: {cues}")
        m = found[states[0]]
        return Resolution(name, states[0], f"context cue {m.group(0)!r}", m.group(0), m.start(), m.end(),
                          CONFIDENCE)


def _read_candidates(path: Path) -> dict[tuple[str, str], tuple[str, ...]]:
    """(lang, name) → the ids of the entities whose `ambiguous` list holds that name."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in raw["entities"]:
        for lang, names in (row.get("ambiguous") or {}).items():
            for name in names:
                found[(lang, name)].add(row["id"])
    return {key: tuple(sorted(ids)) for key, ids in found.items()}


def _read_cues(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    """(lang, name) → {cue text: the other reading it points at}, from `ambiguity_cues.csv`."""
    cues: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            if not row.get("cue") or not row.get("name") or not row.get("reading"):
                raise ValueError(f"{path}:{line}: a cue row needs lang, name, reading and cue")
            cues[(row["lang"], row["name"])][row["cue"]] = row["reading"]
    return dict(cues)


@cache
def default_resolver() -> ContextResolver:
    """The resolver over the packaged gazetteer (built once per process)."""
    return ContextResolver()


def resolve_ambiguous(name: str, lang: str, text: str) -> Resolution:
    """What the ambiguous `name` stands for in `text`, by the packaged gazetteer; see `ContextResolver`."""
    return default_resolver().resolve(name, lang, text)
