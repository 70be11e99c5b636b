"""Entity recognition with the gazetteer, on blank spaCy pipelines (no model needed)."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from kg.extract.entities import find_mentions, slug


@pytest.fixture(scope="module")
def blank_fr() -> Language:
    nlp = spacy.blank("fr")
    nlp.add_pipe("sentencizer")
    return nlp


@pytest.fixture(scope="module")
def blank_en() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def found(nlp: Language, text: str, lang: str) -> list[tuple[str, str, str]]:
    return [(m.text, m.entity, m.kind) for m in find_mentions(nlp(text), lang)]


def test_french_names_after_elision_link_to_qids(blank_fr: Language) -> None:
    text = "Il y aura des forces d'Allemagne, d'Australie, du Brésil et de Corée du Sud."
    assert [(t, e) for t, e, _ in found(blank_fr, text, "fr")] == [
        ("Allemagne", "Q183"), ("Australie", "Q408"), ("Brésil", "Q155"), ("Corée du Sud", "Q884")]


def test_demonyms_in_every_inflection_name_their_state(blank_fr: Language) -> None:
    text = "Les soldats indiens et les autorités pakistanaises ont rencontré des officiers russes."
    assert found(blank_fr, text, "fr") == [
        ("indiens", "Q668", "demonym"), ("pakistanaises", "Q843", "demonym"), ("russes", "Q159", "demonym")]


def test_compound_adjectives_name_both_states(blank_fr: Language) -> None:
    mentions = found(blank_fr, "l'essor des relations russo-pakistanaises en matière de défense", "fr")
    assert {(t, e) for t, e, _ in mentions} == {("russo", "Q159"), ("pakistanaises", "Q843")}


def test_indo_pacific_is_not_india(blank_en: Language) -> None:
    assert found(blank_en, "a free and open Indo-Pacific region", "en") == []


def test_capitals_stand_for_their_state(blank_fr: Language) -> None:
    mentions = found(blank_fr, "exercices auxquels participeront Islamabad et New Delhi", "fr")
    assert mentions == [("Islamabad", "Q843", "capital"), ("New Delhi", "Q668", "capital")]


def test_abbreviations_are_case_sensitive(blank_fr: Language) -> None:
    assert [e for _, e, _ in found(blank_fr, "Les pays de l'OCS et de l'OTAN", "fr")] == ["Q485207", "Q7184"]
    assert found(blank_fr, "les ocs", "fr") == []


def test_multiword_organisation_names_ignore_case(blank_fr: Language) -> None:
    mentions = found(blank_fr, "l'Organisation de Coopération de Shanghai (OCS)", "fr")
    assert [e for _, e, _ in mentions] == ["Q485207", "Q485207"]


def test_ambiguous_names_are_left_unlinked(blank_en: Language) -> None:
    assert found(blank_en, "Troops arrived in Congo and Georgia.", "en") == []


def test_indian_ocean_is_not_india(blank_en: Language) -> None:
    assert found(blank_en, "patrols in the Indian Ocean", "en") == []


def test_apostrophe_fragments_never_become_entities(blank_fr: Language) -> None:
    text = "C'est la première fois qu'ils s'exercent ; l'Inde s'y prépare."
    assert [(t, e) for t, e, _ in found(blank_fr, text, "fr")] == [("Inde", "Q668")]


def test_weapon_systems_by_name_and_designation(blank_en: Language) -> None:
    mentions = found(blank_en, "Turkey bought the S-400 and looked at the Su-57 and the new T-14.", "en")
    assert [(t, e) for t, e, _ in mentions if e.startswith("weapon/")] == [
        ("S-400", "weapon/s-400"), ("Su-57", "weapon/su-57"), ("T-14", "weapon/t-14")]


def test_offsets_refer_to_the_article_text(blank_fr: Language) -> None:
    text = "Publié le 21 mai 2018. La Chine et la Russie."
    for m in find_mentions(blank_fr(text), "fr"):
        assert text[m.evidence.start:m.evidence.end] == m.text


@pytest.mark.parametrize(("text", "expected"), [("Mission de paix 2018", "mission-de-paix-2018"),
                                                ("S-400", "s-400"), ("Tcheliabinsk ", "tcheliabinsk"),
                                                ("<x> \"y\"", "x-y"), ("", "x")])
def test_slugs_are_iri_safe(text: str, expected: str) -> None:
    assert slug(text) == expected


@pytest.mark.parametrize("text", ["Le communiqué a été publié à Abuja.", "Talks were held in Moscow on Monday."])
def test_capitals_written_as_places_are_cities(blank_fr: Language, blank_en: Language, text: str) -> None:
    nlp, lang = (blank_fr, "fr") if "publié" in text else (blank_en, "en")
    mentions = find_mentions(nlp(text), lang)
    assert [(m.type, m.entity.split("/")[0]) for m in mentions] == [("Place", "place")]


@pytest.mark.parametrize(("text", "lang"), [("Drills in the Sea of Japan and the South China Sea.", "en"),
                                            ("Des navires croisent en mer de Chine méridionale.", "fr")])
def test_seas_are_not_states(blank_fr: Language, blank_en: Language, text: str, lang: str) -> None:
    nlp = blank_fr if lang == "fr" else blank_en
    assert [m for m in find_mentions(nlp(text), lang) if m.type == "State"] == []


def test_a_demonym_on_an_official_names_the_state(blank_fr: Language) -> None:
    nlp = spacy.load("fr_core_news_sm")  # the head of the adjective comes from the parser
    (mention,) = find_mentions(nlp("Le président turc a assisté au sommet."), "fr")
    assert (mention.entity, mention.kind, mention.named) == ("Q43", "official", True)


def test_ambiguous_names_are_linked_by_context(blank_en: Language) -> None:
    mentions = found(blank_en, "Russian troops entered Georgia. Tbilisi protested.", "en")
    assert ("Georgia", "Q230", "context") in mentions
    assert [m for m in found(blank_en, "Storms hit Georgia and Atlanta.", "en") if m[1] == "Q230"] == []
