"""Extraction rules with the real spaCy models, on sentences in the shapes news articles use.

The sentences are about real events but are not taken from the sample or development articles, so that the
rules are checked for what they say in general, not for one text's wording.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kg.extract import Extractor
from kg.extract.records import Extraction
from kg.ingest.article import parse_article_text

pytestmark = pytest.mark.slow
JUNE_2024 = dt.date(2024, 6, 1)


def extract(extractor: Extractor, text: str, lang: str, date: dt.date | None = JUNE_2024) -> Extraction:
    return extractor.extract(parse_article_text(text, id="t.txt", source="t.txt", lang=lang, date=date))


@pytest.mark.parametrize(("lang", "text", "name", "participants"), [
    ("fr", "Les marines indienne et française ont entamé lundi l'exercice Varuna 2023 au large de Goa.",
     "Varuna 2023", {"Q668", "Q142"}),
    ("fr", "La Russie et la Biélorussie ont lancé les manœuvres Zapad 2021 le 10 septembre.",
     "Zapad 2021", {"Q159", "Q184"}),
    ("fr", "La dernière manœuvre entre les forces russes et serbes, baptisée Slavic Brotherhood 2019, a eu lieu.",
     "Slavic Brotherhood 2019", {"Q159", "Q403"}),
    ("en", "Russian and Chinese troops took part in the Vostok 2018 war games alongside Mongolian forces.",
     "Vostok 2018", {"Q159", "Q148", "Q711"}),
    ("en", "Naval forces of Japan, India and the United States conducted Exercise Malabar in the Arabian Sea.",
     "Malabar", {"Q17", "Q668", "Q30"}),
])
def test_exercise_names_and_participants(extractor: Extractor, lang: str, text: str, name: str,
                                         participants: set[str]) -> None:
    (exercise,) = extract(extractor, text, lang).exercises
    assert exercise.name == name
    assert set(exercise.participants) == participants


def test_states_in_tensions_are_not_participants(extractor: Extractor) -> None:
    text = ("Sur fond de tensions entre Moscou et Washington, l'exercice entre les forces russes et "
            "égyptiennes, baptisé Defenders of Friendship 2021, a eu lieu en septembre 2021.")
    (exercise,) = extract(extractor, text, "fr").exercises
    assert set(exercise.participants) == {"Q159", "Q79"}
    assert exercise.start is not None and exercise.start.iso() == "2021-09"


@pytest.mark.parametrize(("lang", "text", "participants"), [
    ("en", "The United States, Japan and South Korea began the military exercise Freedom Edge on Thursday. "
     "North Korea, which on Wednesday tested a missile, condemned the war games.", {"Q30", "Q17", "Q884"}),
    ("fr", "La Russie et la Chine ont lancé lundi l'exercice naval Joint Sea 2021. Le Japon a dénoncé ces manœuvres.",
     {"Q159", "Q148"}),
])
def test_states_condemning_an_exercise_are_not_participants(extractor: Extractor, lang: str, text: str,
                                                            participants: set[str]) -> None:
    (exercise,) = extract(extractor, text, lang).exercises
    assert set(exercise.participants) == participants


def test_an_earlier_edition_of_a_named_exercise_is_an_exercise(extractor: Extractor) -> None:
    text = ("La Russie et le Bélarus ont lancé vendredi les manœuvres Zapad-2021. La précédente édition, Zapad-2017, "
            "avait déjà inquiété les pays baltes.")
    exercises = {e.name: set(e.participants) for e in extract(extractor, text, "fr").exercises}
    assert exercises == {"Zapad-2021": {"Q159", "Q184"}, "Zapad-2017": set()}


def test_exercise_host_location_and_dates(extractor: Extractor) -> None:
    text = ("Les manœuvres «Vostok 2022» auront lieu en septembre 2022 près de la ville russe de Vladivostok "
            "et prendront fin début octobre.")
    (exercise,) = extract(extractor, text, "fr", dt.date(2022, 8, 1)).exercises
    assert exercise.host == "Q159"
    assert exercise.location == "place/vladivostok"
    assert (exercise.start.iso(), exercise.end.iso()) == ("2022-09", "2022-10")  # type: ignore[union-attr]


def test_a_date_without_year_takes_the_edition_year(extractor: Extractor) -> None:
    (exercise,) = extract(extractor, "La Russie a lancé les manœuvres Zapad 2021 le 10 septembre.", "fr").exercises
    assert exercise.start is not None and exercise.start.iso() == "2021-09-10"


@pytest.mark.parametrize(("lang", "text", "supplier", "recipient", "status"), [
    ("fr", "L'Égypte a signé une commande de 30 Rafale supplémentaires auprès de la France.", "Q142", "Q79",
     "signed"),
    ("fr", "La Grèce a reçu ses six premiers Rafale livrés par la France.", "Q142", "Q41", "delivered"),
    ("fr", "Les deux pays ont discuté de l'acquisition par l'armée égyptienne de chasseurs russes Su-35.", "Q159",
     "Q79", "discussed"),
    ("en", "Poland has ordered 250 Abrams tanks from the United States in a deal worth $4.75 billion.", "Q30",
     "Q36", "signed"),
    ("en", "The Philippines took delivery of the first BrahMos missile batteries from India.", "Q668", "Q928",
     "delivered"),
    ("en", "Iran's planned purchase of Su-35 fighter jets from Russia was cancelled, officials said.", "Q159",
     "Q794", "cancelled"),
    ("en", "The K2 tanks ordered by Poland from South Korea arrived on Tuesday.", "Q884", "Q36", "delivered"),
    ("fr", "Les chars K2 commandés par la Pologne à la Corée du Sud ont été livrés mardi.", "Q884", "Q36",
     "delivered"),
    ("en", "The Rafale jets sold by France to Egypt arrived on Tuesday.", "Q142", "Q79", "delivered"),
])
def test_arms_deal_roles_and_status(extractor: Extractor, lang: str, text: str, supplier: str, recipient: str,
                                    status: str) -> None:
    (deal,) = extract(extractor, text, lang).deals
    assert (deal.supplier, deal.recipient, deal.status) == (supplier, recipient, status)


def test_arms_deal_quantity_and_value(extractor: Extractor) -> None:
    text = "L'Égypte a signé une commande de 30 Rafale auprès de la France pour 3,75 milliards d'euros."
    (deal,) = extract(extractor, text, "fr").deals
    assert (deal.quantity, deal.value, deal.currency) == (30, "3750000000", "EUR")


@pytest.mark.parametrize(("lang", "text", "item"), [
    ("en", "Australia has ordered 20 launchers from the United States.", "weapon/launchers"),
    ("en", "Poland ordered 212 K239 rocket launchers from South Korea.", "weapon/k239"),  # the designator names it
    ("fr", "La Pologne a commandé 48 obusiers à la Corée du Sud.", "weapon/obusiers"),
])
def test_a_counted_kind_of_weapon_is_one_item(extractor: Extractor, lang: str, text: str, item: str) -> None:
    (deal,) = extract(extractor, text, lang).deals
    assert deal.items == (item,) and deal.supplier is not None and deal.recipient is not None


def test_sanctions_are_not_deals(extractor: Extractor) -> None:
    text = "The United States imposed sanctions on Turkey over its purchase of the S-400 system from Russia."
    deals = extract(extractor, text, "en").deals
    assert [(d.supplier, d.recipient) for d in deals] == [("Q159", "Q43")]


def test_a_body_of_a_state_imposing_sanctions_is_no_party(extractor: Extractor) -> None:
    text = ("Iran has supplied Shahed-136 drones to Russia. The U.S. Treasury Department imposed sanctions on Iran "
            "over the sale of Shahed-136 drones.")
    deals = extract(extractor, text, "en").deals
    assert [(d.supplier, d.recipient) for d in deals] == [("Q794", "Q159")]


def test_generic_statements_without_weapon_systems_are_not_deals(extractor: Extractor) -> None:
    text = "Pendant longtemps, la Russie a acquis le statut de premier exportateur d'armes vers l'Inde."
    assert extract(extractor, text, "fr").deals == ()


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("fr", "La Suède a officiellement rejoint l'OTAN le 7 mars 2024.", {("Q34", "Q7184", "joined")}),
    ("fr", "L'Iran est devenu membre de l'Organisation de coopération de Shanghai en juillet 2023.",
     {("Q794", "Q485207", "joined")}),
    ("fr", "Le Burkina Faso, le Mali et le Niger ont annoncé leur retrait de la CEDEAO.",
     {("Q965", "Q193272", "left"), ("Q912", "Q193272", "left"), ("Q1032", "Q193272", "left")}),
    ("fr", "L'OTSC regroupe la Russie, la Biélorussie, l'Arménie et le Kazakhstan.",
     {("Q159", "Q318693", "member"), ("Q184", "Q318693", "member"), ("Q399", "Q318693", "member"),
      ("Q232", "Q318693", "member")}),
    ("en", "Ukraine formally applied to join NATO in September 2022.", {("Q212", "Q7184", "applied")}),
    ("en", "NATO allies including Germany and France joined the BALTOPS 24 exercise.",
     {("Q183", "Q7184", "member"), ("Q142", "Q7184", "member")}),
    ("en", "Kyiv hopes to follow Finland and Sweden, which applied to join NATO in May.",
     {("Q33", "Q7184", "applied"), ("Q34", "Q7184", "applied")}),
    ("en", "Washington sanctioned Turkey over the S-400 system, which Moscow delivered to the NATO member in 2019.",
     set()),
    ("en", "Turkey, a NATO member, bought the S-400 system from Russia in 2017.", {("Q43", "Q7184", "member")}),
    ("fr", "Le sommet de l'OCS s'est tenu à Astana, un an après l'adhésion de l'Iran.",
     {("Q794", "Q485207", "joined")}),
    ("en", "Lawmakers held up the Turkish request over Ankara's tense relations with Greece. The two NATO allies have "
     "quarrelled for decades.", {("Q43", "Q7184", "member"), ("Q41", "Q7184", "member")}),
    ("en", "France, Germany and Italy signed the deal. The two NATO allies will train together.", set()),
    ("fr", "La Finlande et la Suède, qui ont rejoint l'OTAN en 2023 et 2024, ont renforcé leurs armées.",
     {("Q33", "Q7184", "joined"), ("Q34", "Q7184", "joined")}),
])
def test_memberships(extractor: Extractor, lang: str, text: str, expected: set[tuple[str, str, str]]) -> None:
    found = {(m.member, m.organisation, m.kind) for m in extract(extractor, text, lang).memberships}
    assert found == expected


@pytest.mark.parametrize(("lang", "text", "pair"), [
    ("fr", "L'Arménie et l'Azerbaïdjan, deux ennemis de longue date, se disputent le Haut-Karabakh.",
     {"Q399", "Q227"}),
    ("en", "India and Pakistan, bitter rivals since 1947, fought a brief conflict in May.", {"Q668", "Q843"}),
    ("fr", "Les États-Unis soutiennent la Corée du Sud, l'ennemi juré de la Corée du Nord.", {"Q884", "Q423"}),
])
def test_rivalries(extractor: Extractor, lang: str, text: str, pair: set[str]) -> None:
    (rivalry,) = extract(extractor, text, lang).rivalries
    assert set(rivalry.parties) == pair


def test_warships_are_not_a_war(extractor: Extractor) -> None:
    text = "La Chine et le Japon ont envoyé des navires de guerre en mer de Chine orientale."
    assert extract(extractor, text, "fr").rivalries == ()


def test_persons_keep_their_role(extractor: Extractor) -> None:
    text = "« Nous sommes prêts », a déclaré le ministre indien de la Défense, Rajnath Singh, à New Delhi."
    persons = [m for m in extract(extractor, text, "fr").mentions if m.type == "Person"]
    assert [(p.text, p.role) for p in persons] == [("Rajnath Singh", "ministre indien de la Défense")]
