"""Mapping records to RDF: IRIs, provenance, one node per real-world entity or event across articles."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import XSD, Literal

from kg.errors import MappingError
from kg.extract import Extractor
from kg.extract.dates import PartialDate
from kg.pipeline.stages import build
from kg.query.local import run_saved
from kg.rdf.mapping import checked_iri, date_literal, exercise_key, mint

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "sample" / "000_566754dbe1dffb01.txt"
CROSS = ROOT / "tests" / "data" / "crosslang" / "peace-mission-2018-en.txt"


@pytest.mark.parametrize(("a", "b"), [("Mission de paix 2018", "Peace Mission 2018"), ("Zapad-2021", "Zapad 2021"),
                                      ("Exercise Malabar", "Malabar"), ("Bouclier du Nord 2024", "North Shield 2024")])
def test_exercise_names_share_a_key_across_languages(a: str, b: str) -> None:
    assert exercise_key(a) == exercise_key(b)


def test_different_editions_have_different_keys() -> None:
    assert exercise_key("Zapad 2021") != exercise_key("Zapad 2017")


@pytest.mark.parametrize("bad", ["https://w3id.org/kg-news/id/a b", "https://x/<y>", 'https://x/"q"', "no scheme"])
def test_invalid_iris_are_refused_where_minted(bad: str) -> None:
    with pytest.raises(MappingError, match="invalid IRI"):
        checked_iri(bad)


def test_minted_iris_are_slugs() -> None:
    assert str(mint("exercise", "Mission de paix 2018")) == "https://w3id.org/kg-news/id/exercise/mission-de-paix-2018"
    assert str(mint("place", 'x" } ; DROP ALL ; #')) == "https://w3id.org/kg-news/id/place/x-drop-all"


@pytest.mark.parametrize(("value", "datatype", "text"), [
    (PartialDate(2018), XSD.gYear, "2018"), (PartialDate(2018, 9), XSD.gYearMonth, "2018-09"),
    (PartialDate(2018, 9, 3), XSD.date, "2018-09-03")])
def test_dates_keep_their_precision(value: PartialDate, datatype: str, text: str) -> None:
    assert date_literal(value) == Literal(text, datatype=datatype)


@pytest.mark.slow
def test_french_and_english_reports_of_one_exercise_are_one_node(tmp_path: Path, extractor: Extractor) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    for path in (SEED, CROSS):
        shutil.copy(path, corpus / path.name)
    build([corpus], tmp_path / "out", extractor=extractor)
    rows = run_saved("exercises", tmp_path / "out")[1]
    peace = {r["exercise"] for r in rows if "2018" in str(r["name"])}
    assert len(peace) == 1
    assert {r["article"] for r in rows if r["exercise"] in peace} == {SEED.name, CROSS.name}
    states = run_saved("states", tmp_path / "out")[1]
    india = {r["state"] for r in states if r["wikidata"] == "Q668"}
    assert india == {"https://w3id.org/kg-news/id/Q668"}
    assert {r["article"] for r in states if r["wikidata"] == "Q668"} == {SEED.name, CROSS.name}


@pytest.mark.parametrize("lang, text", [
    ("en", "Chile on Monday signed a contract to buy a second batch of 12 K9 howitzers from South Korea. It follows "
           "a contract Chile signed in 2021 for the first batch of 12 K9 howitzers."),
    ("fr", "Le Chili a signé lundi un contrat pour acheter un second lot de 12 obusiers K9 à la Corée du Sud. Il "
           "fait suite au contrat signé par le Chili en 2021 pour le premier lot de 12 obusiers K9."),
])
def test_an_earlier_contract_for_the_same_item_is_a_deal_of_its_own(tmp_path: Path, extractor: Extractor,
                                                                     lang: str, text: str) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / f"k9-{lang}.txt").write_text(text, encoding="utf-8")
    build([corpus], tmp_path / "out", extractor=extractor)
    rows = run_saved("arms-deals", tmp_path / "out")[1]
    deals = {r["deal"] for r in rows if (r["supplier_wikidata"], r["recipient_wikidata"]) == ("Q884", "Q298")}
    assert len(deals) == 2
