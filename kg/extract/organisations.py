"""Organisations guessed by the parser's NER that are bodies of a known one, not organisations of their own.

'le Conseil de l'Atlantique Nord', 'the NATO Support and Procurement Agency', 'l'Agence européenne de défense':
a council, agency or centre whose name carries a known organisation's name, abbreviation or the adjective of its
region belongs to that organisation (the conventions count intergovernmental organisations, not their organs).
The region adjectives are data (`kg/data/lexicon.json`, `organisation_body_marker`).
"""

from __future__ import annotations

import re
from functools import cache

from kg.extract.context import lexicon
from kg.extract.gazetteer import load_gazetteer
from kg.extract.literals import longest_literal
from kg.extract.records import Mention


@cache
def _body_pattern(lang: str) -> re.Pattern[str]:
    """Any word of a known organisation's names and abbreviations (in `lang`), or a region adjective."""
    gaz = load_gazetteer()
    words: set[str] = set()
    for term in gaz.terms_for(lang):
        entity = gaz.entities[term.entity_id]
        if entity.type in ("Organisation", "MilitaryAlliance") and term.kind in ("abbrev", "label", "name"):
            words.add(term.text)
    words |= set(lexicon(lang)["organisation_body_marker"])
    return re.compile(rf"(?<!\w)(?:{longest_literal((), words)})(?!\w)", re.I)


def without_bodies(mentions: list[Mention], lang: str) -> list[Mention]:
    """The mentions, less the organisations only NER found whose name makes them a body of a known one."""
    pattern = _body_pattern(lang)
    return [m for m in mentions
            if not (m.type == "Organisation" and m.kind == "ner" and pattern.search(m.text))]
