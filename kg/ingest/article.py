"""The `Article` record, and `parse_article_text`: the one place where text is cleaned, so the character
offsets that later stages record always refer to `Article.text`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kg.errors import ArticleError
from kg.ingest.decode import repair_mojibake
from kg.ingest.text import detect_language, drop_boilerplate, find_date, normalise_typography


@dataclass(frozen=True)
class Article:
    """One news article, cleaned and ready for NLP.

    `id` is the file name for a file and the record's `id` for a JSONL line; `text` is the cleaned text
    (typography normalised, boilerplate dropped) that every character offset in the graph refers to.
    """

    id: str
    text: str
    lang: str
    date: dt.date | None = None
    title: str | None = None
    url: str | None = None
    source: str = ""
    line: int | None = None  # the line of a JSONL record, so that problems found later can name it

def parse_article_text(
    raw: str,
    *,
    id: str,
    source: str,
    lang: str | None = None,
    date: dt.date | None = None,
    title: str | None = None,
    url: str | None = None,
    line: int | None = None,
) -> Article:
    """Clean a raw text into an `Article`: the one place every reader cleans text.

    Normalises line ends, repairs mojibake, normalises typography, drops boilerplate; then detects the
    language and dateline date unless metadata gave them (metadata wins).

    Raises:
        ArticleError: nothing is left once boilerplate is dropped.

    >>> parse_article_text("L’Inde et la France ont signé le contrat.", id="a", source="a.txt").text
    "L'Inde et la France ont signé le contrat."
    """
    raw, id = _no_surrogates(raw), _no_surrogates(id)
    title, url = (_no_surrogates(title) if title else title), (_no_surrogates(url) if url else url)
    text = repair_mojibake(raw.replace("\r\n", "\n").replace("\r", "\n"))
    text = drop_boilerplate(normalise_typography(text)).strip()
    if not text:
        raise ArticleError(source, "no article text found")
    lang = _language_code(lang) or detect_language(text)
    return Article(
        id=id,
        text=text,
        lang=lang,
        date=date if date is not None else find_date(text, lang=lang),
        title=_strip_or_none(normalise_typography(title or "")),
        url=_strip_or_none(url or ""),
        source=source,
        line=line,
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(text: str) -> str:
    """Lone surrogates (from JSON escapes such as "\\ud800") cannot be written as UTF-8: replace them."""
    return _SURROGATE.sub("\ufffd", text)


def _language_code(tag: str | None) -> str | None:
    """The primary subtag of a language tag from metadata: "fr-FR" → "fr"."""
    code = re.split(r"[-_]", (tag or "").strip().lower())[0]
    return code or None


def _strip_or_none(value: str) -> str | None:
    return value.strip() or None
