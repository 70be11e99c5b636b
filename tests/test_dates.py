"""Date expressions and their resolution against the article's date."""

from __future__ import annotations

import datetime as dt

import pytest

from kg.extract.dates import PartialDate, find_dates

MAY_2018 = dt.date(2018, 5, 21)


@pytest.mark.parametrize(("text", "expected"), [
    ("L'année dernière, le Pakistan et la Russie", [("2017", "")]),
    ("le 14 mars dernier à Islamabad", [("2018-03-14", "")]),
    ("le 2 septembre dernier", [("2017-09-02", "")]),
    ("Ils sont prévus en septembre 2018", [("2018-09", "")]),
    ("se dérouleront cette année en Russie", [("2018", "")]),
    ("et prendra fin début septembre.", [("2018-09", "end")]),
    ("held next year near Vladivostok", [("2019", "")]),
    ("This year's event ran from Dec. 3-14", [("2018", ""), ("2018-12-14", "end"), ("2018-12-03", "start")]),
    ("Mérignac, France - 8-9 octobre 2019", [("2019-10-09", "end"), ("2019-10-08", "start")]),
    ("with previous events in 2004, 2008", [("2004", "ref")]),
    ("for the first time since 2007", [("2007", "ref")]),
    ("signé le 23 septembre 2016 entre", [("2016-09-23", "")]),
])
def test_find_dates_resolves_against_article_date(text: str, expected: list[tuple[str, str]]) -> None:
    found = [(d.value.iso(), d.role) for d in find_dates(text, anchor=MAY_2018)]
    assert found[: len(expected)] == expected


def test_relative_dates_need_an_article_date() -> None:
    assert find_dates("l'année dernière, en septembre", anchor=None) == []


@pytest.mark.parametrize("text", ["They may go", "the Mars mission", "March on Washington"])
def test_month_words_without_day_or_year_are_not_dates(text: str) -> None:
    assert find_dates(text, anchor=MAY_2018) == []


def test_partial_dates_keep_their_precision() -> None:
    assert PartialDate(2018).iso() == "2018"
    assert PartialDate(2018, 9).iso() == "2018-09"
    assert PartialDate(2018, 9, 1).iso() == "2018-09-01"


def test_offsets_point_at_the_expression() -> None:
    text = "Druzhba a eu lieu en septembre 2017 dans le Caucase."
    (mention,) = find_dates(text, anchor=MAY_2018)
    assert text[mention.start:mention.end] == "septembre 2017"
