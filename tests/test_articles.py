"""Ingest stage: reading files and folders, decoding, cleaning, language and dateline detection."""

from __future__ import annotations

import codecs
import datetime as dt
import errno
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kg.errors import ArticleError
from kg.ingest.article import Article, parse_article_text
from kg.ingest.decode import decode_bytes, repair_mojibake
from kg.ingest.read import read_articles
from kg.ingest.text import detect_language, drop_boilerplate, find_date, normalise_typography

DATA = Path(__file__).parent / "data" / "ingest"
SEED = DATA / "000_566754dbe1dffb01.txt"
SEED_BOILERPLATE = (
    "Dreuz a besoin de votre soutien",
    "Ne ratez aucun des articles de Dreuz",
    "Reproduction autorisée",
    "Inscrivez-vous gratuitement",
    "Si vous êtes chez Orange",
    "Dreuz ne spam pas",
    "En savoir plus sur Dreuz.info",
    "Abonnez-vous pour poursuivre",
    "Continue reading",
)
FRENCH = (
    "L’armée française a participé à l’exercice « Varuna » près de Goa, en présence du ministre "
    "de la Défense et des chefs d’état-major.\n"
)
GERMAN = (
    "Die Bundeswehr hat an der Übung teilgenommen, die in diesem Jahr in Litauen stattfindet. Der Minister "
    "sagte, dass die Soldaten mit den Partnern aus der Allianz trainieren und auch neue Verfahren testen."
)


def read_one(path: Path) -> Article | ArticleError:
    [result] = read_articles([path])
    return result


def read_article(path: Path) -> Article:
    result = read_one(path)
    assert isinstance(result, Article), result
    return result


def read_error(path: Path) -> ArticleError:
    result = read_one(path)
    assert isinstance(result, ArticleError), result
    return result


# --- The seed article ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_article() -> Article:
    return read_article(SEED)


def test_read_seed_article_metadata(seed_article: Article) -> None:
    assert seed_article.id == "000_566754dbe1dffb01.txt"
    assert seed_article.source == str(SEED)
    assert seed_article.lang == "fr"
    assert seed_article.date == dt.date(2018, 5, 21)
    assert seed_article.title is None  # the first line is a byline, not a title


@pytest.mark.parametrize("boilerplate", SEED_BOILERPLATE)
def test_read_seed_article_drops_boilerplate(seed_article: Article, boilerplate: str) -> None:
    assert boilerplate not in seed_article.text


def test_read_seed_article_keeps_every_real_paragraph(seed_article: Article) -> None:
    lines = [line for line in SEED.read_text(encoding="utf-8").split("\n") if line.strip(" \u00a0")]
    paragraphs = [line for line in lines if not line.startswith(SEED_BOILERPLATE)]
    assert len(paragraphs) == len(lines) - len(SEED_BOILERPLATE)
    for paragraph in paragraphs:
        assert normalise_typography(paragraph) in seed_article.text
    assert seed_article.text.startswith("Publié par Ftouh Souhail le 21 mai 2018\n\nL'Inde et le Pakistan")
    assert seed_article.text.endswith("en termes de ventes d'armes.")


def test_read_seed_article_normalises_typography(seed_article: Article) -> None:
    assert not set("’‘«»“”\u00a0\u202f") & set(seed_article.text)
    assert "l'Organisation de Coopération de Shanghai" in seed_article.text
    assert '"Mission de paix 2018"' in seed_article.text


# --- Dev articles: dates and languages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "lang", "date"),
    [
        ("02_en_cope-india-19.txt", "en", None),  # "Dec. 14" has no year: never today's year
        ("06_en_turkey-s400-sanctions-mccaul.txt", "en", None),
        ("10_en_finland-accession-nato-state.txt", "en", None),
        ("13_fr_rimpac-2018-shareamerica.txt", "fr", None),
        (
            "22_fr_premier-rafale-inde.txt",
            "fr",
            dt.date(2019, 10, 8),
        ),  # "Mérignac, France - 8-9 octobre 2019"
        ("24_fr_parly-rupture-sous-marins-australie.txt", "fr", dt.date(2021, 10, 12)),  # "…au Sénat le 12…"
    ],
)
def test_read_dev_article_language_and_dateline(name: str, lang: str, date: dt.date | None) -> None:
    article = read_article(DATA / name)
    assert (article.id, article.lang, article.date) == (name, lang, date)


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("22_fr_premier-rafale-inde.txt", "La France livre son premier Rafale à l'Inde"),
        ("10_en_finland-accession-nato-state.txt", "Finland's Accession to NATO"),
        ("24_fr_parly-rupture-sous-marins-australie.txt", None),  # ends with a period: a sentence
    ],
)
def test_read_text_takes_short_first_line_as_title(name: str, title: str | None) -> None:
    article = read_article(DATA / name)
    assert article.title == title
    assert article.text.startswith(title or "Déclaration de Mme Florence Parly")


def test_read_markdown_heading_is_title(tmp_path: Path) -> None:
    path = tmp_path / "rafale.md"
    path.write_text("# Rafale : la France livre l’Inde\n\n" + FRENCH, encoding="utf-8")
    article = read_article(path)
    assert article.title == "Rafale : la France livre l'Inde"
    assert article.text.startswith("# Rafale")


# --- HTML ---------------------------------------------------------------------------------------------------


def test_read_html_extracts_article_and_metadata() -> None:
    article = read_article(DATA / "news_page.html")
    assert article.id == "news_page.html"
    assert article.title == "Exercice naval franco-indien Varuna au large de Goa"
    assert article.date == dt.date(2021, 4, 27)
    assert article.url == "https://journal-defense.example.org/2021/04/27/exercice-varuna-goa"
    assert article.lang == "fr"
    assert "ont conduit du 25 au 27 avril l'exercice Varuna au large de Goa" in article.text
    assert "des Rafale Marine ont simulé des attaques" in article.text
    for furniture in ("dataLayer", "Abonnez-vous", "cookies", "Tous droits réservés", "newsletter", "Armées"):
        assert furniture not in article.text


def test_read_html_without_article_text_is_error() -> None:
    error = read_error(DATA / "scripts_only.html")
    assert (error.source, error.reason) == (str(DATA / "scripts_only.html"), "no article text found")


# --- JSONL --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jsonl_results() -> list[Article | ArticleError]:
    return list(read_articles([DATA / "articles.jsonl"]))


def test_read_jsonl_yields_good_lines_with_metadata(jsonl_results: list[Article | ArticleError]) -> None:
    articles = [result for result in jsonl_results if isinstance(result, Article)]
    assert [article.id for article in articles] == ["sco-2018", "nato-finland"]
    sco, finland = articles
    assert (sco.lang, sco.date, sco.url) == ("fr", dt.date(2018, 5, 21), "https://example.org/sco-2018")
    assert sco.title == "Manœuvres de l'OCS"
    assert sco.text.endswith(
        '" Mission de paix 2018 " de l\'Organisation de coopération de Shanghai en Russie.'
    )
    assert sco.source == str(DATA / "articles.jsonl")
    # An invalid metadata date is ignored: the dateline in the text is used instead.
    assert (finland.lang, finland.date) == ("en", dt.date(2023, 4, 4))


def test_read_jsonl_reports_bad_lines_with_numbers(jsonl_results: list[Article | ArticleError]) -> None:
    errors = [(error.line, error.reason) for error in jsonl_results if isinstance(error, ArticleError)]
    assert [line for line, _ in errors] == [2, 3, 4, 6, 8]
    reasons = dict(errors)
    assert reasons[2].startswith("malformed JSON")
    assert reasons[3] == "missing or empty 'text' (a non-empty string is required)"
    assert reasons[4] == "field 'title' must be a string, not int"
    assert reasons[6] == "duplicate id 'sco-2018' (first on line 1)"
    assert reasons[8] == "expected a JSON object, got list"
    assert all(isinstance(error, ArticleError) for error in jsonl_results if not isinstance(error, Article))
    assert str(jsonl_results[1]).startswith(f"{DATA / 'articles.jsonl'}:2: malformed JSON")


# --- Bytes: encodings, binary and empty files ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("utf8.txt", FRENCH.encode("utf-8")),
        ("utf8_bom.txt", codecs.BOM_UTF8 + FRENCH.encode("utf-8")),
        ("utf16le_bom.txt", codecs.BOM_UTF16_LE + FRENCH.encode("utf-16-le")),
        ("utf16be_bom.txt", codecs.BOM_UTF16_BE + FRENCH.encode("utf-16-be")),
        ("cp1252.txt", FRENCH.encode("cp1252")),
        ("windows_line_ends.txt", FRENCH.replace("\n", "\r\n").encode("cp1252")),
        ("mojibake.txt", FRENCH.encode("utf-8").decode("cp1252").encode("utf-8")),
        (
            "mojibake_twice.txt",
            FRENCH.encode("utf-8").decode("cp1252").encode("utf-8").decode("cp1252").encode(),
        ),
    ],
)
def test_read_text_decodes_encodings(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    article = read_article(path)
    assert article.text == normalise_typography(FRENCH).strip()
    assert article.lang == "fr"


def test_read_latin1_text(tmp_path: Path) -> None:
    text = "Le ministre a visité l'usine où l'on fabrique les frégates, près de la base navale française."
    path = tmp_path / "latin1.txt"
    path.write_bytes(text.encode("latin-1"))
    assert read_article(path).text == text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b" \n\t\r\n  \n", "empty file"),
        ("empty.jsonl", b"\n\n", "empty file"),
        ("empty.html", b"", "empty file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "binary file (PNG)"),
        (
            "scan.txt",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
            "binary file (PDF)",
        ),
        ("nul.txt", b"some text\x00\x00\x01\x02 more text", "binary file"),
        ("controls.txt", bytes(range(1, 9)) * 20 + b"text", "binary file"),
        ("odd_utf16.txt", codecs.BOM_UTF16_LE + b"a\x00b", "invalid utf-16 text after its byte-order mark"),
    ],
)
def test_read_bad_bytes_is_error(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    error = read_error(path)
    assert (error.source, error.reason, error.line) == (str(path), reason, None)


@pytest.mark.parametrize(
    ("broken", "repaired"),
    [
        ("lâ€™Ã©tablissement", "l’établissement"),
        ("Ã‰tats-Unis et cÅ“ur", "États-Unis et cœur"),
        ("Â« oui Â»", "« oui »"),
        ("Ã©tÃ© Ã  Paris", "été à Paris"),  # the no-break space of "à" became a plain space
        ("l’Ã©tablissement, déjà là", "l’établissement, déjà là"),  # good and broken parts mixed
        ("déjà là, « naïve »", "déjà là, « naïve »"),  # no mojibake: untouched
        ("SÃO PAULO", "SÃO PAULO"),
    ],
)
def test_repair_mojibake(broken: str, repaired: str) -> None:
    assert repair_mojibake(broken) == repaired


@given(st.text(alphabet="abcdefghij ÉéèàçùâêîôûëïüœÀ’«»“.,", min_size=1))
def test_repair_mojibake_undoes_cp1252_misreading(text: str) -> None:
    assume(any(char in text for char in "Ééèàçùâêîôûëïü«»’“"))  # a clear marker ("Ã", "Â", "â€")
    broken = text.encode("utf-8").decode("cp1252")
    assert repair_mojibake(broken) == text


def test_decode_bytes_prefers_western_encoding_for_short_french() -> None:
    # charset_normalizer alone reads this as cp1250/cp1257 and turns "è" into "č".
    text = "Le ministre a déclaré l’accord signé à Paris, après une année très difficile."
    assert decode_bytes(text.encode("cp1252"), source="short.txt") == text


def test_read_large_text_file(tmp_path: Path) -> None:
    paragraph = SEED.read_text(encoding="utf-8").split("\n\n")[1]
    path = tmp_path / "large.txt"
    path.write_text("\n\n".join([paragraph] * (7_000_000 // len(paragraph.encode()))), encoding="utf-8")
    article = read_article(path)
    assert article.lang == "fr"
    assert len(article.text) > 6_000_000 * 0.9


def test_a_file_too_large_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    with path.open("wb") as handle:
        handle.truncate(200_000_000)  # sparse: nothing is written
    [error] = read_articles([path])
    assert isinstance(error, ArticleError) and error.reason.startswith("file too large: 200000000 bytes")


# --- Folders, errors from the file system -------------------------------------------------------------------


def test_read_folder_recursively_in_sorted_order(tmp_path: Path) -> None:
    for name in (
        "b.txt",
        "a.txt",
        "sub/c.md",
        "sub/deeper/d.htm",
        ".hidden.txt",
        ".git/e.txt",
        "f.pdf",
        "g.png",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(FRENCH if not name.endswith(".htm") else f"<html><p>{FRENCH}</p></html>")
    results = list(read_articles([tmp_path]))
    assert [result.id for result in results if isinstance(result, Article)] == [
        "a.txt",
        "b.txt",
        "c.md",
        "d.htm",
    ]
    errors = {Path(r.source).name: r.reason for r in results if isinstance(r, ArticleError)}
    assert set(errors) == {"f.pdf", "g.png"}  # listed, not silently left out
    assert all("unsupported file type" in reason for reason in errors.values())
    articles = [r for r in results if isinstance(r, Article)]
    assert articles[2].source == str(tmp_path / "sub" / "c.md")


def test_read_folder_with_symlink_loop_ends(tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "article.txt").write_text(FRENCH, encoding="utf-8")
    (tmp_path / "news" / "loop").symlink_to(tmp_path / "news", target_is_directory=True)
    (tmp_path / "news" / "up").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "news" / "self.txt").symlink_to(tmp_path / "news" / "self.txt")  # ELOOP when read
    results = list(read_articles([tmp_path, tmp_path / "news"]))
    assert [result.id for result in results if isinstance(result, Article)] == ["article.txt"]
    [error] = [result for result in results if isinstance(result, ArticleError)]
    assert error.source == str(tmp_path / "news" / "self.txt")
    assert error.reason.startswith("cannot read file")


def test_read_unreadable_file_is_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.txt"
    path.write_text(FRENCH, encoding="utf-8")
    path.chmod(0)
    if os.access(path, os.R_OK):  # running as root: simulate the refusal the OS would give a user
        open_ = Path.open

        def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
            if self == path:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
            return open_(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", refuse)
    results = list(read_articles([tmp_path]))
    path.chmod(0o644)
    assert [(error.source, error.reason) for error in results if isinstance(error, ArticleError)] == [
        (str(path), "cannot read file: Permission denied")
    ]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("missing.txt", "cannot read file: No such file or directory"),
        ("report.pdf", "binary file (PDF); unsupported file type '.pdf' (kg reads .htm, .html, .jsonl, .md, .txt)"),
    ],
)
def test_read_named_file_errors(tmp_path: Path, name: str, reason: str) -> None:
    if name.endswith(".pdf"):
        (tmp_path / name).write_bytes(b"%PDF-1.4")
    assert read_error(tmp_path / name).reason == reason


# --- Cleaning functions -------------------------------------------------------------------------------------


def test_normalise_typography_maps_quotes_and_spaces() -> None:
    text = "C’est «\u00a0Varuna\u00a0», dit l‘amiral\u202f: “non”\u200b\u00adfin\u2009!"
    assert normalise_typography(text) == 'C\'est " Varuna ", dit l\'amiral : "non" -fin !'


@given(st.text())
def test_normalise_typography_preserves_length(text: str) -> None:
    normalised = normalise_typography(text)
    assert len(normalised) == len(text)
    assert not set("’‘«»“”„\u00a0\u202f\u2009\u200b\u00ad") & set(normalised)
    assert normalise_typography(normalised) == normalised


@pytest.mark.parametrize(
    "line",
    [
        "Dreuz a besoin de votre soutien financier. Cliquez sur : Paypal.Dreuz, et indiquez le montant.",
        "Faites un don pour soutenir une information indépendante.",
        "Donate now to keep our reporting free.",
        "Support our journalism: become a member today.",
        "Sign up for our daily newsletter.",
        "Subscribe to our weekly briefing",
        "Inscrivez-vous gratuitement pour recevoir nos alertes",
        "Abonnez-vous pour poursuivre la lecture et avoir accès à l'ensemble des archives.",
        "Cet article est réservé aux abonnés.",
        "Lire la suite",
        "À lire aussi : la mission Jeanne d'Arc appareille",
        "Continue reading",
        "Read more: NATO summit in Vilnius",
        "En savoir plus sur Dreuz.info",
        "Ce site utilise des cookies pour améliorer votre navigation.",
        "We use cookies to improve your browsing experience. Accept",
        "© 2021 Le Journal de la Défense",
        "Copyright 2020 Reuters. All rights reserved.",
        "Reproduction autorisée avec la mention suivante : © Ftouh Souhail pour Dreuz.info.",
        "Partager sur Facebook Twitter LinkedIn",
        "Share on Twitter",
        "Suivez-nous sur Telegram",
        "Click here to receive our alerts",
        "Dreuz ne spam pas ! Votre adresse email n'est ni vendue, louée ou confiée à quiconque.",
        "Your email address will not be published.",
    ],
)
def test_drop_boilerplate_drops_site_furniture(line: str) -> None:
    text = f"Paris accueille le sommet.\n\n{line}\n\nLa suite du texte."
    assert drop_boilerplate(text) == "Paris accueille le sommet.\n\nLa suite du texte."


LONG_PARAGRAPH = (
    "The ministry's newsletter, published every month since 2015, reported that the navies of India, Japan, "
    "Australia and the United States had exercised together in the Bay of Bengal and the Arabian Sea, and "
    "that officials from the four countries would meet again in Tokyo before the end of the year to plan the "
    "next edition of the exercise."
)


@pytest.mark.parametrize(
    "line",
    [
        "Japan pledged to donate 10 patrol boats to the Philippines.",
        "Few countries subscribe to this doctrine of deterrence.",
        "Victoria Nuland handed out cookies to protesters on the Maidan.",
        "Le ministre a déclaré sur Twitter que la France livrerait 36 Rafale à l'Inde.",
        "Mérignac, France - 8-9 octobre 2019",
        "Publié par Ftouh Souhail le 21 mai 2018",
        "WASHINGTON, DC - Today, the United States levied sanctions against Turkey.",
        LONG_PARAGRAPH,
    ],
)
def test_drop_boilerplate_keeps_real_text(line: str) -> None:
    text = f"Premier paragraphe.\n\n{line}\n  \nDernier."
    assert drop_boilerplate(text) == text


@given(st.lists(st.sampled_from(["Texte réel.", "", " ", "Abonnez-vous !", LONG_PARAGRAPH, "© AFP"])))
def test_drop_boilerplate_keeps_lines_in_order(lines: list[str]) -> None:
    kept = drop_boilerplate("\n".join(lines)).split("\n")
    real = [line for line in lines if line.strip() and line not in ("Abonnez-vous !", "© AFP")]
    assert [line for line in kept if line.strip()] == real


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (FRENCH, "fr"),
        ("The ministry said that the exercise was held with the navies of India and Japan.", "en"),
        (GERMAN, "de"),
        (
            "El ministro dijo que los ejercicios con las fuerzas de la OTAN fueron un éxito para el país.",
            "es",
        ),
        ("Il ministro ha detto che gli esercizi della marina sono stati un successo per il paese.", "it"),
        ("O ministro disse que os exercícios da marinha foram um sucesso para o país e para a região.", "pt"),
        ("Министр обороны заявил, что учения пройдут в сентябре на полигоне под Челябинском.", "ru"),
        ("Rafale", "und"),
        ("", "und"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_read_german_text_is_not_french_or_english(tmp_path: Path) -> None:
    path = tmp_path / "bundeswehr.txt"
    path.write_text(GERMAN, encoding="utf-8")
    assert read_article(path).lang == "de"


@pytest.mark.parametrize(
    ("text", "lang", "date"),
    [
        ("Publié par Ftouh Souhail le 21 mai 2018\n\nL'Inde et le Pakistan", "fr", dt.date(2018, 5, 21)),
        ("Publié le 21/05/2018 à 10h32\n\nTexte", "fr", dt.date(2018, 5, 21)),
        ("Mis à jour le 3 juin 2020\n\nTexte", "fr", dt.date(2020, 6, 3)),
        ("Publié le 1er mai 2018", "fr", dt.date(2018, 5, 1)),
        ("Titre\nCommuniqué.\nMérignac, France - 8-9 octobre 2019\nTexte", "fr", dt.date(2019, 10, 8)),
        ("Les 8 et 9 octobre 2019 à Mérignac", "fr", dt.date(2019, 10, 8)),
        ("Déclaration de Mme Parly, au Sénat le 12 octobre 2021.\n\nTexte", "fr", dt.date(2021, 10, 12)),
        ("Published May 21, 2018\n\nText", "en", dt.date(2018, 5, 21)),
        (
            "WASHINGTON, DC – March 3, 2021 – Today, the United States levied sanctions.",
            "en",
            dt.date(2021, 3, 3),
        ),
        ("Dec. 14, 2019\n\nAirmen from the U.S.", "en", dt.date(2019, 12, 14)),
        ("Posted 2019-12-14 08:00", "en", dt.date(2019, 12, 14)),
        ("Published 05/21/2018", "en", dt.date(2018, 5, 21)),  # month first in English
        ("Published 21/05/2018", "en", dt.date(2018, 5, 21)),  # day first when month first is invalid
        ("Berlin, 21. Mai 2018", "de", dt.date(2018, 5, 21)),
        ("Publié le 21 mai 2018", "und", dt.date(2018, 5, 21)),
        ("Airmen marked the closing ceremony here Dec. 14.", "en", None),  # no year: not this year
        ("Publié le 21 mai", "fr", None),
        ("Ils sont prévus en septembre 2018.", "fr", None),  # month and year only
        ("Le 31 février 2018", "fr", None),
        ("Division 3, 2019", "en", None),
        ("Titre\n\nUn\n\nDeux\n\nTrois\n\nQuatre\n\nPublié le 21 mai 2018", "fr", None),  # past the header
    ],
)
def test_find_date(text: str, lang: str, date: dt.date | None) -> None:
    assert find_date(text, lang=lang) == date


def test_parse_article_text_metadata_wins() -> None:
    article = parse_article_text(
        "Publié le 21 mai 2018\n\nThe ministry said that the exercise was held with the navy.",
        id="x",
        source="feed.jsonl",
        lang="FR-fr",
        date=dt.date(2020, 1, 2),
        title="  Titre  ",
        url=" https://example.org/x ",
    )
    assert (article.lang, article.date, article.title, article.url) == (
        "fr",
        dt.date(2020, 1, 2),
        "Titre",
        "https://example.org/x",
    )


def test_parse_article_text_with_only_boilerplate_is_error() -> None:
    with pytest.raises(ArticleError, match="no article text found"):
        parse_article_text("Abonnez-vous à notre newsletter\n\nContinue reading", id="x", source="x.txt")


# --- Encodings a UTF-8 reader gets wrong ----------------------------------------------------------------------


def test_one_stray_latin1_byte_keeps_the_rest_of_a_utf8_article(tmp_path: Path) -> None:
    path = tmp_path / "stray.txt"
    good = "L'armée française et la Marine indienne ont mené l'exercice Varuna près de Goa."
    path.write_bytes(good.encode("utf-8") + b"\n" + "Prix : 12 €, été".encode("cp1252") + b"\n" +
                     good.encode("utf-8"))
    article = read_article(path)
    assert article.text.count("L'armée française") == 2 and "Prix : 12 €, été" in article.text


def test_one_stray_byte_in_a_jsonl_line_keeps_the_record(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b'{"id": "a", "text": "' + "Défense".encode("latin-1") + b' et ' +
                     "armée française".encode() + b'"}\n')
    [article] = read_articles([path])
    assert isinstance(article, Article) and article.line == 1
    assert article.text == "Défense et armée française"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_text_not_binary(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes(FRENCH.encode(encoding))
    assert read_article(path).text == normalise_typography(FRENCH).strip()


@pytest.mark.parametrize(("text", "lang"), [
    ("Министр обороны заявил, что учения пройдут в сентябре на полигоне под Челябинском.", "ru"),
    ("Міністр оборони заявив, що навчання відбудуться у вересні.", "uk"),
    ("中国人民解放军东部战区组织海空兵力在台湾岛周边举行联合演习。", "zh"),
    ("日本の防衛省は、自衛隊が米軍と共同訓練を行うと発表した。", "ja"),
    ("وقالت وزارة الدفاع إن المناورات ستجري في سبتمبر.", "ar"),
    ("Bakan, tatbikatın eylül ayında yapılacağını açıkladı. " * 10, "mis"),
])
def test_languages_kg_cannot_parse_are_named_not_read_as_french(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_html_without_its_parser_is_an_input_problem_not_a_traceback(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # as when lxml.html.clean cannot be imported
    (tmp_path / "page.html").write_text("<html><body><p>Texte</p></body></html>", encoding="utf-8")
    [error] = read_articles([tmp_path / "page.html"])
    assert isinstance(error, ArticleError) and error.reason.startswith("cannot read HTML")
