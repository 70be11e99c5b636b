"""The faster forms of the extraction rules choose exactly what the plain ones did."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest

from kg.extract import dates
from kg.extract.literals import _flat, longest_literal

NAMES = ["Inde", "Indes", "Indonésie", "INDE", "Iran", "Irak", "Corée du Sud", "Corée", "S-400", "S-4", "F-16V",
         "U.S.", "US", "a+b", "Café (Paris)"]
CASELESS = ["organisation de coopération de shanghai", "organisation du traité", "corée du nord-est"]


def _texts() -> list[str]:
    rng = random.Random(7)
    pieces = NAMES + CASELESS + [n.upper() for n in CASELESS] + [n.title() for n in NAMES + CASELESS]
    pieces += ["x", "-", " ", ", ", "l'", "Ind", "Corée du", "S-40", "é", "ſ", "ı", "İ"]
    return ["".join(rng.choice(pieces) for _ in range(40)) for _ in range(300)]


def _matches(source: str, text: str, flags: int = 0) -> list[tuple[tuple[int, int], str]]:
    pattern = re.compile(rf"(?<![\w])(?:{source})(?![\w])", flags)
    return [(m.span(), m.group(0)) for m in pattern.finditer(text)]


@pytest.mark.parametrize("caseless", [[], CASELESS])
def test_trie_matches_what_the_longest_first_alternation_matches(caseless: list[str]) -> None:
    trie, flat = longest_literal(NAMES, caseless), _flat(NAMES, caseless)
    assert trie != flat
    for text in _texts():
        assert _matches(trie, text) == _matches(flat, text)


def test_trie_backtracks_to_shorter_names_in_the_same_order() -> None:
    trie, flat = longest_literal((), dates.MONTHS), _flat((), dates.MONTHS)
    for text in ["Sept. 3", "September 3", "sept 3-4", "Mar 2", "March", "marsh 3", "DEC. 1", "décembre 2"]:
        after = r"\.?\s+\d"
        assert [m.span() for m in re.finditer(f"(?:{trie}){after}", text)] == [
            m.span() for m in re.finditer(f"(?:{flat}){after}", text)]


def test_trie_falls_back_to_the_alternation_when_branches_would_overlap() -> None:
    assert longest_literal(["σa"], ["ςb"]) == _flat(["σa"], ["ςb"])  # final and medial sigma: equal ignoring case


def test_no_names_match_as_an_empty_alternation() -> None:
    assert longest_literal(()) == ""


@pytest.mark.parametrize("text", [
    "Le 3 mai, la marine", "sans date ni chiffre", "Elle a 3 ans", "l'année dernière", "mi-août 2019",
    "Dec. 3-14, 2019", "en 2004 et 2018-05-21", "maintenant", "Omar 3-4",
])
def test_find_dates_skips_only_shapes_that_cannot_match(text: str) -> None:
    anchor = dt.date(2018, 5, 21)
    every = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in dates._PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            found = list(dates._interpret(kind, m, text, anchor))
            if found:
                taken.append((m.start(), m.end()))
                every += found
    assert dates.find_dates(text, anchor=anchor) == sorted(every, key=lambda d: (d.start, d.role))
