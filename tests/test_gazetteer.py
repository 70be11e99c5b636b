"""The organisations of the gazetteer, on sentences written for these tests (blank spaCy pipelines, no model)."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from kg.extract.entities import find_mentions
from kg.extract.gazetteer import load_gazetteer

AIIB, AFDB, EBRD, ASDB = "Q18109843", "Q340195", "Q488981", "Q188822"
LCBC, CENSAD, G77, GUAM = "Q2986599", "Q605883", "Q477328", "Q326816"
ANZUS, RIO_PACT, AES, FIVE_EYES = "Q295875", "Q1410645", "Q122624387", "Q15978258"


@pytest.fixture(scope="module")
def nlp() -> dict[str, Language]:
    pipelines = {lang: spacy.blank(lang) for lang in ("fr", "en")}
    for pipeline in pipelines.values():
        pipeline.add_pipe("sentencizer")
    return pipelines


def organisations(nlp: dict[str, Language], text: str, lang: str) -> list[tuple[str, str]]:
    """(text, entity) of each organisation named in `text`."""
    return [(m.text, m.entity) for m in find_mentions(nlp[lang](text), lang)
            if m.type in ("Organisation", "MilitaryAlliance")]


def test_development_banks_by_french_name_and_abbreviation(nlp: dict[str, Language]) -> None:
    text = ("La Banque asiatique d'investissement dans les infrastructures (BAII) et la Banque africaine de "
            "développement ont signé un accord ; l'AIIB prêtera aussi avec la BERD et la BAsD.")
    assert organisations(nlp, text, "fr") == [
        ("Banque asiatique d'investissement dans les infrastructures", AIIB), ("BAII", AIIB),
        ("Banque africaine de développement", AFDB), ("AIIB", AIIB), ("BERD", EBRD), ("BAsD", ASDB)]


def test_development_banks_by_english_name_and_abbreviation(nlp: dict[str, Language]) -> None:
    text = "The African Development Bank (AfDB) will co-finance the road with the EBRD and the AIIB."
    assert organisations(nlp, text, "en") == [
        ("African Development Bank", AFDB), ("AfDB", AFDB), ("EBRD", EBRD), ("AIIB", AIIB)]


def test_african_regional_bodies_in_french(nlp: dict[str, Language]) -> None:
    text = ("La Commission du bassin du lac Tchad (CBLT) a reçu le soutien de la Communauté des États "
            "sahélo-sahariens, la CEN-SAD, et du Groupe des 77.")
    assert [e for _, e in organisations(nlp, text, "fr")] == [LCBC, LCBC, CENSAD, CENSAD, G77]


@pytest.mark.parametrize(("text", "expected"), [
    ("The BAD news came as the ADB, the NDB and the IEA published their figures.", []),
    ("ANDERSEN AIR FORCE BASE, GUAM (AP) - Bombers landed on Guam on Monday.", []),
    ("A European Union state asked the Union for help.", ["Q458"]),  # not the Union State of Russia and Belarus
])
def test_ambiguous_names_and_abbreviations_are_left_out(nlp: dict[str, Language], text: str,
                                                         expected: list[str]) -> None:
    assert [e for _, e in organisations(nlp, text, "en")] == expected


def test_collective_defence_treaties_are_military_alliances(nlp: dict[str, Language]) -> None:
    text = "Australia invoked ANZUS after the attack, as the United States had invoked the Rio Pact."
    found = [m for m in find_mentions(nlp["en"](text), "en") if m.entity in (ANZUS, RIO_PACT)]
    assert [(m.text, m.type) for m in found] == [("ANZUS", "MilitaryAlliance"), ("Rio Pact", "MilitaryAlliance")]


def test_organisations_once_known_by_slug_now_have_their_qids_but_the_quad() -> None:
    entities = load_gazetteer().entities
    assert {entities[q].label_en for q in (AES, FIVE_EYES)} == {"Alliance of Sahel States", "Five Eyes"}
    assert entities[AES].type == "MilitaryAlliance" and entities["quad"].type == "Organisation"
    assert not {"aes", "fiveeyes"} & entities.keys()
    assert entities["quad"].qid is None  # one source only, and the reference tables give none
    assert entities["gulf_of_guinea_commission"].qid is None
